"""The keystore: encryption at rest, public listing without passphrase, file modes, atomic exclusive writes,
Ethereum v3 keystores that eth_account opens, and named errors."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from eth_account import Account

from microcred.did import (
    KEY_TYPES,
    CorruptKeyFileError,
    InvalidKeyNameError,
    KeyExistsError,
    KeyFormatError,
    KeyInfo,
    KeyNotFoundError,
    KeyPair,
    Keystore,
    WrongPassphraseError,
)
from microcred.did._keys import b64url_encode
from microcred.errors import InvalidInputError, NotFoundError

PASS = "correct horse battery staple"


@pytest.fixture
def store(tmp_path: Path) -> Keystore:
    return Keystore(tmp_path / "keys", scrypt_n=2**10)  # a cheap KDF for tests; the default is 2**17


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_create_list_load(store: Keystore, key_type: str) -> None:
    info = store.create("issuer", key_type, PASS)
    assert info.name == "issuer" and info.key_type == key_type and info.did.startswith("did:key:z")
    key = store.load("issuer", PASS)
    assert key.key_type == key_type and key.did == info.did
    assert key.verify(b"m", key.sign(b"m"))
    assert info.eth_address == key.eth_address
    assert (info.eth_address is not None) == (key_type == "secp256k1")
    assert store.list() == [info]
    name, kt, did, eth = store.list()[0]  # a plain tuple for callers that unpack
    assert (name, kt, did, eth) == tuple(info)


def test_files_are_private_and_hold_no_clear_secret(store: Keystore) -> None:
    store.create("chain", "secp256k1", PASS)
    key = store.load("chain", PASS)
    assert _mode(store.directory) == 0o700
    files = sorted(p.name for p in store.directory.iterdir())
    assert files == ["chain.eth.json", "chain.key.json"]  # no temporary file left behind
    for path in store.directory.iterdir():
        assert _mode(path) == 0o600, path
        text = path.read_text()
        assert key.private_bytes().hex() not in text.lower()
        assert b64url_encode(key.private_bytes()) not in text
    record = json.loads(store.path("chain").read_text())
    assert record["crypto"]["kdf"] == "scrypt" and record["crypto"]["cipher"] == "aes-256-gcm"
    assert record["did"] == key.did and record["ethAddress"] == key.eth_address


def test_existing_directory_is_tightened(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    Keystore(directory, scrypt_n=2**10).create("a", "ed25519", PASS)
    assert _mode(directory) == 0o700


def test_listing_needs_no_passphrase_and_is_sorted(store: Keystore) -> None:
    assert store.list() == []
    for name, key_type in (("b", "p256"), ("a", "ed25519"), ("c", "secp256k1")):
        store.create(name, key_type, PASS)
    infos = store.list()
    assert [i.name for i in infos] == ["a", "b", "c"]
    assert all(isinstance(i, KeyInfo) for i in infos)
    assert store.info("c").eth_address == store.load("c", PASS).eth_address
    assert store.public_key("b") == store.load("b", PASS).public


def test_wrong_passphrase(store: Keystore) -> None:
    store.create("a", "ed25519", PASS)
    with pytest.raises(WrongPassphraseError, match="wrong passphrase for key 'a'") as info:
        store.load("a", PASS + "!")
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize("name", ["", "a/b", "../x", "a b", "x" * 65, "é", "a:b", None])
def test_invalid_names(store: Keystore, name: object) -> None:
    with pytest.raises(InvalidKeyNameError, match="invalid key name"):
        store.create(name, "ed25519", PASS)  # type: ignore[arg-type]


def test_valid_unusual_names(store: Keystore) -> None:
    for name in ("A.b-c_9", "x" * 64, "..", ".hidden"):
        store.create(name, "ed25519", PASS)
    assert len(store.list()) == 4
    assert all(p.parent == store.directory for p in store.directory.iterdir())


def test_existing_name_is_refused_unless_overwrite(store: Keystore) -> None:
    first = store.create("a", "secp256k1", PASS)
    with pytest.raises(KeyExistsError, match="'a' exists already"):
        store.create("a", "ed25519", PASS)
    assert store.info("a") == first
    second = store.create("a", "ed25519", PASS, overwrite=True)
    assert second.did != first.did and store.load("a", PASS).did == second.did
    assert not store.eth_keystore_path("a").exists()  # the stale Ethereum keystore went with the old key


def test_racing_creators_never_replace_each_other(store: Keystore) -> None:
    results: list[object] = []
    barrier = threading.Barrier(6)

    def create() -> None:
        barrier.wait()
        try:
            results.append(store.create("race", "ed25519", PASS))
        except KeyExistsError as exc:
            results.append(exc)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if isinstance(r, KeyInfo)]
    assert len(winners) == 1 and len(results) == 6
    assert store.load("race", PASS).did == winners[0].did
    assert [p.name for p in store.directory.iterdir()] == ["race.key.json"]


def test_empty_passphrase_is_refused(store: Keystore) -> None:
    with pytest.raises(InvalidInputError, match="non-empty passphrase"):
        store.create("a", "ed25519", "")


def test_missing_key(store: Keystore) -> None:
    store.create("present", "ed25519", PASS)
    with pytest.raises(KeyNotFoundError, match=r"no key named 'absent' .*keys: present") as info:
        store.load("absent", PASS)
    assert isinstance(info.value, NotFoundError)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_jwk_export_and_import(store: Keystore, tmp_path: Path, key_type: str) -> None:
    info = store.create("a", key_type, PASS)
    public = store.export_jwk("a")
    assert "d" not in public
    with pytest.raises(InvalidInputError, match="needs its passphrase"):
        store.export_jwk("a", private=True)
    private = store.export_jwk("a", PASS, private=True)
    other = Keystore(tmp_path / "other", scrypt_n=2**10)
    imported = other.import_jwk("copy", private, "another passphrase")
    assert imported.did == info.did
    assert other.load("copy", "another passphrase") == store.load("a", PASS)
    with pytest.raises(KeyFormatError, match="no private key"):
        other.import_jwk("pub", public, PASS)


def test_import_of_a_known_jwk() -> None:
    """The Ed25519 JWK of the did:key vectors (seed ...05) lands on its DID."""
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "_eT7oDCtAC98L31MMx9J0T-w7HR-zuvsY08f9MvKne8",
           "d": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAU"}
    assert KeyPair.from_jwk(jwk).did == "did:key:z6MkwYMhwTvsq376YBAcJHy3vyRWzBgn5vKfVqqDCgm7XVKU"


def test_ethereum_keystore_opens_with_eth_account_and_signs(store: Keystore) -> None:
    info = store.create("chain", "secp256k1", PASS)
    v3 = json.loads(store.eth_keystore_path("chain").read_text())
    assert v3["version"] == 3 and v3["crypto"]["kdf"] == "scrypt"
    assert Account.decrypt(v3, PASS) == store.load("chain", PASS).private_bytes()
    account = store.load_eth_account("chain", PASS)
    assert account.address == info.eth_address
    tx = {"to": "0x" + "11" * 20, "value": 1, "gas": 21000, "gasPrice": 10**9, "nonce": 0, "chainId": 11155111}
    signed = account.sign_transaction(tx)
    assert Account.recover_transaction(signed.raw_transaction) == info.eth_address
    with pytest.raises(WrongPassphraseError):
        store.load_eth_account("chain", "nope")


def test_missing_ethereum_keystore_is_rebuilt(store: Keystore) -> None:
    info = store.create("chain", "secp256k1", PASS)
    store.eth_keystore_path("chain").unlink()
    with pytest.raises(WrongPassphraseError):
        store.load_eth_account("chain", "nope")
    assert store.load_eth_account("chain", PASS).address == info.eth_address
    assert _mode(store.eth_keystore_path("chain")) == 0o600


def test_only_secp256k1_keys_are_ethereum_accounts(store: Keystore) -> None:
    store.create("ed", "ed25519", PASS)
    with pytest.raises(InvalidInputError, match="only a secp256k1 key"):
        store.load_eth_account("ed", PASS)


def test_altered_public_part_does_not_open(store: Keystore) -> None:
    """Swapping in another key's public part (consistently) is caught by the GCM associated data."""
    store.create("a", "ed25519", PASS)
    path = store.path("a")
    record = json.loads(path.read_text())
    other = KeyPair.generate()
    record["publicKeyMultibase"], record["did"] = other.public_key_multibase, other.did
    path.write_text(json.dumps(record))
    assert store.info("a").did == other.did  # the listing shows what the file says...
    with pytest.raises(WrongPassphraseError, match="altered"):
        store.load("a", PASS)  # ...but the key does not open


