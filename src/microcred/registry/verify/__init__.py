"""Verification of credentials, as a library: every check passes, fails, or could not be checked.

Build a :class:`Verifier` from its checks (:func:`default_checks`, or your own objects following :class:`Check`)
and the chain :class:`Endpoint` s to ask::

    from microcred.registry.verify import Endpoint, RegistryLedger, Verifier, default_checks

    endpoint = Endpoint("https://rpc.example", "eip155:11155111",
                        ledger=RegistryLedger(lambda address: registry_client(chain, address=address)))
    verifier = Verifier(default_checks(resolver=resolver, trusted_registries={"eip155:11155111": [REGISTRY]}),
                        endpoints=[endpoint])
    for v in verifier.verify([("ada.json", doc)]):
        print(v.outcome, v.as_json())
"""

from microcred.registry.verify._accreditation import AccreditationCheck
from microcred.registry.verify._anchor import AnchorCheck, TrustedRegistries
from microcred.registry.verify._check import ChainView, Check, Subject
from microcred.registry.verify._components import ComponentsCheck
from microcred.registry.verify._consensus import (
    EndpointsDisagreeError,
    NoQuorumError,
    agree,
    agreed_block_time,
    default_quorum,
    require_quorum,
)
from microcred.registry.verify._format import FormatCheck
from microcred.registry.verify._issuer import IssuerCheck, binding_on, issuer_did
from microcred.registry.verify._model import (
    CHECK_ORDER,
    ERROR,
    FAIL,
    LEVEL_OF,
    LEVELS,
    PASS,
    SKIPPED,
    CheckResult,
    Outcome,
    Verification,
    parse_moment,
    parse_time,
)
from microcred.registry.verify._signature import SignatureCheck
from microcred.registry.verify._sources import (
    BindingFn,
    Endpoint,
    LedgerReader,
    LedgerState,
    RegistryLedger,
    StatusChange,
)
from microcred.registry.verify._status import StatusCheck
from microcred.registry.verify._statuslist import StatusListCheck
from microcred.registry.verify._summary import SUMMARY_FIELDS, credential_summary
from microcred.registry.verify._validity import ValidityCheck
from microcred.registry.verify._verifier import Verifier, default_checks, required_levels

__all__ = [
    "AccreditationCheck",
    "AnchorCheck",
    "BindingFn",
    "CHECK_ORDER",
    "ChainView",
    "ComponentsCheck",
    "Check",
    "CheckResult",
    "ERROR",
    "Endpoint",
    "EndpointsDisagreeError",
    "FAIL",
    "LEVELS",
    "LEVEL_OF",
    "FormatCheck",
    "IssuerCheck",
    "LedgerReader",
    "LedgerState",
    "NoQuorumError",
    "Outcome",
    "PASS",
    "RegistryLedger",
    "SKIPPED",
    "SUMMARY_FIELDS",
    "SignatureCheck",
    "StatusChange",
    "StatusCheck",
    "StatusListCheck",
    "Subject",
    "TrustedRegistries",
    "ValidityCheck",
    "Verification",
    "Verifier",
    "agree",
    "agreed_block_time",
    "binding_on",
    "credential_summary",
    "default_checks",
    "default_quorum",
    "issuer_did",
    "parse_moment",
    "parse_time",
    "require_quorum",
    "required_levels",
]
