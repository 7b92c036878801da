"""Named keys encrypted at rest, one file per key, readable without the passphrase for their public part.

Format (``<directory>/<name>.key.json``, version 1)::

    {"format": "microcred-key", "version": 1, "name": "issuer", "keyType": "ed25519",
     "did": "did:key:z6Mk...", "publicKeyMultibase": "z6Mk...", "ethAddress": "0x..." (secp256k1 only),
     "crypto": {"kdf": "scrypt", "kdfparams": {"n": 131072, "r": 8, "p": 1, "dklen": 32, "salt": "<hex>"},
                "cipher": "aes-256-gcm", "nonce": "<hex>", "ciphertext": "<hex>"}}

The secret (ed25519 seed or EC scalar, 32 bytes) is sealed with AES-256-GCM under a key derived from the passphrase
with scrypt; the public members (format, version, keyType, publicKeyMultibase) are the GCM associated data, so
altering them makes the file fail to open rather than pair the secret with another public key.

A secp256k1 key also gets ``<name>.eth.json``, a standard Ethereum v3 keystore (``eth_account.Account.encrypt``,
scrypt, same passphrase) that geth, Foundry (``cast wallet``) or ``eth_account.Account.decrypt`` open.

Files are mode 0600 in a 0700 directory and are written atomically (temporary file, fsync, rename); creating a
key never replaces another one unless asked (``overwrite=True``), even when two processes race.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Final, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from microcred.did._errors import (
    CorruptKeyFileError,
    InvalidKeyNameError,
    KeyExistsError,
    KeyFormatError,
    KeyNotFoundError,
    WrongPassphraseError,
)
from microcred.did._keys import KeyPair, PublicKey
from microcred._files import write_atomic
from microcred.errors import InvalidInputError

FORMAT: Final = "microcred-key"
VERSION: Final = 1
#: scrypt cost of new keys: 2**17 (128 MiB, a fraction of a second), between geth's "light" and "standard"
DEFAULT_SCRYPT_N: Final = 2**17
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1
#: the largest costs accepted when reading a file, so a crafted file cannot exhaust memory
_MAX_SCRYPT_N: Final = 2**20
_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_KEY_SUFFIX: Final = ".key.json"
_ETH_SUFFIX: Final = ".eth.json"


class KeyInfo(NamedTuple):
    """The public facts of a stored key, readable without its passphrase."""

    name: str
    key_type: str
    did: str
    #: EIP-55 address of a secp256k1 key, else ``None``
    eth_address: str | None


def check_key_name(name: object) -> str:
    """``name`` if it is a valid key name (``[A-Za-z0-9_.-]{1,64}``), else :class:`InvalidKeyNameError`."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidKeyNameError(
            f"invalid key name {name!r}: use 1 to 64 letters, digits, '_', '.' or '-'"
        )
    return name


