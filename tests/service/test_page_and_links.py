"""The page without script (a plain form POST), its languages, and verification links."""

from __future__ import annotations

import json
import re

import pytest

from microcred.errors import InvalidInputError
from microcred.service import choose_language, credential_from_link, verification_link


def verdict(html: str) -> str:
    return re.search(r'data-outcome="([a-z]+)"', html).group(1)


def marks(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-check="([a-z]+)" data-result="([a-z]+)"', html))


def test_the_form_post_renders_each_verdict_in_words(service, issued):
    data = json.dumps(issued["valid"]).encode()
    html = service.post("/", files={"file": ("ada.json", data, "application/json")}, data={"lang": "en"}).text
    assert verdict(html) == "valid" and set(marks(html).values()) <= {"pass", "skipped"}
    assert "Université Exemple" in html and 'data-field="country">FR<' in html
    assert "The issuer&#x27;s key signed exactly this content." in html
    assert "What was trusted" in html and 'aria-live="polite"' in html
    html = service.post("/", data={"credential": json.dumps(issued["revoked"]), "lang": "en"}).text
    assert verdict(html) == "invalid" and marks(html)["status"] == "fail" and "(Status: revoked)" in html
    html = service.post("/", data={"credential": json.dumps(issued["tampered"]), "lang": "en"}).text
    assert verdict(html) == "invalid" and marks(html)["signature"] == "fail"


def test_page_problems_are_rendered_not_thrown(service):
    r = service.post("/", data={"credential": "{not json", "lang": "de"})
    assert r.status_code == 422 and 'data-outcome="problem"' in r.text and "Prüfung nicht möglich" in r.text
    r = service.post("/", data={"credential": "", "lang": "fr"})
    assert r.status_code == 400 and "Choisissez d&#x27;abord" in r.text
    r = service.post("/", files={"file": ("b.png", b"\x89PNG\r\n", "image/png")}, data={"lang": "en"})
    assert r.status_code == 422 and 'data-outcome="problem"' in r.text  # read, and found to hold no credential
    r = service.post("/", files={"file": ("p.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")}, data={"lang": "en"})
    assert r.status_code == 415 and "a JPEG image" in r.text


def test_language_from_accept_language_and_the_switch(service):
    assert 'lang="fr"' in service.get("/", headers={"accept-language": "fr-CH, fr;q=0.9, en;q=0.8"}).text
    assert 'lang="de"' in service.get("/", headers={"accept-language": "it, de;q=0.5"}).text
    assert '<html lang="en"' in service.get("/", headers={"accept-language": "it"}).text
    page = service.get("/?lang=de", headers={"accept-language": "fr"}).text
    assert '<html lang="de"' in page and "Einen Microcredential prüfen" in page
    assert choose_language(None, "en;q=0.1, fr;q=0.9") == "fr"
    assert choose_language("xx", "de;q=0") == "en"


def test_the_page_loads_nothing_from_another_origin(service):
    page = service.get("/").text
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []
    assert "<script>" not in page and "style=" not in page  # no inline code: the CSP forbids it
    for label in ('for="file"', 'for="credential"', "<main>", "<header>", "<nav aria-label="):
        assert label in page
    assert service.get("/static/page.js").headers["content-type"].startswith("text/javascript")


def test_a_link_round_trips_and_keeps_the_credential_in_the_fragment(issued):
    link = verification_link(issued["valid"], "https://verify.example/")
    assert link.startswith("https://verify.example/#vc=") and "?" not in link
    assert credential_from_link(link) == issued["valid"]
    assert len(link) < len(json.dumps(issued["valid"]))


@pytest.mark.parametrize("link, reason", [
    ("https://v.example/#x=1", "no 'vc=' part"),
    ("https://v.example/#vc=!!!", "not base64url"),
    ("https://v.example/#vc=____", "does not decompress"),
])
def test_a_damaged_link_says_what_is_wrong(link, reason):
    with pytest.raises(InvalidInputError, match=reason):
        credential_from_link(link)


def test_a_link_cut_short_or_a_bomb_is_refused(issued):
    import base64
    import zlib

    link = verification_link(issued["valid"], "https://v.example")
    with pytest.raises(InvalidInputError, match="cut short"):
        data = link.split("#vc=", 1)[1]
        credential_from_link("#vc=" + data[:len(data) // 8 * 4])
    packer = zlib.compressobj(9, wbits=-15)
    bomb = packer.compress(b" " * (3 * 1024 * 1024)) + packer.flush()
    with pytest.raises(InvalidInputError, match="more than"):
        credential_from_link("#vc=" + base64.urlsafe_b64encode(bomb).decode().rstrip("="))
