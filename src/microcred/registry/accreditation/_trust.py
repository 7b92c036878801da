"""A verifier's trust list and the ``accreditation`` check built on it.

The trust list (a JSON file, ``docs/accreditation.md``) names the root accreditation bodies a verifier trusts — of
several countries at once — each with the chain and AccreditationRegistry it lives on, its account, and what the
verifier accepts from it (credential kinds, highest EQF level, fields of study). Nothing on chain is trusted because
it is on chain: any account may declare itself a root.

:class:`AccreditationChecker` answers, for one credential, whether its issuer held — at the time the credential was
anchored — a grant covering the credential through an unbroken chain of grants up to a trusted root that accepts it.
It reads one ``eth_call`` per issuer and registry (cached), so checking many credentials of an issuer costs one
request; an RPC failure raises :class:`~microcred.errors.NetworkError` (the verifier reports "could not check"),
never "fail".
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Callable, Mapping, Sequence

from eth_utils import is_address, to_checksum_address

from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.accreditation._client import (
    AccreditationChains,
    AccreditationClient,
    Grant,
    field_covers,
    kind_hash,
)
from microcred.registry.credential._annex import EQF_URL_PREFIX, is_eqf_alignment
from microcred.chain._errors import ChainError

__all__ = [
    "AccreditationChecker",
    "Accepts",
    "CredentialScope",
    "TrustList",
    "TrustListError",
    "TrustedRoot",
    "credential_scope",
    "load_trust_list",
    "parse_trust_list",
]

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
TRUST_LIST_VERSION = 1
_CAIP2 = re.compile(r"^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$")
_FIELD = re.compile(r"^[0-9]{2,4}$")
#: an alignment to ISCED-F 2013 names this framework (any case; "ISCED-F", "ISCED-F 2013", "ISCED 2013-F")
_ISCED = re.compile(r"isced", re.I)


class TrustListError(InvalidInputError):
    """The trust file is missing, not JSON, or an entry is malformed; the message names the file and the entry."""


# -- the trust list -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepts:
    """What a verifier accepts from a root: kinds, highest EQF level, fields (empty: every field)."""

    kinds: tuple[str, ...]
    max_level: int
    fields: tuple[str, ...] = ()

    def problem(self, need: CredentialScope) -> str | None:
        """Why a credential needing ``need`` is outside what is accepted (``None`` when inside)."""
        if kind_hash(need.kind) not in {kind_hash(k) for k in self.kinds}:
            return f"kind {need.kind} is not among {', '.join(self.kinds)}"
        if need.level is not None and need.level > self.max_level:
            return f"level {need.level} > {self.max_level}"
        if self.fields and not any(field_covers(f, need.field) for f in self.fields):
            return f"field {need.field or '(not stated)'} not in {', '.join(self.fields)}"
        return None

    def describe(self) -> str:
        fields = f"fields {', '.join(self.fields)}" if self.fields else "all fields"
        return f"{', '.join(self.kinds)} EQF ≤ {self.max_level}, {fields}"


@dataclass(frozen=True)
class TrustedRoot:
    """One entry of a trust list: a root accreditation body the verifier trusts, and where it lives."""

    name: str
    country: str
    chain: str
    registry: str
    account: str
    accepts: Accepts

    @property
    def label(self) -> str:
        return f"{self.name} ({self.country})"


@dataclass(frozen=True)
class TrustList:
    roots: tuple[TrustedRoot, ...]
    source: str = "the trust list"

    def on_chain(self, chain: str) -> list[TrustedRoot]:
        return [r for r in self.roots if r.chain == chain]

    def countries(self) -> list[str]:
        return sorted({r.country for r in self.roots})


def load_trust_list(path: str | Path) -> TrustList:
    """Read and check a trust file; :class:`TrustListError` names the file, the entry and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrustListError(f"{path}: no such trust file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustListError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrustListError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return parse_trust_list(data, source=str(path))


_ROOT_KEYS = {"name", "country", "chain", "registry", "account", "accepts"}
_ACCEPT_KEYS = {"kinds", "maxLevel", "fields"}


def parse_trust_list(data: Any, *, source: str = "the trust list") -> TrustList:
    """Check the parsed JSON of a trust file (see ``docs/accreditation.md``)."""
    if not isinstance(data, dict):
        raise TrustListError(f"{source}: a trust list is a JSON object with \"version\" and \"roots\"")
    unknown = sorted(set(data) - {"version", "description", "roots"})
    if unknown:
        raise TrustListError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))} (expected version, "
                             "description, roots)")
    if data.get("version") != TRUST_LIST_VERSION:
        raise TrustListError(f"{source}: \"version\" must be {TRUST_LIST_VERSION}, not {data.get('version')!r}")
    entries = data.get("roots")
    if not isinstance(entries, list) or not entries:
        raise TrustListError(f"{source}: \"roots\" must be a non-empty list of trusted root bodies")
    roots = [_root(entry, f"{source}: roots[{i}]") for i, entry in enumerate(entries)]
    seen: dict[tuple[str, str, str], int] = {}
    for i, r in enumerate(roots):
        key = (r.chain, r.registry, r.account)
        if key in seen:
            raise TrustListError(f"{source}: roots[{i}] ({r.label}) names the same root account {r.account} on the "
                                 f"same chain and registry as roots[{seen[key]}]")
        seen[key] = i
    return TrustList(tuple(roots), source)


