"""``microcred import FILE --from elm``, and :func:`export_elm` for ``microcred export --format elm``.

Both directions are thin: the work is in :mod:`microcred.registry.europass`. Importing issues a new credential
under the issuer's DID with the issuance library (as ``microcred issue`` does, same signer, same index allocator,
same crash safety); a sealed EDC is imported only when its seal's signature holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import InvalidInputError, MicrocredError

__all__ = ["SealBrokenError", "export_elm", "import_elm"]


class SealBrokenError(MicrocredError):
    """The EDC's seal does not hold: its content was changed after sealing, so it is not imported."""

    exit_code = 1


def export_elm(app: AppContext, source: Path, out: Path, *, legal_identifier: tuple[str, str] | None = None) -> None:
    """Write the European Digital Credential (ELM v3 JSON-LD) of the microcred credential ``source`` to ``out``.

    For ``microcred export FILE --format elm --out OUT.jsonld``. ``legal_identifier`` is the awarding body's eIDAS
    legal identifier ``(notation, country)``, which a microcred issuer profile does not hold.
    """
    from microcred._files import write_json_atomic
    from microcred.registry.credential import load_credential
    from microcred.registry.europass import to_edc

    edc = to_edc(load_credential(source), legal_identifier=legal_identifier)
    write_json_atomic(out, edc)
    app.emit({"file": str(out), "id": edc["id"], "format": "elm"},
             f"wrote {out} (European Digital Credential, ELM v3; unsealed: an EDC seal needs a qualified "
             "certificate)")


def _supplement(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path}: a supplement is a JSON object with course template keys")
    return data


def import_elm(app: AppContext, source: Path, issuer_name: str, out_dir: Path, *, supplement: Path | None = None,
               cryptosuite: str | None = None) -> None:
    """What ``microcred import FILE --from elm`` does (see its help)."""
    from microcred.cli._issue import _LazySigner, _make_signer
    from microcred.registry.europass import import_edc, load_edc, read_edc, verify_seal
    from microcred.registry.issuance import IndexAllocator, IssuerStore

    edc, seal = load_edc(source)
    seal_report = None
    summary = None
    if seal is not None:
        seal_report = verify_seal(seal)
        if not seal_report.valid:
            raise SealBrokenError(f"{source}: the seal does not hold ({seal_report.detail}); not imported")
        summary = (f"its JAdES seal by {seal_report.signer} was verified on import "
                   f"(certificate not checked against the EU trusted lists)")
    reading = read_edc(edc, supplement=_supplement(supplement), source=str(source), seal_summary=summary)
    store = IssuerStore(app.home)
    profile = store.load(issuer_name)
    profile.require_chain()
    suite = cryptosuite or profile.cryptosuite
    signer = _LazySigner(lambda: _make_signer(app, profile, suite))
    allocator = IndexAllocator(store.state_path(profile.name))
    result = import_edc(reading, profile, out_dir, signer, allocator)
    issued = result.credentials[0]
    unmapped = [{"path": u.path, "reason": u.reason} for u in reading.unmapped]
    record: dict[str, Any] = {"file": str(issued.path), "id": issued.id, "statusIndex": issued.index,
                              "new": issued.new, "source": reading.edc_id, "unmapped": unmapped,
                              "notes": list(reading.notes)}
    if seal_report is not None:
        record["seal"] = seal_report.as_dict()
    lines = [f"{'imported' if issued.new else 'already imported'} {reading.edc_id} as {issued.id}",
             f"file {issued.path} (status index {issued.index}, issuer {profile.name}, {profile.did})"]
    if seal_report is not None:
        lines.append(f"seal: {seal_report.detail}; {seal_report.trust}")
    for note in reading.notes:
        lines.append(f"note: {note}")
    if unmapped:
        lines.append(f"{len(unmapped)} part(s) of the EDC have no place in the OB 3.0 credential and were not "
                     "imported:")
        lines += [f"  {u['path']}: {u['reason']}" for u in unmapped]
    app.emit(record, "\n".join(lines))
    app.info(f"next: microcred anchor {out_dir} --issuer {profile.name}")


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "source_format", type=click.Choice(["elm"]), required=True,
              help="Format of FILE: elm (European Digital Credential, ELM v3 JSON-LD, unsigned or JAdES-sealed).")
@click.option("--issuer", "issuer_name", required=True, help="Issuer profile that issues the imported credential.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the issued credential (created if needed).")
@click.option("--supplement", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON object with course template keys for Annex I elements the EDC lacks (never overrides it).")
@click.option("--cryptosuite", default=None, help="Data Integrity cryptosuite (default: the issuer profile's).")
@pass_app
def import_command(app: AppContext, source: Path, source_format: str, issuer_name: str, out_dir: Path,
                   supplement: Path | None, cryptosuite: str | None) -> None:
    """Issue the OB 3.0 micro-credential equivalent to a European Digital Credential.

    Every Annex I element of the EDC is mapped; a mandatory one it lacks is an error naming it, unless
    --supplement gives it. What has no place in the OB 3.0 credential is listed, never dropped silently. A sealed
    EDC is imported only if its seal's signature holds (the certificate is not checked against the EU trusted
    lists: that needs the network).

    \b
    Example:
      microcred import edc.jsonld --from elm --issuer tux --out imported/ --supplement qa.json
    """
    import_elm(app, source, issuer_name, out_dir, supplement=supplement, cryptosuite=cryptosuite)
