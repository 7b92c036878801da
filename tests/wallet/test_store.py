"""The wallet store: encrypted at rest with the keystore's cipher, each credential once (a copy with more proofs
replaces a plain one), found by id, prefix or credential id, its last check kept; the view for people."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from microcred.did import CorruptKeyFileError, KeyPair, WrongPassphraseError, open_sealed, seal_data
from microcred.registry.credential import read_container
from microcred.wallet import (
    AmbiguousWalletIdError,
    NotInWalletError,
    Wallet,
    WalletEntry,
    WalletFormatError,
    check_wallet,
    credentials_in,
    person_view,
    render_entry,
    wallet_id_of,
)
from tests.support.wallet import badge, offline_verifier, vm_of

PASS = "correct horse"


@pytest.fixture
def keys() -> dict[str, KeyPair]:
    return {"issuer": KeyPair.generate("ed25519"), "holder": KeyPair.generate("ed25519")}


def _wallet(tmp_path: Path, passphrase: str = PASS) -> Wallet:
    return Wallet(tmp_path / "wallet", passphrase, scrypt_n=2**4)


def test_sealing_is_the_keystores_and_names_what_failed() -> None:
    crypto = seal_data(b"secret", PASS, aad=b"a", scrypt_n=2**4)
    assert crypto["kdf"] == "scrypt" and crypto["cipher"] == "aes-256-gcm"
    assert open_sealed(crypto, PASS, aad=b"a", what="the thing") == b"secret"
    with pytest.raises(WrongPassphraseError, match="wrong passphrase for the thing"):
        open_sealed(crypto, "nope", aad=b"a", what="the thing")
    with pytest.raises(WrongPassphraseError):
        open_sealed(crypto, PASS, aad=b"b", what="the thing")  # the associated data is authenticated
    with pytest.raises(CorruptKeyFileError, match="the thing cannot be opened"):
        open_sealed({**crypto, "nonce": "zz"}, PASS, what="the thing")


def test_a_wallet_keeps_each_credential_once_encrypted(tmp_path: Path, keys: dict[str, KeyPair]) -> None:
    wallet = _wallet(tmp_path)
    assert wallet.entries() == [] and not wallet.path.exists()
    first, second = (badge(keys["issuer"], keys["holder"].did, i) for i in (1, 2))
    done = wallet.add([first, second], source="two.json")
    assert [d.action for d in done] == ["added", "added"]
    assert [d.action for d in wallet.add([first])] == ["kept"]
    assert stat.S_IMODE(wallet.path.stat().st_mode) == 0o600
    assert "Data literacy" not in wallet.path.read_text() and keys["holder"].did not in wallet.path.read_text()
    again = _wallet(tmp_path)
    assert [e.id for e in again.entries()] == [wallet_id_of(first), wallet_id_of(second)]
    assert again.get(first["id"]).credential == first
    assert again.get(wallet_id_of(first)[:6]).source == "two.json"
    with pytest.raises(NotInWalletError):
        again.get("ffffffffff")
    with pytest.raises(WrongPassphraseError, match="wrong passphrase for the wallet"):
        _wallet(tmp_path, "wrong").entries()
    assert again.remove(first["id"]).id == wallet_id_of(first)
    assert [e.id for e in again.entries()] == [wallet_id_of(second)]


def test_an_anchored_copy_replaces_a_plain_one(tmp_path: Path, keys: dict[str, KeyPair]) -> None:
    plain = badge(keys["issuer"], keys["holder"].did)
    anchored = {**plain, "proof": [plain["proof"], {"type": "MicrocredAnchorProof2026", "merkleRoot": "0x" + "a" * 64}]}
    assert wallet_id_of(plain) == wallet_id_of(anchored)
    wallet = _wallet(tmp_path)
    wallet.add([plain])
    assert [d.action for d in wallet.add([anchored])] == ["replaced"]
    assert wallet.entries()[0].credential == anchored
    assert [d.action for d in wallet.add([plain])] == ["kept"]


def test_an_ambiguous_prefix_is_named(keys: dict[str, KeyPair]) -> None:
    from microcred.wallet._store import _find

    doc = badge(keys["issuer"], keys["holder"].did)
    entries = [WalletEntry("abcd12", doc, "2026-01-01T00:00:00Z"), WalletEntry("abcd34", doc, "2026-01-01T00:00:00Z")]
    with pytest.raises(AmbiguousWalletIdError, match="abcd12, abcd34"):
        _find(entries, "abcd")
    assert _find(entries, "abcd3").id == "abcd34"
    with pytest.raises(NotInWalletError):
        _find(entries, "abc")  # a prefix is 4 characters at least
    with pytest.raises(ValueError, match="name a credential"):
        _find(entries, " ")


def test_checks_are_kept_and_the_view_reads_for_people(tmp_path: Path, keys: dict[str, KeyPair]) -> None:
    wallet = _wallet(tmp_path)
    wallet.add([badge(keys["issuer"], keys["holder"].did)])
    [(entry, verdict)] = check_wallet(wallet, offline_verifier())
    assert verdict.outcome == "valid"
    kept = wallet.entries()[0].last_check
    assert kept is not None and kept["outcome"] == "valid" and kept["checkedAt"].endswith("Z")
    text = render_entry(wallet.entries()[0], "de", words={"achievement": "Leistung"})
    assert "Leistung" in text and "Data literacy" in text and "Zuletzt geprüft" in text
    rows = dict(person_view(entry.credential, "fr"))
    assert rows["Description"] == "Reads, cleans and charts data" and rows["Titulaire (DID)"] == keys["holder"].did
    with pytest.raises(ValueError, match="unknown language"):
        person_view(entry.credential, "es")


def test_what_a_file_holds(keys: dict[str, KeyPair]) -> None:
    from microcred.registry.presentation import create_presentation

    issuer, holder = keys["issuer"], keys["holder"]
    creds = [badge(issuer, holder.did, i) for i in (1, 2)]
    assert credentials_in(json.dumps(creds[0]).encode()) == [creds[0]]
    vp = create_presentation(creds, holder, holder=holder.did, verification_method=vm_of(holder), challenge="c")
    assert credentials_in(json.dumps(vp).encode()) == creds
    head = base64.urlsafe_b64encode(b'{"alg":"EdDSA"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(creds[0]).encode()).rstrip(b"=").decode()
    [jwt] = credentials_in(f"{head}.{body}.c2ln".encode())
    assert jwt.jws == f"{head}.{body}.c2ln" and read_container(jwt.jws.encode()) == jwt
    with pytest.raises(ValueError, match="not a Verifiable Credential"):
        credentials_in(b'{"type": ["VerifiablePresentation"], "verifiableCredential": [{"a": 1}]}')
    with pytest.raises(ValueError, match="a PDF that cannot be read"):
        credentials_in(b"%PDF-1.7\n")


def test_a_jwt_survives_the_wallet(tmp_path: Path, keys: dict[str, KeyPair]) -> None:
    head = base64.urlsafe_b64encode(b'{"alg":"EdDSA"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(badge(keys["issuer"], keys["holder"].did)).encode()).rstrip(b"=")
    [jwt] = credentials_in(f"{head}.{body.decode()}.c2ln".encode())
    wallet = _wallet(tmp_path)
    wallet.add([jwt])
    assert getattr(_wallet(tmp_path).entries()[0].credential, "jws", None) == jwt.jws


def test_a_file_that_is_not_a_wallet(tmp_path: Path) -> None:
    wallet = _wallet(tmp_path)
    wallet.directory.mkdir()
    wallet.path.write_text('{"format": "something-else"}')
    with pytest.raises(WalletFormatError, match="not a microcred wallet"):
        wallet.entries()
