"""`microcred verify FILE... [--at TIME] [--trust FILE] [--quorum N] [--json]`.

The command builds a :class:`~microcred.registry.verify.Verifier` from the configuration (DID resolver, one
read-only endpoint per ``--rpc``, the registries to trust, the trust list), calls it, and prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from microcred.registry.ledger import RegistryClient, registry_client
from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import MicrocredError

if TYPE_CHECKING:
    from microcred.did import DIDResolutionResult, Resolver
    from microcred.registry.verify import Verification, Verifier


def _resolver(endpoints: Callable[[], list[Any]]) -> Resolver:
    """The DID resolver: did:key and did:web built in; did:ethr read from the first usable endpoint."""
    from microcred.cli._common import ethr_resolver_of
    from microcred.did import Resolver

    resolver = Resolver()
    cache: dict[str, Any] = {}

    def ethr(did: str, at: datetime | None = None) -> DIDResolutionResult:
        if "ethr" not in cache:
            usable = [e for e in endpoints() if e.chain is not None and ethr_resolver_of(e.chain) is not None]
            if not usable:
                from microcred.did import DIDNetworkError

                raise DIDNetworkError(f"cannot resolve {did}: no usable chain endpoint with a DID registry")
            cache["ethr"] = ethr_resolver_of(usable[0].chain)
        return cache["ethr"](did, at)

    resolver.register("ethr", ethr)
    return resolver


def build_verifier(app: AppContext, trust: Path | None = None, *, quorum: int | None = None,
                   registries: tuple[str, ...] = (), require: tuple[str, ...] | None = None,
                   status_lists: tuple[Path, ...] = (), components: tuple[dict, ...] = ()) -> Verifier:
    """The verifier of the command line, built from ``app`` (nothing connects until a credential needs a chain).

    The credential registries it believes are the verifier's own: those given with ``--registry``, those recorded
    in its home, those shipped for public networks, and the deterministic addresses where code is there — never
    one a credential names on its own."""
    from microcred.chain import ANY_CHAIN, TrustedRegistries, block_header
    from microcred.cli._common import connect_endpoints, ethr_resolver_of
    from microcred.registry.verify import Endpoint, RegistryLedger, Verifier, binding_on, default_checks

    believed = TrustedRegistries.for_home(app.home, {ANY_CHAIN: {"CredentialRegistry": list(registries)}}
                                          if registries else None)

    trust_list = None
    if trust is not None:
        from microcred.registry.accreditation import load_trust_list

        trust_list = load_trust_list(trust)
    connected: list[Any] = []

    def endpoints_connected() -> list[Any]:
        if not connected:
            connected.extend(connect_endpoints(app))
        return connected

    def as_endpoint(c: Any) -> Endpoint:
        if c.chain is None and c.caip2:  # it serves the chain but lacks the registry: every read says so
            return Endpoint(c.name, c.caip2, ledger=_NoRegistry(str(c.problem)))
        if c.chain is None:
            return Endpoint(c.name, None, problem=c.problem)
        chain = c.chain
        ethr = ethr_resolver_of(chain)
        binding = binding_on(ethr) if ethr is not None else None
        accreditation = None
        if trust_list is not None:
            from microcred.registry.accreditation import AccreditationChecker, AccreditationClient

            def accreditation_at(address: str) -> AccreditationClient:
                return AccreditationClient(chain.w3, address, endpoint=chain.endpoint)

            accreditation = AccreditationChecker(trust_list, accreditation_at, chain=chain.caip2)

        def registry_at(address: str) -> RegistryClient:
            return registry_client(chain, address=address)

        def block_info(number: int) -> tuple[str, int]:
            return block_header(chain.w3, number, endpoint=chain.endpoint)

        alone = len(endpoints_connected()) == 1 and chain.name != "memory"  # eth-tester has no eth_getProof
        return Endpoint(c.name, chain.caip2, ledger=RegistryLedger(registry_at, pin_block=True, prove=alone),
                        binding=binding, accreditation=accreditation, block_info=block_info)

    def endpoints() -> list[Endpoint]:
        return [as_endpoint(c) for c in endpoints_connected()]

    def trusted(caip2: str) -> set[str]:
        # what the verifier believes, known before asking the chain (no request); a believed address without a
        # contract behind it cannot answer, and its credentials are "could not check"
        namespace, _, reference = caip2.partition(":")
        if namespace != "eip155" or not reference.isdigit():
            return set()
        return set(believed.sources(int(reference), "CredentialRegistry"))

    from microcred.registry.credential import read_container_file
    from microcred.registry.status import StatusLists

    lists = StatusLists([read_container_file(p) for p in status_lists])
    checks = default_checks(resolver=_resolver(endpoints_connected), trusted_registries=trusted,
                            accreditation=trust_list is not None, status_lists=lists, components=components)
    return Verifier(checks, endpoints=endpoints, quorum=quorum, require=require)


class _NoRegistry:
    """The ledger of an endpoint that answers but has no registry where this home expects one."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def read(self, registry: str, account: str, roots: Sequence[str], indexes: Sequence[int], *,
             at: datetime | None, block: int | None = None) -> NoReturn:
        from microcred.chain import NoContractError

        raise NoContractError(self.problem)


