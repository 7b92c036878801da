"""``microcred issue``: one signed micro-credential per learner, from a course template and a learner list.

The command checks the template and every learner row first (nothing is issued if any row is bad), then asks for
the passphrase of the issuer's signing key, reserves the batch's status indexes and writes one file per learner.
Run it again after an interruption: it finishes the batch with the indexes it reserved (see
:mod:`microcred.registry.issuance._batch`).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Callable

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import ConfigError
from microcred.registry.issuance import IndexAllocator, issue_batch, load_learners, load_template
from microcred.registry.issuance import CRYPTOSUITES, IssuerProfile, IssuerStore

Signer = Callable[[dict[str, Any]], dict[str, Any]]


def issuer_locked(app: AppContext, name: str, command: str) -> contextlib.AbstractContextManager[None]:
    """Hold issuer ``name``'s lock (``issue``, ``anchor``, status changes and ``bind`` take it): a second process
    says which process holds it and waits for it."""
    from microcred.registry.issuance import IssuerStore as _Store, issuer_lock

    return issuer_lock(_Store(app.home).lock_path(name), issuer=name, command=command, on_wait=app.info)


def _make_signer(app: AppContext, profile: IssuerProfile, cryptosuite: str) -> Signer:
    """The signer of ``profile``: unlocks its keystore key ``<home>/keys/<profile.key>`` (passphrase from
    $MICROCRED_PASSPHRASE or a prompt) and returns ``doc -> doc with a Data Integrity proof`` made by
    :func:`microcred.registry.proofs._pipeline.add_proof` with ``cryptosuite``, purpose ``assertionMethod`` and the
    profile's verification method. This is the only place where issuance meets the proof layer."""
    from microcred.did import Keystore

    try:
        _proofs = importlib.import_module("microcred.registry.proofs._pipeline")
    except ModuleNotFoundError as exc:
        if exc.name != "microcred.registry.proofs._pipeline":
            raise
        raise ConfigError("this installation of microcred has no Data Integrity proof module "
                          "(microcred.registry.proofs._pipeline): credentials cannot be signed") from None
    key = Keystore(app.home / "keys").load(profile.key, app.passphrase("unlock the issuer key"))
    verification_method = profile.verification_method

    def sign(doc: dict[str, Any]) -> dict[str, Any]:
        return _proofs.add_proof(doc, key, cryptosuite=cryptosuite, verification_method=verification_method,
                                 proof_purpose="assertionMethod")

    return sign


class _LazySigner:
    """Builds the real signer on first use, so a bad file or a finished batch never asks for a passphrase."""

    def __init__(self, factory: Callable[[], Signer]) -> None:
        self._factory = factory
        self._signer: Signer | None = None

    @property
    def ready(self) -> bool:
        return self._signer is not None

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        if self._signer is None:
            self._signer = self._factory()
        return self._signer(doc)


