"""Issuer profiles: who awards the credentials, with which key, on which chain — one JSON file per issuer.

A profile lives in ``<home>/issuers/<name>.json`` and is written atomically (temporary file, fsync, rename,
directory fsync), so a crash leaves the old or the new profile, never half of one. What the issuer's work keeps
lives apart, in ``<home>/state/<name>/``: the index reservations ``indexes.json`` (see
:class:`microcred.registry.issuance.IndexAllocator`), the anchor journal and the lock.

Example file::

    {"format": "microcred-issuer", "version": 1, "name": "tux",
     "legalName": "Technische Universität Example", "displayName": "TU Example", "country": "DE",
     "region": "Bavaria", "did": "did:key:z6Mk…", "verificationMethod": "did:key:z6Mk…#z6Mk…",
     "key": "tux-signing", "account": "0x…", "accountKey": "tux-chain", "network": "local",
     "chain": "eip155:31337", "registry": "0x…", "cryptosuite": "eddsa-rdfc-2022", "website": "https://…"}
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from collections.abc import Mapping

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from microcred._files import write_json_atomic
from microcred.errors import ConfigError, InvalidInputError, NotFoundError
from microcred.registry.credential._annex import check_country_code, problems_from_pydantic

__all__ = [
    "CRYPTOSUITES",
    "DEFAULT_CRYPTOSUITE",
    "IssuerExistsError",
    "IssuerNotFoundError",
    "IssuerNotReadyError",
    "IssuerProfile",
    "IssuerStore",
    "check_issuer_name",
    "verification_method_for",
]

FORMAT: Final = "microcred-issuer"
VERSION: Final = 1
DEFAULT_CRYPTOSUITE: Final = "eddsa-rdfc-2022"
CRYPTOSUITES: Final = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")
_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_DID: Final = re.compile(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]+")
_ADDRESS: Final = re.compile(r"0x[0-9a-fA-F]{40}")
_CAIP2: Final = re.compile(r"[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}")
_URL: Final = re.compile(r"https?://\S+")


class IssuerNotFoundError(NotFoundError):
    """No profile of that name."""


class IssuerExistsError(InvalidInputError):
    """A profile of that name exists already."""


class IssuerNotReadyError(ConfigError):
    """The profile lacks what issuing needs (chain, registry, account)."""


def check_issuer_name(name: object) -> str:
    """``name`` if it is a valid profile name (``[A-Za-z0-9_.-]{1,64}``), else :class:`InvalidInputError`."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.startswith("."):
        raise InvalidInputError(f"invalid issuer name {name!r}: use 1 to 64 letters, digits, '_', '.' or '-' "
                                "(not starting with '.')")
    return name


def verification_method_for(did: str) -> str:
    """The verification method id of a ``did:key`` (``did:key:z…#z…``); other methods need it given."""
    if did.startswith("did:key:"):
        return f"{did}#{did[len('did:key:'):]}"
    raise InvalidInputError(f"{did} is not a did:key: give its verification method id (like {did}#key-1)")