def _root(entry: Any, where: str) -> TrustedRoot:
    if not isinstance(entry, dict):
        raise TrustListError(f"{where}: each root is a JSON object, not {type(entry).__name__}")
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where} ({name!r})"

    def bad(key: str, what: str) -> TrustListError:
        value = entry.get(key)
        shown = "missing" if key not in entry else f"not {value!r}"
        return TrustListError(f"{where}: \"{key}\" must be {what} ({shown})")

    unknown = sorted(set(entry) - _ROOT_KEYS)
    if unknown:
        raise TrustListError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))} (expected "
                             f"{', '.join(sorted(_ROOT_KEYS))})")
    if not isinstance(name, str) or not name.strip():
        raise bad("name", "the body's name")
    country = entry.get("country")
    if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country):
        raise bad("country", "an ISO 3166-1 alpha-2 code like \"DE\"")
    chain = entry.get("chain")
    if not isinstance(chain, str) or not _CAIP2.match(chain):
        raise bad("chain", "a CAIP-2 chain id like \"eip155:11155111\"")
    if not chain.startswith("eip155:"):
        raise bad("chain", "an EVM chain (eip155:…)")
    for key in ("registry", "account"):
        value = entry.get(key)
        if not isinstance(value, str) or not is_address(value):
            raise bad(key, "a 0x-prefixed 20-byte address" + (" (the AccreditationRegistry)" if key == "registry"
                                                                else " (the root body's account)"))
    accepts = entry.get("accepts")
    if not isinstance(accepts, dict):
        raise bad("accepts", "an object {\"kinds\": [...], \"maxLevel\": 1-8, \"fields\": [...]}")
    unknown = sorted(set(accepts) - _ACCEPT_KEYS)
    if unknown:
        raise TrustListError(f"{where}: unknown key(s) in \"accepts\": {', '.join(map(repr, unknown))} (expected "
                             "kinds, maxLevel, fields)")
    kinds = accepts.get("kinds")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k.strip() for k in kinds):
        raise TrustListError(f"{where}: \"accepts.kinds\" must be a non-empty list of credential kinds like "
                             f"\"MicroCredential\" (not {kinds!r})")
    level = accepts.get("maxLevel")
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 8:
        raise TrustListError(f"{where}: \"accepts.maxLevel\" must be a whole number from 1 to 8 (EQF), "
                             f"not {level!r}")
    fields = accepts.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) and _FIELD.match(f) for f in fields):
        raise TrustListError(f"{where}: \"accepts.fields\" must be a list of ISCED-F 2013 codes of 2 to 4 digits "
                             f"like \"06\" or \"0613\" (empty or absent: every field), not {fields!r}")
    return TrustedRoot(name.strip(), country, chain, to_checksum_address(entry["registry"]),
                       to_checksum_address(entry["account"]), Accepts(tuple(kinds), level, tuple(fields)))


# -- what a credential needs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialScope:
    """What a credential needs its issuer to be accredited for: its kind, its EQF level (``None``: no level, as
    with ``levelNotApplicable``) and its ISCED-F field code (``None``: not stated as a code)."""

    kind: str = "MicroCredential"
    level: int | None = None
    field: str | None = None

    def describe(self) -> str:
        level = f"EQF {self.level}" if self.level is not None else "no EQF level"
        fld = f"field {self.field}" if self.field else "no ISCED-F field"
        return f"{self.kind}, {level}, {fld}"