class _Progress:
    """A progress bar on stderr that appears once the key is unlocked (so it never splits the passphrase prompt)
    or when the batch turns out to be complete already."""

    def __init__(self, signer: _LazySigner, label: str) -> None:
        self._signer = signer
        self._label = label
        self._stack = contextlib.ExitStack()
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self._signer.ready and done < total:
                return
            self._bar = self._stack.enter_context(click.progressbar(
                length=total, label=self._label, file=sys.stderr, show_pos=True,
                update_min_steps=max(1, total // 200)))
        self._bar.update(done - self._shown)
        self._shown = done

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


@cli.command("issue")
@click.option("--issuer", "issuer_name", required=True, help="Issuer profile (see `microcred issuer init`).")
@click.option("--template", "template_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Course template (JSON): the course-level Annex I elements.")
@click.option("--learners", "learners_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Learner list: .csv with a header row, or .jsonl (not with --stack).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the credentials (created if needed), one <index>-<name>.json per learner.")
@click.option("--cryptosuite", type=click.Choice(CRYPTOSUITES), default=None,
              help="Data Integrity cryptosuite (default: the issuer profile's, normally eddsa-rdfc-2022).")
@click.option("--stack", "stack", is_flag=True,
              help="Issue one stacked credential from --template (a stack template, \"kind\": \"stacked\") and the "
                   "learner's COMPONENT credential files, each verified first.")
@click.option("--trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="With --stack: trust list of accreditation bodies; each component must then be accredited.")
@click.argument("components", nargs=-1, metavar="[COMPONENT]...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def issue(app: AppContext, issuer_name: str, template_path: Path, learners_path: Path | None, out_dir: Path,
          cryptosuite: str | None, stack: bool, trust: Path | None, components: tuple[Path, ...]) -> None:
    """Issue one signed micro-credential per learner into --out (or, with --stack, one stacked credential).

    Every learner row is checked first; if any is invalid, none is issued and each bad row is listed with its
    line. Running the same command again resumes an interrupted batch and never reuses a status index.

    \b
    Learner columns: name, completion_date (YYYY-MM-DD) and at least one of did, email, student_id, national_id;
    optional: start_date, grade. A CSV may be comma-, semicolon- or tab-separated (found from its header row).

    With --stack, --template is a stack template naming its component achievements, and COMPONENT... are the
    learner's credentials (one per component; JSON, badge images or PDF certificates). Each is verified (valid,
    anchored, of one learner; accredited with --trust); the stacked credential references each by id and digest
    (docs/stacking.md).

    \b
    Example:
      microcred issue --issuer tux --template examples/course-template.json \\
          --learners examples/learners.csv --out credentials/ds4r-2026
      microcred issue --issuer tux --stack --template examples/stacked-template.json \\
          ada-ds4r.json ada-fair.json --out credentials/rdm-certificate
    """
    store = IssuerStore(app.home)
    profile = store.load(issuer_name)
    if stack == (learners_path is not None):
        raise click.UsageError("give --learners (one credential per learner) or --stack with COMPONENT files, "
                               "not both")
    if components and not stack:
        raise click.UsageError(f"unexpected argument {components[0]} (component credentials go with --stack)")
    if stack and not components:
        raise click.UsageError("--stack needs the learner's component credential files (COMPONENT...)")
    with issuer_locked(app, profile.name, "issue"):
        if stack:
            _issue_stack(app, store, profile, template_path, components, out_dir, cryptosuite, trust)
        else:
            assert learners_path is not None
            _issue(app, store, profile, template_path, learners_path, out_dir, cryptosuite)


def _issue_stack(app: AppContext, store: IssuerStore, profile: IssuerProfile, template_path: Path,
                 components: tuple[Path, ...], out_dir: Path, cryptosuite: str | None, trust: Path | None) -> None:
    """Verify the components, then issue the stacked credential that references them."""
    from microcred.cli._verify import build_verifier
    from microcred.registry.credential import read_container_file
    from microcred.registry.issuance import StackError, load_stack_template, plan_stack

    profile.require_chain()
    stack = load_stack_template(template_path)
    docs = [read_container_file(p) for p in components]
    names = [str(p) for p in components]
    verdicts = build_verifier(app, trust).verify(list(zip(names, docs)))
    problems = [f"{name}: {v.outcome} (" + "; ".join(f"{c.name}: {c.detail}" for c in v.ordered_checks()
                                                     if c.result in ("fail", "error")) + ")"
                for name, v in zip(names, verdicts) if v.outcome != "valid"]
    if problems:
        raise StackError(problems)
    learner, refs = plan_stack(stack, docs, names=names)
    app.info(f"{len(docs)} components verified (valid, anchored{', accredited' if trust else ''}), all of "
             f"{learner.name or learner.did}")
    suite = cryptosuite or profile.cryptosuite
    signer = _LazySigner(lambda: _make_signer(app, profile, suite))

    def sign(doc: dict[str, Any]) -> dict[str, Any]:
        return signer({**doc, "relatedResource": refs})

    allocator = IndexAllocator(store.state_path(profile.name))
    with _Progress(signer, "issuing") as progress:
        result = issue_batch(profile, stack.course, [learner], out_dir, sign, allocator,
                             lambda: datetime.now(timezone.utc), progress=progress, source=str(template_path))
    [made] = result.credentials
    app.emit({"file": str(made.path), "id": made.id, "statusIndex": made.index, "new": made.new,
              "components": refs},
             f"issued the stacked credential {stack.course.title!r} for {learner.name}: {made.path}\n"
             f"it references {len(refs)} components by id and digest")
    app.info(f"next: microcred anchor {result.out_dir} --issuer {profile.name}")


def _issue(app: AppContext, store: IssuerStore, profile: IssuerProfile, template_path: Path, learners_path: Path,
           out_dir: Path, cryptosuite: str | None) -> None:
    profile.require_chain()
    template = load_template(template_path)
    learners = load_learners(learners_path, template=template)
    suite = cryptosuite or profile.cryptosuite
    signer = _LazySigner(lambda: _make_signer(app, profile, suite))
    allocator = IndexAllocator(store.state_path(profile.name))
    kind = ""
    if learners_path.suffix.lower() == ".csv":
        from microcred.registry.issuance import CSV_DELIMITERS, detect_delimiter

        with open(learners_path, encoding="utf-8-sig", errors="replace") as fh:
            kind = f" ({CSV_DELIMITERS[detect_delimiter(fh.readline())]}-separated)"
    app.info(f"{len(learners)} learner{'s' if len(learners) != 1 else ''} in {learners_path}{kind}: all rows valid")
    with _Progress(signer, "issuing") as progress:
        result = issue_batch(profile, template, learners, out_dir, signer, allocator,
                             lambda: datetime.now(timezone.utc), progress=progress, source=str(learners_path))
    if app.json_output:
        for c in result.credentials:
            app.emit({"file": str(c.path), "id": c.id, "statusIndex": c.index, "line": c.line, "new": c.new})
    else:
        click.echo(f"issued {result.issued_now} credential{'s' if result.issued_now != 1 else ''}"
                   + (f" ({result.already_present} already present)" if result.already_present else "")
                   + f" for {len(result.credentials)} learners of {template.title!r}")
        click.echo(f"status indexes {result.indexes} on {profile.chain}, registry {profile.registry}")
        click.echo(f"files in {result.out_dir}")
    app.info(f"next: microcred anchor {result.out_dir} --issuer {profile.name}")