_MARK = {"pass": "✔", "fail": "✘", "error": "?", "skipped": "–"}
_HEAD = {"valid": "VALID", "invalid": "INVALID", "unknown": "COULD NOT CHECK"}


def _summary_line(summary: dict | None) -> list[str]:
    if not summary:
        return []
    s = summary
    what = s.get("achievement") or "(no achievement named)"
    facts = [f"{s['credits']:g} ECTS" if isinstance(s.get("credits"), (int, float)) else None, s.get("level")]
    facts_text = ", ".join(f for f in facts if f)
    body = s.get("awardingBody") or "(no awarding body named)"
    if s.get("country"):
        body += f" ({s['country']})"
    lines = [f"  {s.get('learner') or '(learner not named)'}: {what}" + (f" — {facts_text}" if facts_text else ""),
             f"  awarded by {body}" + (f" on {str(s['issued'])[:10]}" if s.get("issued") else "")]
    return lines


def _sources_line(sources: dict | None) -> list[str]:
    if not sources:
        return []
    trusted = sources.get("trusted") or []
    out = []
    if len(trusted) == 1:
        t = trusted[0]
        block = f"block {t['block']}" if t.get("block") is not None else "its latest block"
        how = "" if t.get("assurance") in (None, "trusted") else f", its answers checked by {t['assurance']}"
        out.append(f"  one source trusted: {t['endpoint']} at {block}{how} (give several --rpc to cross-check)")
    elif trusted:
        out.append(f"  {len(trusted)} endpoints agreed: " + ", ".join(
            f"{t['endpoint']} (block {t['block']})" for t in trusted))
    for left in sources.get("left_out") or []:
        out.append(f"  left out: {left['endpoint']}: {left['reason']}")
    return out


def render(v: Verification) -> str:
    data = v.as_json()
    lines = [f"{data['file'] or data['id']}: {_HEAD[v.outcome]} (status: {data['status']})"]
    lines += _summary_line(v.summary)
    for check in data["checks"]:
        lines.append(f"  {_MARK[check['result']]} {check['name']:<13} {check['detail']}")
    lines.append("  levels: " + ", ".join(f"{name} {level['result']}" + ("" if level["required"] else " (not required)")
                                          for name, level in v.levels.items()))
    lines += _sources_line(v.sources)
    return "\n".join(lines)