def _pattern(regex: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


_Text = Annotated[str, AfterValidator(_non_empty)]


class IssuerProfile(BaseModel):
    """What an issuer is and signs with. ``name`` is the handle used on the command line and in file names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True, extra="forbid")

    format: Literal["microcred-issuer"] = FORMAT
    version: Literal[1] = VERSION
    name: Annotated[str, AfterValidator(check_issuer_name)]
    legal_name: _Text
    display_name: _Text | None = None
    country: Annotated[str, AfterValidator(check_country_code)]
    region: _Text | None = None
    did: Annotated[str, _pattern(_DID, "a DID (did:method:…)")]
    verification_method: Annotated[str, _pattern(re.compile(r"did:[a-z0-9]+:\S+#\S+"),
                                                 "a DID URL with a fragment (did:…#…)")]
    key: _Text
    account: Annotated[str, _pattern(_ADDRESS, "an Ethereum address (0x and 40 hex digits)")] | None = None
    account_key: _Text | None = None
    network: _Text | None = None
    chain: Annotated[str, _pattern(_CAIP2, "a CAIP-2 chain id (like eip155:11155111)")] | None = None
    registry: Annotated[str, _pattern(_ADDRESS, "an Ethereum address (0x and 40 hex digits)")] | None = None
    cryptosuite: Literal["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019"] = \
        DEFAULT_CRYPTOSUITE
    website: Annotated[str, _pattern(_URL, "a web address (https://…)")] | None = None
    #: where `microcred status export --base-url` publishes the lists; credentials then carry list entries too
    status_list_url: Annotated[str, _pattern(_URL, "a web address (https://…)")] | None = None

    @property
    def public_name(self) -> str:
        """The name credentials show for the awarding body: the display name, else the legal name."""
        return self.display_name or self.legal_name

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    @classmethod
    def from_json(cls, data: Any, *, source: str = "issuer profile",
                  names: Mapping[str, str] | None = None) -> IssuerProfile:
        """The profile in ``data``, or :class:`InvalidInputError` naming every bad field (renamed by ``names``,
        e.g. ``{"legalName": "--legal-name"}`` for command-line options)."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = problems_from_pydantic(exc.errors(include_url=False), element_of=lambda _p: None)
            rename = names or {}
            details = "; ".join(f"{rename.get(p.path, p.path) or 'profile'} "
                                f"{'missing' if p.missing else p.message}" for p in problems)
            raise InvalidInputError(f"{source}: not a valid issuer profile: {details}") from None

    def require_chain(self) -> tuple[str, str, str]:
        """(chain, registry, account), or :class:`IssuerNotReadyError` saying what is missing and how to set it."""
        missing = [label for label, value in (("chain id (--chain)", self.chain), ("registry address (--registry)",
                   self.registry), ("chain account (--account-key or --account)", self.account)) if not value]
        if missing:
            raise IssuerNotReadyError(
                f"issuer {self.name!r} has no {', no '.join(missing)}: credentials carry them in their status entry. "
                f"Set them with `microcred issuer init {self.name} … --force` (or deploy the registry first)")
        assert self.chain and self.registry and self.account
        return self.chain, self.registry, self.account


class IssuerStore:
    """The issuer profiles of a home: ``<home>/issuers/<name>.json`` and nothing else.

    What an issuer's work keeps (index reservations, anchor journal, lock) lives apart, in
    ``<home>/state/<name>/``, so the profiles folder holds profiles only; a state file an older version left in the
    profiles folder is moved there on first use.
    """

    def __init__(self, home: str | os.PathLike[str]) -> None:
        self.home = Path(home)
        self.directory = self.home / "issuers"

    def path(self, name: str) -> Path:
        return self.directory / f"{check_issuer_name(name)}.json"

    def state_dir(self, name: str) -> Path:
        """The folder of ``name``'s working state: index reservations, anchor journal, lock."""
        return self.home / "state" / check_issuer_name(name)

    def state_path(self, name: str) -> Path:
        """Where the index allocator of ``name`` keeps its state (moved from the profiles folder if found there)."""
        path = self.state_dir(name) / "indexes.json"
        _adopt(self.directory / f"{check_issuer_name(name)}.state.json", path)
        return path

    def journal_dir(self, name: str, account: str | None = None) -> Path:
        """Where the anchorer of ``name`` keeps its journal (one adopted from the profiles folder, for ``account``)."""
        directory = self.state_dir(name)
        if account:
            journal = f"anchor-journal-{account.lower()}.json"
            _adopt(self.directory / journal, directory / journal)
        return directory

    def lock_path(self, name: str) -> Path:
        """The lock file every command that changes ``name``'s state holds (see :func:`issuer_lock`)."""
        return self.state_dir(name) / "lock"

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def load(self, name: str) -> IssuerProfile:
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            known = ", ".join(self.names()) or "none"
            raise IssuerNotFoundError(f"no issuer named {name!r} in {self.directory} (issuers: {known}); create it "
                                      f"with `microcred issuer init {name} …`") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInputError(f"{path} is not JSON: {exc}") from None
        profile = IssuerProfile.from_json(data, source=str(path))
        if profile.name != name:
            raise InvalidInputError(f"{path} holds the profile of {profile.name!r}, not {name!r}")
        return profile

    def save(self, profile: IssuerProfile, *, overwrite: bool = False) -> Path:
        """Write ``profile`` atomically; :class:`IssuerExistsError` if it exists and ``overwrite`` is false."""
        path = self.path(profile.name)
        if path.exists() and not overwrite:
            raise IssuerExistsError(f"an issuer named {profile.name!r} exists already ({path}); use --force to "
                                    "replace it")
        write_json_atomic(path, profile.to_json())
        return path

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json") if _is_profile_name(p))

    def list(self) -> list[IssuerProfile]:  # noqa: A003
        """Every stored profile, sorted by name."""
        return [self.load(n) for n in self.names()]


def _is_profile_name(path: Path) -> bool:
    """Whether a file of the profiles folder is a profile by its name: what older versions wrote there beside the
    profiles (index state, anchor journals), temporaries and lock files are not."""
    name = path.name
    return (path.is_file() and not name.startswith((".", "anchor-journal-")) and not name.endswith(".state.json")
            and _NAME.fullmatch(path.stem) is not None)


def _adopt(old: Path, new: Path) -> None:
    """Move a state file an older version kept at ``old`` to ``new`` (once; never over an existing one)."""
    if old.is_file() and not new.exists():
        new.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, new)
