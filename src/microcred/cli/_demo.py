"""`microcred demo`: the whole life of a micro-credential, told step by step on a throw-away home."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import NotFoundError


def _examples() -> Path:
    for start in (Path.cwd(), Path(__file__).resolve()):
        for parent in [start, *start.parents]:
            candidate = parent / "examples" / "course-template.json"
            if candidate.is_file():
                return candidate.parent
    raise NotFoundError("the examples/ folder (course template and learners) was not found: run from the checkout")


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo's home directory (and its node) instead of removing it.")
@pass_app
def demo(app: AppContext, keep: bool) -> None:
    """Tell the whole story: issuer set-up, issuance, anchoring, verification, revocation, suspension, tampering.

    Runs on --network local (an anvil node it starts and stops) or --network memory (no Node needed), in a
    fresh temporary home so it never touches yours.

    \b
    Example:
      microcred demo --network memory
    """
    from microcred.cli._app import main as run

    examples = _examples()
    home = Path(tempfile.mkdtemp(prefix="microcred-demo-"))
    out = home / "credentials"
    base = ["--home", str(home), "--network", app.network]
    node_started = False

    def say(text: str) -> None:
        click.echo(click.style(f"\n▶ {text}", bold=True))

    def step(*args: str, expect: tuple[int, ...] = (0,)) -> None:
        click.echo(click.style("$ microcred " + " ".join(args), fg="cyan"))
        try:
            run(base + list(args))
        except SystemExit as exc:
            code = exc.code or 0
            if code not in expect:
                raise click.ClickException(
                    f"the demo step `microcred {' '.join(args)}` ended with code {code}") from None

    import os

    os.environ.setdefault("MICROCRED_PASSPHRASE", "demo passphrase, not a secret")
    try:
        if app.network == "local":
            say("Start a local chain (anvil); the registries are deployed on first use")
            import socket

            with socket.socket() as sock:  # a free port, so the demo never clashes with a node already running
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            step("node", "start", "--port", str(port))
            node_started = True
            step("deploy")
        say("An issuer creates its keys: an Ed25519 key for its DID, a secp256k1 key for its chain account")
        step("key", "new", "tum-signing", "--type", "ed25519")
        step("key", "new", "tum-chain", "--type", "secp256k1")
        chain = app.chain() if app.network == "memory" else None
        extra = []
        if chain is not None:
            extra = ["--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry")]
        say("It sets up its issuer profile and binds its DID to its chain account, on chain")
        step("issuer", "init", "tum", "--legal-name", "Technical University of Munich", "--country", "DE",
             "--region", "Bavaria", "--key", "tum-signing", "--account-key", "tum-chain", *extra)
        step("issuer", "bind", "tum")
        say(f"It issues one micro-credential per learner from {examples}/")
        step("issue", "--issuer", "tum", "--template", str(examples / "course-template.json"),
             "--learners", str(examples / "learners.csv"), "--out", str(out))
        files = sorted(p for p in out.glob("*.json") if not p.name.startswith("."))
        say("It anchors the batch: one Merkle root on chain, an inclusion proof added to each credential")
        step("anchor", str(out), "--issuer", "tum")
        say("A verifier anywhere checks them with nothing but the files and the chain")
        step("verify", *map(str, files))
        import time

        from microcred.chain import advance_time
        from microcred.registry.credential import load_credential

        chain_now = app.chain() if app.network == "memory" else None
        before_revocation = int(time.time()) if chain_now is None else \
            int(chain_now.w3.eth.get_block("latest")["timestamp"])
        if chain_now is not None:  # let chain time pass, as it would
            advance_time(chain_now.w3, 60)
        else:
            _advance_local(home, 60)
        say("The issuer revokes the first credential: the assessment was annulled")
        step("revoke", str(files[0]), "--issuer", "tum", "--reason", "assessment-annulled", "--yes")
        step("verify", str(files[0]), expect=(1,))
        say("It suspends the second while it investigates, then reinstates it")
        step("suspend", str(files[1]), "--issuer", "tum", "--reason", "under-investigation")
        step("verify", str(files[1]), expect=(1,))
        step("reinstate", str(files[1]), "--issuer", "tum", "--reason", "investigation-closed")
        step("verify", str(files[1]))
        say("Someone raises the grade in a copy of the third: the copy fails")
        tampered = home / "tampered.json"
        doc = load_credential(files[2])
        subject = doc.get("credentialSubject", {})
        result = subject.get("result")
        if isinstance(result, list) and result:
            result[0]["value"] = "1.0 (with distinction)"
        else:
            subject["name"] = "Mallory"
        tampered.write_text(json.dumps(doc, indent=2))
        step("verify", str(tampered), expect=(1,))
        say("As of a time before the revocation, the first credential was valid")
        step("verify", str(files[0]), "--at", str(before_revocation + 1))
        say("Its history, from the chain's events")
        step("history", str(files[0]))
        say("For people who will never install a CLI: the verification page, and a link for a QR code")
        from microcred.service import verification_link

        page = "http://127.0.0.1:8080/"
        link = verification_link(json.loads(files[1].read_text(encoding="utf-8")), page)
        click.echo(f"start the page:   microcred --network {app.network} serve --port 8080"
                   + ("   (a memory chain lives in one process: use the local network to check these files)"
                      if app.network == "memory" else ""))
        click.echo(f"then open:        {page}  (drop a credential file), or this credential's link:")
        click.echo(f"  {link[:96]}… ({len(link)} characters; the credential rides in the #fragment, never in a "
                   "server log)")
        _learner_story(step, say, home, examples, app.network)
        click.echo(click.style("\nThe end: issued, anchored, verified, revoked, suspended, reinstated, tampering "
                               "caught, and the past answered.", bold=True))
    finally:
        if node_started and not keep:
            step("node", "stop")
        if keep:
            click.echo(f"demo home kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _advance_local(home: Path, seconds: int) -> None:
    from microcred.chain import advance_time, connect

    advance_time(connect("local", home=home).w3, seconds)


def _learner_story(step: Callable[..., None], say: Callable[[str], None], home: Path, examples: Path,
                   network: str) -> None:
    """The learner's part: a DID of their own, a credential issued to it, kept in an encrypted wallet, printed as a
    PDF certificate that verifies from the credential it embeds, shared by link, presented to an employer with the
    employer's challenge, verified from the employer's empty home; a replay fails."""
    from microcred.did import Keystore
    from microcred.registry.credential import load_credential
    from microcred.wallet import wallet_id_of

    learner, employer = home / "learner", home / "employer"
    node_record = home / "node" / "node.json"
    if node_record.exists():  # their own homes; they are told which local node to ask, as a verifier gives --rpc
        for other in (learner, employer):
            (other / "node").mkdir(parents=True, exist_ok=True)
            (other / "node" / "node.json").write_text(node_record.read_text(encoding="utf-8"), encoding="utf-8")
    say("A learner creates a key of their own: its did:key is how credentials name them")
    step("--home", str(learner), "key", "new", "ada")
    did = Keystore(learner / "keys").info("ada").did
    roster = home / "ada.csv"
    roster.write_text(f"name,did,email,completion_date,grade\nAda Lovelace,{did},ada@example.org,2026-03-01,1.3\n",
                      encoding="utf-8")
    out = home / "to-ada"
    say("The issuer issues to the learner's DID (the e-mail stays as an identifier) and anchors it")
    step("issue", "--issuer", "tum", "--template", str(examples / "course-template.json"), "--learners", str(roster),
         "--out", str(out))
    step("anchor", str(out), "--issuer", "tum")
    [file] = sorted(p for p in out.glob("*.json") if not p.name.startswith("."))
    wid = wallet_id_of(load_credential(file))
    say("The learner keeps it in their wallet, encrypted with their passphrase, and checks it")
    step("--home", str(learner), "wallet", "add", str(file))
    step("--home", str(learner), "wallet", "check")
    step("--home", str(learner), "wallet", "list")
    step("--home", str(learner), "wallet", "show", wid, "--lang", "fr")
    certificate = home / "ada-certificate.pdf"
    say("The learner prints a certificate: the Annex I facts, a QR code of the verification link, and the signed "
        "credential embedded in the PDF")
    step("--home", str(learner), "pdf", wid, "--out", str(certificate))
    click.echo(f"certificate: {certificate}")
    say("Anyone who receives the PDF verifies it from the credential inside, from a home of their own")
    step("--home", str(employer), "verify", str(certificate))
    step("--home", str(learner), "wallet", "share", wid)
    vp = home / "vp.json"
    challenge, domain = "employer-challenge-7f3e", "https://hr.example"
    say(f"An employer ({domain}) asks for proof with a fresh challenge; the learner presents, signed with their key")
    step("--home", str(learner), "present", wid, "--holder", "ada", "--challenge", challenge, "--domain", domain,
         "--out", str(vp))
    say("The employer verifies the presentation from a home of its own, and a replayed copy fails")
    step("--home", str(employer), "verify", str(vp), "--challenge", challenge, "--domain", domain)
    step("--home", str(employer), "verify", str(vp), "--challenge", "another-request", "--domain", domain,
         expect=(1,))
    _wallet_receives(step, say, home, learner, examples, network)



def _wallet_receives(step: Callable[..., None], say: Callable[[str], None], home: Path, learner: Path,
                     examples: Path, network: str) -> None:
    """OpenID4VCI: the issuer offers a credential by link and QR code; the learner's wallet proves its key and
    receives it. The issuer's service answers in this process here (no TLS certificate needed for a demo)."""
    import contextlib
    import io
    import os

    from microcred.cli._app import AppContext
    from microcred.did import Keystore
    from microcred.oid4vci import collect_deferred, receive_credential
    from microcred.service import InProcessFetcher, ServiceConfig, create_app
    from microcred.wallet import Wallet

    url = "https://issuer.tum.example"
    offered = home / "offered"
    say("The issuer offers a second credential by link and QR code (OpenID4VCI, pre-authorized code)")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        step("--json", "offer", "--issuer", "tum", "--template", str(examples / "course-template.json"), "--name",
             "Ada Lovelace", "--email", "ada@example.org", "--completion-date", "2026-03-01", "--out", str(offered),
             "--url", url, "--qr", str(home / "offer.png"))
    command, _, answer = printed.getvalue().partition("\n")
    click.echo(command)
    link = json.loads(answer)["offer"]
    click.echo(f"{link[:100]}…\nQR code: {home / 'offer.png'}")
    say("The learner's wallet receives it: it proves it holds Ada's key; the credential is issued to her DID")
    click.echo(click.style("$ microcred wallet receive 'openid-credential-offer://?credential_offer=…' --holder ada",
                           fg="cyan"))
    click.echo(f"  (the issuer's service answers in this process; for real: `microcred serve --issuer tum "
               f"--public-url {url}`, and the wallet opens the link or scans the QR code)")
    passphrase = os.environ["MICROCRED_PASSPHRASE"]
    key = Keystore(learner / "keys").load("ada", passphrase)
    service = create_app(ServiceConfig(app=AppContext(home=home, network=network), issuer="tum", public_url=url))
    wallet_side = InProcessFetcher(service, url)
    got = receive_credential(link, key, wallet_side)
    assert got.pending is not None  # an offer is deferred unless --at-once: handed over once anchored
    click.echo(f"pending  {got.issuer_name} hands the credential (issued to {key.did}) over once it is anchored")
    say("The issuer anchors what it issued through offers, like any batch; the wallet asks again and receives the "
        "anchored credential")
    step("anchor", str(offered), "--issuer", "tum")
    click.echo(click.style("$ microcred wallet receive --pending", fg="cyan"))
    final = collect_deferred(got.pending, wallet_side)
    assert final.credential is not None
    for done in Wallet(learner / "wallet", passphrase).add([final.credential], source=url):
        click.echo(f"{done.action:<8} {done.entry.id}  from {final.issuer_name}, issued to {key.did}")
    step("--home", str(learner), "wallet", "check")
