"""`microcred audit ISSUER --out report.html`: a self-contained report of an issuer's history for a quality agency.

Read-only: the chain is connected with ``read_only=True``, nothing is deployed or sent, and the report is the same
from any home: the registries come from the package, the home's deployment record or the options, and who the
issuer is comes first from the chain and the credentials given (see :func:`microcred.registry.audit.
identify_issuer`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import InvalidInputError

if TYPE_CHECKING:
    from microcred.chain import Chain
    from microcred.did import PublicKey, Resolver, VerificationMethod
    from microcred.registry.audit import BindingCheck, SignatureCheck


def _issuer_profile(app: AppContext, account: str) -> dict | None:
    """The issuer profile of this home whose account is ``account`` (``did``, ``legal_name``), if any."""
    from microcred.registry.issuance import IssuerStore

    store = IssuerStore(app.home)
    if not store.directory.is_dir():
        return None
    for profile in store.list():
        if profile.account and profile.account.lower() == account.lower():
            return {"did": profile.did, "legal_name": profile.legal_name}
    return None


def _key_of(resolver: Resolver, method_id: str) -> tuple[VerificationMethod, PublicKey]:
    """The public key of an assertion method of its DID (resolved as verify resolves it)."""
    from microcred.did import VerificationMethodNotFoundError

    method, document = resolver.resolve_verification_method(method_id)
    key = method.public_key()
    if key is None or method.id not in {m.id for m in document.assertion_keys()}:
        raise VerificationMethodNotFoundError(f"{method_id} is not an assertion key of its DID", did=method_id)
    return method, key


def _binding_check(app: AppContext, chain: Chain, account: str, did_registry: str | None) -> BindingCheck | None:
    """``check(did) -> bool``: is ``did`` bound to ``account`` in the DID registry (keys resolved as verify does)."""
    if did_registry is None:
        return None
    from microcred.cli._did import build_resolver
    from microcred.did import verify_binding
    from microcred.did import EthrResolver

    ethr = EthrResolver(chain.w3, did_registry, chain.chain_id)
    resolver = build_resolver(app)

    def resolve_key(method_id: str) -> PublicKey:
        return _key_of(resolver, method_id)[1]

    def check(did: str) -> bool:
        return verify_binding(ethr, account, did, None if did.startswith("did:key:") else resolve_key).bound

    return check


def _signature_check(app: AppContext) -> SignatureCheck:
    """``check(credential) -> bool``: its Data Integrity proof verifies with a key its issuer DID lists."""
    from microcred.cli._did import build_resolver
    from microcred.registry.proofs import did_key_lookup, verify_proofs

    resolver = build_resolver(app)

    def key_lookup(method_id: str) -> tuple[str, bytes, str]:
        if method_id.startswith("did:key:"):
            return did_key_lookup(method_id)
        method, key = _key_of(resolver, method_id)
        return key.key_type, key.public_key, method.controller

    def check(credential: Mapping[str, Any]) -> bool:
        issuer = credential.get("issuer")
        did = issuer.get("id") if isinstance(issuer, dict) else issuer
        result = verify_proofs(credential, key_lookup)
        return result.verified and all(str(p.verification_method or "").split("#")[0] == did
                                       for p in result.verified_proofs)

    return check


@cli.command()
@click.argument("issuer")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML report; the same data is written beside it as JSON (report.html → report.json; "
                   "any other name gets .json added).")
@click.option("--credential", "credential_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A credential of the issuer (repeatable): its issuer DID and legal name name the issuer in the "
                   "report when its proof verifies and the chain binds that DID to the account.")
@click.option("--registry", default=None, help="Address of the credential registry to read (default: the one known "
                                               "for the chain).")
@click.option("--did-registry", default=None, help="Address of the ERC-1056 DID registry (default: the known one).")
@click.option("--accreditation-registry", default=None,
              help="Address of the accreditation registry (default: the known one).")
@click.option("--explorer", default=None, help="Explorer URL for transactions, with {tx}, e.g. "
                                                "https://sepolia.etherscan.io/tx/{tx}")
@pass_app
def audit(app: AppContext, issuer: str, out: Path, credential_files: tuple[Path, ...], registry: str | None,
          did_registry: str | None, accreditation_registry: str | None, explorer: str | None) -> None:
    """Write an audit report of an issuer (0x account, did:ethr, a DID of an issuer profile here, or one of its
    credential files).

    The report names the issuer (legal name, DID, account), then the timeline (batches, status changes with
    reasons, operator changes, DID key and delegate changes, accreditation grants and withdrawals), counts and
    rates by reason and by month with charts, each claim linked to its transaction and block so anyone can
    re-check it with any RPC endpoint. Nothing is sent to the chain.

    \b
    Examples:
      microcred audit 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --out report.html
      microcred audit out/0-ada.json --out report.html --credential out/1-bob.json
    """
    from microcred.cli._history import _account_for
    from microcred.registry.audit import (
        AuditRegistries,
        AuditReport,
        bound_dids,
        count_events,
        identify_issuer,
        issuer_timeline,
    )
    from microcred.registry.credential import load_credential, status_entry

    chain = app.chain(read_only=True)
    files = list(credential_files)
    if Path(issuer).is_file():
        files.insert(0, Path(issuer))
        account = str(status_entry(load_credential(Path(issuer)))["issuerAccount"])
    else:
        account = _account_for(app, issuer)
    credentials = [load_credential(path) for path in files]
    for path, doc in zip(files, credentials, strict=True):
        entry = status_entry(doc)
        if entry["chain"] != chain.caip2:
            raise InvalidInputError(f"{path} lives on chain {entry['chain']}, not {chain.caip2}: use --network")
    from eth_utils import to_checksum_address

    account = to_checksum_address(account)
    known = dict(chain.addresses)
    if not (registry or known.get("CredentialRegistry")):
        named = sorted({str(status_entry(doc)["registry"]) for doc in credentials})
        hint = f" (the credentials name {', '.join(named)})" if named else ""
        raise InvalidInputError(f"no credential registry is known for chain {chain.caip2}: give --registry ADDRESS"
                                f"{hint}, or run `microcred deploy`")
    registries = AuditRegistries(registry or known["CredentialRegistry"],
                                 did_registry or known.get("EthereumDIDRegistry"),
                                 accreditation_registry or known.get("AccreditationRegistry"))
    timeline = issuer_timeline(chain, account, registries)
    identity = identify_issuer(
        account,
        candidates=bound_dids(timeline, account, chain.chain_id, registries.did) if registries.did else (),
        binding_check=_binding_check(app, chain, account, registries.did),
        credentials=credentials,
        signature_check=_signature_check(app) if credentials else None,
        profile=_issuer_profile(app, account),
    )
    report = AuditReport.build(account, timeline, chain.caip2, registries.credentials,
                               datetime.now(timezone.utc), explorer_tx_url=explorer, identity=identity,
                               registries=registries)
    out.write_text(report.to_html(), encoding="utf-8")
    json_path = json_beside(out)
    json_path.write_text(report.to_json(), encoding="utf-8")
    counts = count_events(timeline)
    who = " ".join(x for x in (identity.legal_name, identity.did and f"({identity.did})") if x)
    app.emit({"html": str(out), "json": str(json_path), "events": counts.total, "eventsBySource": counts.to_dict(),
              "issuer": identity.to_dict()},
             f"wrote {out} and {json_path}: {counts.describe()} of {account}{' ' + who if who else ''} "
             f"on {chain.caip2}")


def json_beside(out: Path) -> Path:
    """Where the JSON report of ``--out`` goes: beside the HTML, ``report.html`` → ``report.json``. A name without
    an HTML suffix is kept whole (``audit.issuer`` → ``audit.issuer.json``, ``r.json`` → ``r.json.json``), so two
    reports never write one JSON file and the JSON never overwrites the HTML."""
    if out.suffix.lower() in (".html", ".htm"):
        return out.with_suffix(".json")
    return out.with_name(out.name + ".json")
