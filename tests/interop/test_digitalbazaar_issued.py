"""Digital Bazaar's verifier on what `microcred issue` writes: the micro-credential context, the one status object
(a BitstringStatusListEntry carrying the registry coordinates, terms of microcred's context, so RDFC expands them
in safe mode), the proof array; as issued and anchored, in every cryptosuite; a tampered status object fails."""

from __future__ import annotations

import copy
import json

import pytest

from microcred.registry.proofs._suites import CRYPTOSUITES
from tests.support import dbvc
from tests.support.issuing import credentials, issue


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_digital_bazaar_verifies_issued_and_anchored_credentials(home, tmp_path, capsys, cryptosuite):
    _, _, out, issued = issue(home, tmp_path, capsys, cryptosuite)
    anchored = [json.loads(p.read_text(encoding="utf-8")) for p in credentials(out)]
    tampered = copy.deepcopy(issued[0])
    tampered["credentialStatus"]["statusIndex"] += 1
    tampered["credentialStatus"]["statusListIndex"] = str(tampered["credentialStatus"]["statusIndex"])
    answer = dbvc.verify(cryptosuite, [issued[0], anchored[0], anchored[1], tampered])
    assert [r["verified"] for r in answer["results"]] == [True, True, True, False], answer["results"]
