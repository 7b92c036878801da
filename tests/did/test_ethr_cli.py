"""`microcred did resolve` of a did:ethr on the in-process chain: `--at block:N` and `?versionId=N` beside a time,
`--key-format`, and the named errors of options that do not apply."""

from __future__ import annotations

import json

import pytest

from microcred.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    return exc.value.code or 0, captured.out, captured.err


def test_resolve_at_a_block_and_in_each_key_format(capsys, home):
    base = ["--home", str(home), "--network", "memory"]
    code, out, _ = run(capsys, *base, "--json", "key", "new", "owner", "--type", "secp256k1")
    assert code == 0
    address = json.loads(out).get("ethAddress") or json.loads(out)["eth_address"]
    from microcred.cli._app import _MEMORY
    from microcred.chain._connect import connect

    chain = _MEMORY.setdefault("memory", connect("memory"))
    did = f"did:ethr:{hex(chain.chain_id)}:{address}"
    delegate = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    assert run(capsys, *base, "did", "add-delegate", "--key", "owner", delegate)[0] == 0
    added = chain.w3.eth.block_number
    assert run(capsys, *base, "did", "revoke-delegate", "--key", "owner", delegate)[0] == 0
    revoked = chain.w3.eth.block_number
    chain.w3.provider.ethereum_tester.mine_blocks(1)

    code, out, _ = run(capsys, *base, "--json", "did", "resolve", did, "--at", f"block:{added}", "--metadata")
    result = json.loads(out)
    assert code == 0
    assert [vm["id"].split("#")[1] for vm in result["didDocument"]["verificationMethod"]] == [
        "controller", "delegate-1"]
    assert result["didDocumentMetadata"]["versionId"] == str(added)
    assert result["didDocumentMetadata"]["nextVersionId"] == str(revoked)
    # the method's own DID URL parameter says the same
    code, out, _ = run(capsys, *base, "--json", "did", "resolve", f"{did}?versionId={added}", "--metadata")
    assert code == 0 and json.loads(out) == result
    # a revocation is still in force only after its own block (validTo >= the block's time keeps it there)
    code, out, _ = run(capsys, *base, "--json", "did", "resolve", did, "--at", f"block:{revoked + 1}")
    assert [vm["id"].split("#")[1] for vm in json.loads(out)["verificationMethod"]] == ["controller"]
    code, out, _ = run(capsys, *base, "--json", "did", "resolve", did)
    assert code == 0 and delegate.lower() not in out.lower()
    # a bare number stays unix seconds: the block number read as a time is 1970, before any change
    code, out, _ = run(capsys, *base, "--json", "did", "resolve", did, "--at", str(added), "--metadata")
    assert code == 0 and "versionId" not in json.loads(out)["didDocumentMetadata"]

    contexts = {}
    for fmt in ("hex", "jwk", "multibase"):
        code, out, _ = run(capsys, *base, "--json", "did", "resolve", did, "--key-format", fmt)
        assert code == 0
        contexts[fmt] = json.loads(out)["@context"]
    assert contexts["hex"] == contexts["jwk"] == [
        "https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
        "https://w3id.org/security/v3-unstable"]
    assert contexts["multibase"] == [
        "https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/secp256k1recovery-2020/v2"]


@pytest.mark.parametrize(("args", "message"), [
    (("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "--at", "block:3"), "did:ethr DIDs only"),
    (("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "--key-format", "hex"), "did:ethr DIDs only"),
    (("did:ethr:0x7a69:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "--at", "block:x"), "not a block number"),
    (("did:ethr:0x7a69:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "--at", "yesterday"), "not a time"),
    (("did:ethr:0x7a69:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC?versionId=1&versionTime=2",), "give one of"),
    (("did:ethr:0x7a69:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC?versionId=1", "--at", "5"), "give one of"),
    (("did:ethr:0x7a69:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC?service=x",), "unknown or repeated"),
])
def test_options_that_do_not_apply_are_named_errors(capsys, home, args, message):
    code, out, err = run(capsys, "--home", str(home), "--network", "memory", "did", "resolve", *args)
    assert code == 2 and message in out + err