class Keystore:
    """Named keys in ``directory``. ``scrypt_n`` is the KDF cost for keys written from now on."""

    def __init__(self, directory: str | os.PathLike[str], *, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        if scrypt_n < 2 or scrypt_n & (scrypt_n - 1) or scrypt_n > _MAX_SCRYPT_N:
            raise ValueError(f"scrypt_n must be a power of two in [2, {_MAX_SCRYPT_N}], got {scrypt_n}")
        self.directory = Path(directory)
        self.scrypt_n = scrypt_n

    def __repr__(self) -> str:
        return f"Keystore({str(self.directory)!r})"

    # -- paths --------------------------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """The key file of ``name`` (whether or not it exists)."""
        return self.directory / (check_key_name(name) + _KEY_SUFFIX)

    def eth_keystore_path(self, name: str) -> Path:
        """The Ethereum v3 keystore file of the secp256k1 key ``name``."""
        return self.directory / (check_key_name(name) + _ETH_SUFFIX)

    def exists(self, name: str) -> bool:
        """Whether a key called ``name`` is stored."""
        return self.path(name).is_file()

    # -- writing ------------------------------------------------------------------------------------------------
    def create(self, name: str, key_type: str, passphrase: str, *, overwrite: bool = False) -> KeyInfo:
        """Generate a key of ``key_type`` and store it as ``name``, encrypted under ``passphrase``."""
        check_key_name(name)
        self._check_new(name, passphrase, overwrite)
        return self.store(name, KeyPair.generate(key_type), passphrase, overwrite=overwrite)

    def import_jwk(self, name: str, jwk: dict[str, Any], passphrase: str, *, overwrite: bool = False) -> KeyInfo:
        """Store the private JWK ``jwk`` (with ``d``) as ``name``."""
        check_key_name(name)
        self._check_new(name, passphrase, overwrite)
        return self.store(name, KeyPair.from_jwk(jwk), passphrase, overwrite=overwrite)

    def store(self, name: str, key: KeyPair, passphrase: str, *, overwrite: bool = False) -> KeyInfo:
        """Store an existing key pair as ``name``."""
        check_key_name(name)
        self._check_new(name, passphrase, overwrite)
        self._ensure_directory()
        public = {
            "format": FORMAT,
            "version": VERSION,
            "keyType": key.key_type,
            "publicKeyMultibase": key.public_key_multibase,
        }
        record: dict[str, Any] = {**public, "name": name, "did": key.did}
        if key.eth_address is not None:
            record["ethAddress"] = key.eth_address
        record["crypto"] = _seal(key.private_bytes(), passphrase.encode("utf-8"), _aad(public), self.scrypt_n)
        _write_atomic(self.path(name), _dumps(record), exclusive=not overwrite, name=name)
        eth_path = self.eth_keystore_path(name)
        if key.key_type == "secp256k1":
            self._write_eth(name, key, passphrase)
        elif overwrite and eth_path.exists():
            eth_path.unlink()  # the name now holds another type of key
        return _info(name, record)

    # -- reading ------------------------------------------------------------------------------------------------
    def list(self) -> builtins.list[KeyInfo]:
        """Every stored key, sorted by name. Needs no passphrase."""
        if not self.directory.is_dir():
            return []
        infos = []
        for path in self.directory.glob("*" + _KEY_SUFFIX):
            name = path.name[: -len(_KEY_SUFFIX)]
            if _NAME.fullmatch(name):
                infos.append(_info(name, self._read(name)))
        return sorted(infos, key=lambda i: i.name)

    def info(self, name: str) -> KeyInfo:
        """The public facts of ``name``. Needs no passphrase."""
        return _info(name, self._read(name))

    def public_key(self, name: str) -> PublicKey:
        """The public key of ``name``. Needs no passphrase."""
        return PublicKey.from_multibase(self._read(name)["publicKeyMultibase"])

    def load(self, name: str, passphrase: str) -> KeyPair:
        """The key pair ``name``; :class:`WrongPassphraseError` when ``passphrase`` does not open it."""
        record = self._read(name)
        public = {k: record[k] for k in ("format", "version", "keyType", "publicKeyMultibase")}
        secret = _open(record["crypto"], passphrase.encode("utf-8"), _aad(public), name=name, path=self.path(name))
        try:
            key = KeyPair.from_private_bytes(record["keyType"], secret)
        except KeyFormatError as exc:
            raise CorruptKeyFileError(f"key file {self.path(name)} holds an invalid secret: {exc}") from None
        if key.public_key_multibase != record["publicKeyMultibase"]:
            raise CorruptKeyFileError(f"key file {self.path(name)}: the secret does not match the public key")
        return key

    def export_jwk(self, name: str, passphrase: str | None = None, private: bool = False) -> dict[str, str]:
        """JWK of ``name``: the public key (no passphrase needed), or with ``private=True`` the secret too."""
        if not private:
            return self.public_key(name).jwk
        if passphrase is None:
            raise InvalidInputError(f"exporting the private key of {name!r} needs its passphrase")
        return self.load(name, passphrase).to_jwk(private=True)

    def load_eth_account(self, name: str, passphrase: str) -> Any:
        """The secp256k1 key ``name`` as an ``eth_account`` ``LocalAccount``, read from its v3 keystore file.

        A missing or stale v3 file (a crash between the two writes) is rebuilt from the key file.
        """
        from eth_account import Account

        record = self._read(name)
        if record["keyType"] != "secp256k1":
            raise InvalidInputError(
                f"key {name!r} is {record['keyType']}: only a secp256k1 key is an Ethereum account"
            )
        path = self.eth_keystore_path(name)
        v3 = _read_json(path) if path.is_file() else None
        if v3 is None or _v3_address(v3) != record["ethAddress"].lower():
            self._write_eth(name, self.load(name, passphrase), passphrase)
            v3 = _read_json(path)
        try:
            secret = Account.decrypt(v3, passphrase)
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise WrongPassphraseError(f"wrong passphrase for key {name!r} ({path})") from None
            raise CorruptKeyFileError(f"Ethereum keystore {path} cannot be read: {exc}") from None
        account = Account.from_key(secret)
        if account.address != record["ethAddress"]:
            raise CorruptKeyFileError(f"Ethereum keystore {path} holds {account.address}, not {record['ethAddress']}")
        return account

    # -- internals ----------------------------------------------------------------------------------------------
    def _check_new(self, name: str, passphrase: str, overwrite: bool) -> None:
        if not isinstance(passphrase, str) or not passphrase:
            raise InvalidInputError(f"a non-empty passphrase is needed to store key {name!r}")
        if not overwrite and self.path(name).exists():
            raise KeyExistsError(f"a key named {name!r} exists already in {self.directory}")

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.directory.stat().st_mode & 0o077:
            self.directory.chmod(0o700)

    def _write_eth(self, name: str, key: KeyPair, passphrase: str) -> None:
        from eth_account import Account

        v3 = Account.encrypt(key.private_bytes(), passphrase, kdf="scrypt", iterations=self.scrypt_n)
        _write_atomic(self.eth_keystore_path(name), _dumps(v3), exclusive=False, name=name)

    def _read(self, name: str) -> dict[str, Any]:
        path = self.path(name)
        if not path.is_file():
            known = ", ".join(i for i in self._names()) or "none"
            raise KeyNotFoundError(f"no key named {name!r} in {self.directory} (keys: {known})")
        record = _read_json(path)
        try:
            ok = (
                record.get("format") == FORMAT
                and record.get("version") == VERSION
                and isinstance(record.get("crypto"), dict)
                and isinstance(record.get("publicKeyMultibase"), str)
                and isinstance(record.get("did"), str)
            )
            if ok:
                key = PublicKey.from_multibase(record["publicKeyMultibase"])
                ok = key.key_type == record.get("keyType") and record["did"] == "did:key:" + key.multibase
                if ok and key.key_type == "secp256k1":
                    ok = record.get("ethAddress") == key.eth_address
        except KeyFormatError:
            ok = False
        if not ok:
            raise CorruptKeyFileError(f"{path} is not a microcred key file (version {VERSION}) or was altered")
        return record

    def _names(self) -> builtins.list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name[: -len(_KEY_SUFFIX)] for p in self.directory.glob("*" + _KEY_SUFFIX))


