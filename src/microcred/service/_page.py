"""The verification page, rendered on the server: the form, and the verdict in words (no script needed)."""

from __future__ import annotations

from html import escape
from typing import Any

from microcred.service._i18n import LANGUAGES, words

__all__ = ["render_page"]

_MARK = {"pass": "✔", "fail": "✘", "error": "?", "skipped": "–"}


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _facts(v: Any, doc: dict | None, w: dict[str, str]) -> str:
    s = v.summary or {}
    credits = s.get("credits")
    rows = [("learner", s.get("learner")), ("achievement", s.get("achievement")),
            ("credits", f"{credits:g} ECTS" if isinstance(credits, (int, float)) else None),
            ("level", s.get("level")), ("awardingBody", s.get("awardingBody")), ("country", s.get("country")),
            ("issued", str(s["issued"])[:10] if s.get("issued") else None),
            ("validUntil", str(doc["validUntil"])[:10] if isinstance(doc, dict) and doc.get("validUntil") else None)]
    items = "".join(f"<dt>{_e(w[key])}</dt><dd data-field=\"{key}\">"
                    + (_e(value) if value else f"<em>{_e(w['not-said'])}</em>") + "</dd>" for key, value in rows)
    return f'<section aria-labelledby="who-h"><h3 id="who-h">{_e(w["who"])}</h3><dl>{items}</dl></section>'


def _checks(v: Any, w: dict[str, str]) -> str:
    items = []
    for c in v.ordered_checks():
        about = w.get(f"about-{c.name}", "")
        items.append(f'<li data-check="{_e(c.name)}" data-result="{_e(c.result)}">'
                     f'<span class="mark {_e(c.result)}" aria-hidden="true">{_MARK.get(c.result, "?")}</span>'
                     f'<strong>{_e(c.name)}</strong> — <span class="outcome">{_e(w.get(c.result, c.result))}</span>'
                     f'<br><span class="about">{_e(about)}</span><br><span class="detail">{_e(c.detail)}</span></li>')
    return (f'<section aria-labelledby="checks-h"><h3 id="checks-h">{_e(w["checks"])}</h3>'
            f'<ul class="checks">{"".join(items)}</ul></section>')


def _trusted(v: Any, w: dict[str, str], network: str, trust_name: str | None) -> str:
    sources = v.sources or {}
    believed = [f"{_e(t.get('endpoint'))} ({_e(w['block'])} {_e(t['block'])})" if t.get("block") is not None
                else f"{_e(t.get('endpoint'))} ({_e(w['latest'])})" for t in sources.get("trusted") or []]
    left = [f"{_e(t.get('endpoint'))}: {_e(t.get('reason'))}" for t in sources.get("left_out") or []]
    anchor = v.result_of("anchor")
    rows = [(w["network"], _e(network)), (w["endpoints"], "<br>".join(believed) or _e(w["none"]))]
    if left:
        rows.append((w["left-out"], "<br>".join(left)))
    if anchor is not None:
        rows.append(("Registry", _e(anchor.detail)))
    rows.append((w["trust-list"], _e(trust_name) if trust_name else _e(w["no-trust-list"])))
    items = "".join(f"<dt>{_e(k)}</dt><dd>{val}</dd>" for k, val in rows)
    return f'<section aria-labelledby="trust-h"><h3 id="trust-h">{_e(w["trusted"])}</h3><dl>{items}</dl></section>'


def render_result(v: Any, doc: dict | None, lang: str, *, network: str, trust_name: str | None) -> str:
    w = words(lang)
    return (f'<h2 id="result-h">{_e(w["result"])}</h2>'
            f'<p class="verdict {_e(v.outcome)}" data-outcome="{_e(v.outcome)}">{_e(w[v.outcome])}'
            f' <span class="status">({_e(w["status"])}: {_e(v.status)})</span></p>'
            + _facts(v, doc, w) + _checks(v, w) + _trusted(v, w, network, trust_name))


def render_problem(detail: str, lang: str) -> str:
    w = words(lang)
    return (f'<h2 id="result-h">{_e(w["result"])}</h2><p class="verdict unknown" data-outcome="problem">'
            f'{_e(w["problem"])}</p><p class="detail">{_e(detail)}</p>')


def render_page(lang: str, result_html: str = "", pasted: str = "") -> str:
    w = words(lang)
    switch = "".join(
        f'<li><a href="/?lang={code}" hreflang="{code}" lang="{code}"'
        + (' aria-current="true"' if code == lang else "") + f'>{_e(name)}</a></li>'
        for code, name in LANGUAGES.items())
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{_e(w["title"])}</title>
<link rel="stylesheet" href="/static/page.css">
<script src="/static/page.js" defer></script>
</head>
<body>
<header>
<h1>{_e(w["title"])}</h1>
<nav aria-label="{_e(w["language"])}"><ul>{switch}</ul></nav>
</header>
<main>
<p>{_e(w["intro"])}</p>
<form id="verify-form" method="post" action="/" enctype="multipart/form-data"
 data-opening="{_e(w["link-opening"])}" data-damaged="{_e(w["problem"])}">
<input type="hidden" name="lang" value="{lang}">
<div class="drop">
<label for="file">{_e(w["file"])}</label><br>
<input type="file" id="file" name="file"
 accept=".json,.pdf,.png,.svg,.jwt,application/json,application/ld+json,application/pdf,image/png,image/svg+xml">
</div>
<label for="credential">{_e(w["paste"])}</label>
<textarea id="credential" name="credential" spellcheck="false">{_e(pasted)}</textarea>
<button type="submit">{_e(w["submit"])}</button>
</form>
<section id="result" aria-live="polite" aria-label="{_e(w["result"])}">{result_html}</section>
</main>
<footer><p>{_e(w["footer"])}</p></footer>
</body>
</html>
"""