def _components(app: AppContext, files: tuple[Path, ...], docs: list[Any]) -> tuple[dict, ...]:
    """The credentials a stacked credential's components are looked for among: the --component files, and the
    wallet's credentials when one of ``docs`` is stacked and the home has a wallet that opens."""
    from microcred.registry.credential import read_container_file
    from microcred.registry.issuance import component_references

    found = [read_container_file(p) for p in files]
    if any(isinstance(d, dict) and component_references(d) for d in docs):
        from microcred.cli._wallet import open_wallet
        from microcred.wallet import Wallet

        if Wallet.exists_in(app.home / "wallet"):
            try:
                found += [dict(e.credential) for e in open_wallet(app).entries()]
            except MicrocredError as exc:
                app.info(f"the wallet was not read for components ({exc})")
    return tuple(found)


def _unreadable(path: Path, exc: MicrocredError) -> Verification:
    from microcred.registry.verify import Verification

    bad = Verification(file=str(path), id=None)
    bad.add("format", "fail", str(exc))
    return bad


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--at", "at", default=None, metavar="TIME|block:N",
              help="Answer every check as of this time (ISO 8601 or unix seconds), or as of block N of the "
                   "endpoints' chain (block:N: the chain is read at that block, the time is its time).")
@click.option("--trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Trust list of accreditation bodies (adds the accreditation check).")
@click.option("--quorum", type=int, default=None,
              help="How many --rpc endpoints must answer, all alike (default: 2 where 2 or more are given).")
@click.option("--registry", "registries", multiple=True, metavar="ADDRESS",
              help="Also believe this credential registry (repeatable); by default only the shipped, recorded "
                   "and deterministic ones.")
@click.option("--require", "require", default=None, metavar="LEVELS",
              help="Levels that must hold besides the credential's own: microcredential, anchored (comma-separated; "
                   "default: both for microcred's registry entries, none for other badges; '' for none).")