# -- helpers ----------------------------------------------------------------------------------------------------


def _info(name: str, record: dict[str, Any]) -> KeyInfo:
    return KeyInfo(name=name, key_type=record["keyType"], did=record["did"], eth_address=record.get("ethAddress"))


def _aad(public: dict[str, Any]) -> bytes:
    return json.dumps(public, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _dumps(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2) + "\n").encode("utf-8")


def _kdf(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


def _seal(secret: bytes, passphrase: bytes, aad: bytes, n: int) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    key = _kdf(passphrase, salt, n, _SCRYPT_R, _SCRYPT_P)
    return {
        "kdf": "scrypt",
        "kdfparams": {"n": n, "r": _SCRYPT_R, "p": _SCRYPT_P, "dklen": 32, "salt": salt.hex()},
        "cipher": "aes-256-gcm",
        "nonce": nonce.hex(),
        "ciphertext": AESGCM(key).encrypt(nonce, secret, aad).hex(),
    }


def _open(crypto: dict[str, Any], passphrase: bytes, aad: bytes, *, name: str, path: Path) -> bytes:
    try:
        params = crypto["kdfparams"]
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        if crypto["kdf"] != "scrypt" or crypto["cipher"] != "aes-256-gcm" or params.get("dklen", 32) != 32:
            raise ValueError("unsupported kdf or cipher")
        if not (1 < n <= _MAX_SCRYPT_N and not n & (n - 1) and 0 < r <= 32 and 0 < p <= 16):
            raise ValueError(f"scrypt parameters out of bounds (n={n}, r={r}, p={p})")
        salt, nonce = bytes.fromhex(params["salt"]), bytes.fromhex(crypto["nonce"])
        ciphertext = bytes.fromhex(crypto["ciphertext"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptKeyFileError(f"key file {path} has an unreadable 'crypto' member: {exc}") from None
    try:
        return AESGCM(_kdf(passphrase, salt, n, r, p)).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise WrongPassphraseError(
            f"wrong passphrase for key {name!r} (or its file {path} was altered)"
        ) from None


def seal_data(data: bytes, passphrase: str, *, aad: bytes = b"", scrypt_n: int = DEFAULT_SCRYPT_N) -> dict[str, Any]:
    """``data`` sealed as a key file seals its secret (scrypt, AES-256-GCM, ``aad`` authenticated): the same
    ``crypto`` object, for other secrets kept beside the keys under the same passphrase (the wallet)."""
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidInputError("a non-empty passphrase is needed to encrypt")
    return _seal(data, passphrase.encode("utf-8"), aad, scrypt_n)


def open_sealed(crypto: dict[str, Any], passphrase: str, *, aad: bytes = b"", what: str) -> bytes:
    """What :func:`seal_data` sealed; :class:`WrongPassphraseError` when ``passphrase`` does not open it (or it was
    altered), :class:`CorruptKeyFileError` when ``crypto`` is unreadable. ``what`` names it in the messages."""
    try:
        return _open(crypto, passphrase.encode("utf-8"), aad, name=what, path=Path(what))
    except WrongPassphraseError:
        raise WrongPassphraseError(f"wrong passphrase for {what} (or it was altered)") from None
    except CorruptKeyFileError as exc:
        raise CorruptKeyFileError(f"{what} cannot be opened: {str(exc).split(': ', 1)[-1]}") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CorruptKeyFileError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise CorruptKeyFileError(f"{path} does not hold a JSON object")
    return data


def _v3_address(v3: dict[str, Any]) -> str | None:
    address = v3.get("address")
    if not isinstance(address, str):
        return None
    return ("0x" + address.removeprefix("0x")).lower()


def _write_atomic(path: Path, data: bytes, *, exclusive: bool, name: str) -> None:
    """Write ``data`` to ``path`` all or nothing, mode 0600; ``exclusive`` refuses to replace an existing file."""
    try:
        write_atomic(path, data, mode=0o600, exclusive=exclusive)
    except FileExistsError:
        raise KeyExistsError(f"a key named {name!r} exists already in {path.parent}") from None


__all__ = ["DEFAULT_SCRYPT_N", "KeyInfo", "Keystore", "check_key_name", "open_sealed", "seal_data"]