@pytest.mark.parametrize("mutate, match", [
    (lambda r: r.update(did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"), "altered"),
    (lambda r: r.update(version=99), "version 1"),
    (lambda r: r.update(keyType="p256"), "altered"),
    (lambda r: r["crypto"]["kdfparams"].update(n=2**30), "out of bounds"),
    (lambda r: r["crypto"].update(cipher="aes-128-cbc"), "unsupported"),
    (lambda r: r["crypto"].pop("nonce"), "nonce"),
])
def test_corrupt_files_are_named(store: Keystore, mutate, match: str) -> None:  # type: ignore[no-untyped-def]
    store.create("a", "ed25519", PASS)
    path = store.path("a")
    record = json.loads(path.read_text())
    mutate(record)
    path.write_text(json.dumps(record))
    with pytest.raises(CorruptKeyFileError, match=match):
        store.load("a", PASS)


def test_garbage_file(store: Keystore) -> None:
    store.create("a", "ed25519", PASS)
    store.path("a").write_text("not json")
    with pytest.raises(CorruptKeyFileError, match="cannot read"):
        store.list()


def test_repr_shows_no_secret(store: Keystore) -> None:
    store.create("a", "ed25519", PASS)
    key = store.load("a", PASS)
    assert key.private_bytes().hex() not in repr(key) + repr(store)


def test_kdf_cost_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="power of two"):
        Keystore(tmp_path, scrypt_n=1000)