def credential_scope(doc: Mapping[str, Any]) -> CredentialScope:
    """Kind, EQF level and field of a micro-credential (Open Badges 3.0, this project's profile).

    - kind: ``credentialSubject.achievement.achievementType`` (``MicroCredential`` when absent);
    - level: the ``targetCode`` of the achievement's alignment to the EQF (``targetFramework``
      "European Qualifications Framework" or a ``targetUrl`` under ``http://data.europa.eu/snb/eqf/``);
    - field: the ``targetCode`` of an alignment whose ``targetFramework`` names ISCED-F, else a 2-4 digit code at the
      start of ``achievement.fieldOfStudy`` (``"0613 Software and applications development"``).

    Raises :class:`InvalidInputError` when the credential has no achievement or a malformed EQF level.
    """
    subject = doc.get("credentialSubject") if isinstance(doc, Mapping) else None
    if isinstance(subject, list) and subject:
        subject = subject[0]
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    if not isinstance(achievement, Mapping):
        raise InvalidInputError("the credential has no credentialSubject.achievement")
    kind = achievement.get("achievementType") or "MicroCredential"
    if not isinstance(kind, str):
        raise InvalidInputError(f"credentialSubject.achievement.achievementType is not a name: {kind!r}")
    level: int | None = None
    fld: str | None = None
    alignments = achievement.get("alignment")
    for i, a in enumerate(alignments if isinstance(alignments, list) else []):
        if not isinstance(a, Mapping):
            continue
        framework = a.get("targetFramework")
        url = a.get("targetUrl")
        code = a.get("targetCode")
        if is_eqf_alignment(a):
            text = str(code) if code is not None else (url[len(EQF_URL_PREFIX):] if isinstance(url, str) else "")
            if not text.isdigit() or not 1 <= int(text) <= 8:
                raise InvalidInputError(f"credentialSubject.achievement.alignment[{i}]: the EQF level must be 1-8, "
                                        f"not {code!r}")
            level = int(text) if level is None else max(level, int(text))
        elif isinstance(framework, str) and _ISCED.search(framework) and isinstance(code, str) \
                and _FIELD.match(code.strip()):
            fld = fld or code.strip()
    if fld is None:
        match = re.match(r"^\s*([0-9]{2,4})(?![0-9])", str(achievement.get("fieldOfStudy") or ""))
        fld = match.group(1) if match else None
    return CredentialScope(kind, level, fld)


# -- the check ------------------------------------------------------------------------------------------------------


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _unix(value: datetime | int | float) -> int:
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp())
    return int(value)