@click.option("--status-list", "status_lists", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A Bitstring Status List credential to read offline instead of fetching it (repeatable).")
@click.option("--component", "component_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="For a stacked credential: a component credential file (repeatable; the wallet's credentials are "
                   "looked at too). Without its components, the components check could not be made.")
@click.option("--challenge", default=None, help="For a presentation: the challenge you gave the holder (required).")
@click.option("--domain", default=None, help="For a presentation: your domain, which its proof must name.")
@pass_app
def verify(app: AppContext, files: tuple[Path, ...], at: str | None, trust: Path | None,
           quorum: int | None, registries: tuple[str, ...], require: str | None,
           status_lists: tuple[Path, ...], component_files: tuple[Path, ...], challenge: str | None,
           domain: str | None) -> None:
    """Verify credential files: format, signature, issuer, anchor, status, validity (and accreditation).

    Reads JSON, baked PNG/SVG badges, PDF certificates (`microcred pdf`) and compact JWS (VC-JWT). The verdict has
    levels: the credential
    (signature, issuer's key, dates, status), the EU micro-credential profile (format) and the anchor in a trusted
    registry; --require makes the last two mandatory (the default for microcred's own registry entries).

    Each check passes, fails, or could not be checked (an unreachable RPC is never "invalid"); the checks that
    need no chain always run. With several --rpc, each endpoint is asked and they must agree. Exit code 0 when
    all are valid, 1 when something is invalid, 2 when something could not be checked.

    A Verifiable Presentation (from `microcred present`) is checked with --challenge and --domain: the holder's
    proof, the challenge and domain it binds, that each credential is the holder's, and each credential as above.

    A stacked credential (`issue --stack`) adds the components check: each component it references (given with
    --component, or in the wallet) unchanged, valid and of the same learner; without them it could not be checked.

    \b
    Example:
      microcred verify out/*.json
      microcred --json verify ada.json --at 2026-06-01T00:00:00Z --trust trust.json
      microcred verify ada.json --at block:1234
      microcred verify ada.json --rpc https://a.example --rpc https://b.example --rpc https://c.example --quorum 2
      microcred verify vp.json --challenge 8f3a --domain https://hr.example
      microcred verify rdm-certificate.json --component ds4r.json --component law.json
    """
    from microcred.cli._common import credential_files
    from microcred.registry.credential import read_container_file
    from microcred.registry.verify import parse_moment, require_quorum, required_levels

    when, block = parse_moment(at)
    levels = None if require is None else required_levels(require.split(","))
    require_quorum(quorum, len(app.rpc_urls))
    slots: list[Any] = []
    items = []
    from microcred.registry.europass import is_sealed_edc, sealed_edc_verification
    from microcred.registry.presentation import is_presentation

    presentations = []
    for path in credential_files([str(f) for f in files]):
        try:
            doc = read_container_file(path)
            if is_presentation(doc):
                presentations.append((path, doc))
                continue
            if is_sealed_edc(doc):  # a sealed European Digital Credential: its JAdES seal is its signature
                slots.append(sealed_edc_verification(doc, file=str(path), require=tuple(levels or ())))
                continue
            items.append((str(path), doc))
            slots.append(None)
        except MicrocredError as exc:
            slots.append(_unreadable(path, exc))
    if presentations and not challenge:
        raise click.UsageError(f"{presentations[0][0]} is a presentation: give --challenge (the one you gave its "
                               "holder) and --domain, so a replayed presentation cannot pass")
    components = _components(app, component_files, [doc for _, doc in items])
    verifier = build_verifier(app, trust, quorum=quorum, registries=registries, require=levels,
                              status_lists=status_lists, components=components) if items or presentations else None
    if block is not None and verifier is not None:
        when = verifier.time_of_block(block)  # a quorum of the endpoints agrees on the block, or could not check
    verified = iter(verifier.verify(items, at=when, block=block) if items and verifier is not None else [])
    results = [slot if slot is not None else next(verified) for slot in slots]
    for v in results:
        app.emit(v.as_record(), render(v))
    outcomes = _presentations(app, verifier, presentations, challenge or "", domain, when)
    results += [v for p in outcomes for v in p.credentials]
    counts = {k: sum(1 for v in results if v.outcome == k) for k in ("valid", "invalid", "unknown")}
    if len(results) > 1:  # for people; with --json on stderr, so stdout stays one object per credential
        line = (f"{len(results)} credentials: {counts['valid']} valid, {counts['invalid']} invalid, "
                f"{counts['unknown']} could not check")
        app.info(line) if app.json_output else click.echo(line)
    for p in outcomes:  # a presentation's own verdict decides too
        counts[p.outcome] += 1
    code = 1 if counts["invalid"] else 2 if counts["unknown"] else 0
    raise SystemExit(code)


def _presentations(app: AppContext, verifier: Any, presentations: list[tuple[Path, Any]], challenge: str,
                   domain: str | None, when: Any) -> list[Any]:
    """Verify each presentation; print its credentials as `verify` does (each --json line with a ``presentation``
    object added), then the presentation's own checks."""
    from microcred.registry.presentation import verify_presentation

    out = []
    for path, doc in presentations:
        p = verify_presentation(doc, verifier=verifier, challenge=challenge, domain=domain, file=str(path), at=when)
        out.append(p)
        record = p.as_json()
        for v in p.credentials:
            app.emit({**v.as_record(), "presentation": record}, render(v))
        if not p.credentials:
            app.emit({"file": str(path), "id": None, "valid": False, "status": "unknown", "checks": [],
                      "presentation": record})
        if not app.json_output:
            click.echo(render_presentation(p))
    return out


def render_presentation(p: Any) -> str:
    """The presentation's own verdict, for people."""
    reasons = f" ({', '.join(p.reasons)})" if p.reasons else ""
    lines = [f"{p.file or p.id}: presentation by {p.holder or '(no holder)'}: {_HEAD[p.outcome]}{reasons}"]
    for check in p.checks:
        lines.append(f"  {_MARK[check.result]} {check.name:<13} {check.detail}")
    return "\n".join(lines)
