"""The page in Debian's headless Chromium, driven by Playwright (``executable_path``; nothing downloaded): the
verdicts of a valid, a revoked and a tampered credential, the language switch, keyboard-only upload, a verification
link. Screenshots of each verdict are written to docs/img/."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.support.browser import chromium
from tests.support.chain import free_port

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def served(issued):
    """The service on a loopback port, in a thread of this process (it shares the memory chain)."""
    import uvicorn

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app

    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory")))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), access_log=False,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # until it listens (bounded)
        if server.started:
            break
        thread.join(0.05)
    assert server.started, "the service did not start"
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 1400})
        page = context.new_page()
        yield page
        browser.close()


def upload(page, base: str, path: Path, shot: str | None = None) -> str:
    page.goto(base + "/?lang=en")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Verify").click()
    outcome = page.locator("#result [data-outcome]")
    outcome.wait_for()
    if shot:
        page.screenshot(path=str(IMG / shot), full_page=True)
    return outcome.get_attribute("data-outcome")


def test_the_three_verdicts_as_rendered(served, page, issued, tmp_path):
    IMG.mkdir(parents=True, exist_ok=True)
    for kind in ("valid", "revoked", "tampered"):
        (tmp_path / f"{kind}.json").write_text(json.dumps(issued[kind]))
    assert upload(page, served, tmp_path / "valid.json", "verdict-valid.png") == "valid"
    assert page.locator("#result .verdict").inner_text().startswith("Valid")
    assert page.locator('[data-field="awardingBody"]').inner_text() == "Université Exemple"
    assert upload(page, served, tmp_path / "revoked.json", "verdict-revoked.png") == "invalid"
    assert page.locator('[data-check="status"]').get_attribute("data-result") == "fail"
    assert "revoked" in page.locator("#result .verdict").inner_text()
    assert upload(page, served, tmp_path / "tampered.json", "verdict-tampered.png") == "invalid"
    assert page.locator('[data-check="signature"]').get_attribute("data-result") == "fail"
    for name in ("verdict-valid.png", "verdict-revoked.png", "verdict-tampered.png"):
        assert (IMG / name).stat().st_size > 10_000


def test_switching_language(served, page):
    page.goto(served + "/")
    assert page.locator("h1").inner_text() == "Verify a micro-credential"
    page.get_by_role("link", name="Français").click()
    assert page.locator("h1").inner_text() == "Vérifier une micro-certification"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="Deutsch").click()
    assert page.locator("button[type=submit]").inner_text() == "Prüfen"


def test_keyboard_only_upload(served, page, issued, tmp_path):
    path = tmp_path / "ada.json"
    path.write_text(json.dumps(issued["valid"]))
    page.goto(served + "/?lang=en")
    for _ in range(10):  # Tab through the links until the file input has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "file":
            break
    assert page.evaluate("document.activeElement.id") == "file"
    for attempt in range(3):  # a busy machine can drop the first key press; a page without keyboard upload fails all
        try:
            with page.expect_file_chooser(timeout=15000) as chooser:
                page.keyboard.press("Space")
            break
        except Exception:
            if attempt == 2:
                raise
            page.focus("#file")
    chooser.value.set_files(str(path))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "credential"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#result [data-outcome]").wait_for()
    assert page.locator("#result [data-outcome]").get_attribute("data-outcome") == "valid"


def test_a_verification_link_is_checked_by_the_page(served, page, issued):
    from microcred.service import verification_link

    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(verification_link(issued["valid"], served + "/?lang=en"))
    page.locator("#result [data-outcome]").wait_for()
    assert page.locator("#result [data-outcome]").get_attribute("data-outcome") == "valid"
    page.screenshot(path=str(IMG / "verdict-link.png"), full_page=True)
    assert "#" not in page.url and all("vc=" not in url for url in seen)  # the fragment never left the browser
    assert all(url.startswith(served) for url in seen)  # nothing from another origin