def _date(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def _scope_problem(grant: Grant, need: CredentialScope) -> str | None:
    s = grant.scope
    if kind_hash(s.kind) != kind_hash(need.kind):
        return f"out of scope: kind {need.kind}, the grant is for {s.kind}"
    if need.level is not None and need.level > s.max_level:
        return f"out of scope: level {need.level} > {s.max_level}"
    if not field_covers(s.field, need.field):
        shown = need.field if need.field else "not stated as an ISCED-F code"
        return f"out of scope: field {shown}, the grant covers field {s.field} only"
    return None


class AccreditationChecker:
    """The ``accreditation`` check of :class:`~microcred.registry.verify._verifier.Verifier`.

    ``client_for(registry address)`` gives a read-only :class:`AccreditationClient` on the verifier's chain.
    ``chain`` (CAIP-2) is the chain those clients read; when ``None``, the chain named by each credential's status
    entry. ``extract`` reads what a credential needs (default :func:`credential_scope`). Answers are cached per
    issuer and registry for ``cache_seconds`` (measured with ``clock``), so a batch of credentials of one issuer
    costs one request.
    """

    def __init__(self, trust: TrustList, client_for: Callable[[str], AccreditationClient], *,
                 chain: str | None = None, extract: Callable[[Mapping[str, Any]], CredentialScope] = credential_scope,
                 cache_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.trust = trust
        self.client_for = client_for
        self.chain = chain
        self.extract = extract
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._cache: dict[tuple[str, str, tuple[str, ...]], tuple[float, AccreditationChains]] = {}

    def __call__(self, doc: Mapping[str, Any], *, account: str,
                 anchored_at: datetime | int | None) -> tuple[str, str]:
        if anchored_at is None:
            return SKIPPED, "the credential is not anchored, so there is no time to check the issuer's accreditation at"
        try:
            need = self.extract(doc)
        except MicrocredError as exc:
            return FAIL, f"cannot tell what the credential needs its issuer to be accredited for: {exc}"
        chain = self.chain or self._doc_chain(doc)
        roots = self.trust.on_chain(chain) if chain else []
        if not roots:
            elsewhere = sorted({r.chain for r in self.trust.roots})
            return ERROR, (f"could not check: the trust list names no root on chain {chain or '(unknown)'}; its roots "
                           f"live on {', '.join(elsewhere)}")
        account = to_checksum_address(account)
        t = _unix(anchored_at)
        by_registry: dict[str, list[TrustedRoot]] = {}
        for r in roots:
            by_registry.setdefault(r.registry, []).append(r)

        failures: list[str] = []
        untrusted_grants = 0
        network: NetworkError | None = None
        other_error: str | None = None
        for registry, trusted in by_registry.items():
            try:
                chains = self._chains(registry, account, tuple(r.account for r in trusted))
            except NetworkError as exc:
                network = exc
                continue
            except ChainError as exc:
                other_error = f"could not check in registry {registry}: {exc}"
                continue
            passed, problems = self._judge(chains, trusted, need, t)
            if passed is not None:
                return PASS, passed
            failures += problems
            if not chains.leaf_ids:
                untrusted_grants += chains.subject_grants
        if network is not None:
            raise network
        if other_error is not None:
            return ERROR, other_error
        if failures:
            shown = "; ".join(failures[:4]) + (f"; and {len(failures) - 4} more" if len(failures) > 4 else "")
            return FAIL, f"no grant covers this credential ({need.describe()}) on {_date(t)}: {shown}"
        labels = ", ".join(r.label for r in roots)
        held = (f"it holds {untrusted_grants} grant(s), none under a root this trust list names"
                if untrusted_grants else "it holds no accreditation")
        return FAIL, f"no chain to a trusted root: issuer {account} — {held} (trusted on {chain}: {labels})"

    # ----------------------------------------------------------------------------------------------------------------
    @staticmethod
    def _doc_chain(doc: Mapping[str, Any]) -> str | None:
        from microcred.registry.anchoring._anchor import status_entry

        try:
            return str(status_entry(dict(doc))["chain"])
        except MicrocredError:
            return None

    def _chains(self, registry: str, account: str, roots: tuple[str, ...]) -> AccreditationChains:
        key = (registry, account, roots)
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] <= self.cache_seconds:
            return cached[1]
        chains = self.client_for(registry).chains_of(account, list(roots))
        self._cache[key] = (now, chains)
        return chains

    def _judge(self, chains: AccreditationChains, trusted: Sequence[TrustedRoot], need: CredentialScope,
               t: int) -> tuple[str | None, list[str]]:
        """(pass detail, or None and the problem of each candidate chain)."""
        by_account = {r.account: r for r in trusted}
        problems: list[str] = []
        for leaf in chains.leaves:
            path = chains.path(leaf)  # leaf … root grant
            top = path[-1]
            root = by_account.get(top.grantor)
            if root is None:  # the registry answered a chain we did not ask for
                continue
            problem = None
            for link in path:  # the issuer's own grant first, then up towards the root
                issue = link.problem_at(t) or _scope_problem(link, need)
                if issue is not None:
                    who = f"the issuer's grant {link.id}" if link is leaf else f"grant {link.id} up the chain"
                    problem = f"{who} ({self._name(link.grantor, root)} → {_short(link.subject)}): {issue}"
                    break
            if problem is None:
                refused = root.accepts.problem(need)
                if refused is not None:
                    problem = (f"out of scope for the trust list: {root.label} is trusted for "
                               f"{root.accepts.describe()} only ({refused})")
            if problem is None:
                via = [_short(g.grantor) for g in reversed(path[:-1])]
                via_text = f" via {' → '.join(via)}" if via else ""
                return (f"accredited by {root.label}{via_text} for {leaf.scope.describe()}, {leaf.period()} "
                        f"(grant {leaf.id}, checked at {_date(t)})"), []
            problems.append(problem)
        return None, problems

    @staticmethod
    def _name(account: str, root: TrustedRoot) -> str:
        return root.label if account == root.account else _short(account)
