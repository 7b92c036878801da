"""The audit report as ONE self-contained HTML page: inline CSS, inline SVG charts drawn here, no script,
nothing fetched; readable on screen and on paper. It only renders an :class:`~microcred.registry.audit.AuditReport`
(the model computes every figure); everything in it can be re-checked with any RPC endpoint of the chain, and the
page says how: for each kind of event, the registry whose log it is.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from eth_utils import keccak

from microcred.contracts import event_signatures, load_artifact
from microcred.registry.audit._collect import REGISTRY_CONTRACTS
from microcred.registry.audit._report import AuditReport, _iso
from microcred.registry.audit._timeline import SOURCES, TimelineEntry, iso_date

__all__ = ["render_html"]


def render_html(report: AuditReport) -> str:
    """The report as one self-contained HTML page."""
    return _Html(report).render()


def tx_href(report: AuditReport, tx_hash: str) -> str:
    """Where a transaction links: the explorer's page if the report has one, else its row in the page."""
    return report.explorer_tx_url.format(tx=tx_hash) if report.explorer_tx_url else f"#tx-{tx_hash}"


def block_href(report: AuditReport, block: int) -> str:
    """Where a block links: the explorer's page if the report has one, else the page's transaction list."""
    return report.explorer_block_url.format(block=block) if report.explorer_block_url else f"#block-{block}"


def _event_signatures(contract: str = "CredentialRegistry") -> list[str]:
    """Signatures of a registry's events, from the shipped ABI (for the "how to re-check" section)."""
    return list(event_signatures(load_artifact(contract)["abi"]).values())


#: where the issuer's account stands in the logs of each source (topic 0 is the event's signature hash)
_ISSUER_TOPIC = {
    "credentials": "the second topic (<code>issuer</code>)",
    "did": "the second topic (<code>identity</code>)",
    "accreditation": "the fourth topic (<code>subject</code>) of a grant or withdrawal, or the third "
                     "(<code>grantor</code>) when the issuer granted it; the second (<code>root</code>) of "
                     "<code>RootDeclared</code>",
}
_SOURCE_WORDS = {"credentials": "credential registry events (batches, status changes, operators)",
                 "did": "DID changes (keys, delegates, attributes such as the DID binding)",
                 "accreditation": "accreditation events (grants, withdrawals)"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _utc(ts: int | None) -> str:
    return "—" if ts is None else iso_date(ts)


def _pct(value: float | None) -> str:
    return "n/a (nothing issued)" if value is None else f"{value * 100:.2f} %"


#: a numeric column's head (right-aligned, as its cells)
_NUM = "num"


def _table(css: str, heads: Sequence[str | tuple[str, str]], rows: Iterable[str], *,
           cols: Sequence[str] | None = None) -> str:
    """A table of class ``css``: a column head per ``heads`` (HTML; ``(head, _NUM)`` for a numeric column), the
    ``rows`` (HTML ``<tr>`` elements), and with ``cols`` a column group (a class per column, ``""`` for none)."""
    group = "" if cols is None else (
        "<colgroup>" + "".join(f'<col class="{c}">' if c else "<col>" for c in cols) + "</colgroup>")
    head = "".join(f'<th scope="col" class="{h[1]}">{h[0]}</th>' if isinstance(h, tuple)
                   else f'<th scope="col">{h}</th>' for h in heads)
    return f'<table class="{css}">{group}<thead><tr>{head}</tr></thead><tbody>' + "".join(rows) + "</tbody></table>"


def _counts(revoked: int, suspended: int, reinstated: int) -> str:
    return f'<td class="num">{revoked}</td><td class="num">{suspended}</td><td class="num">{reinstated}</td>'


def _nice_axis(top: int, ticks: int = 5) -> tuple[int, int]:
    """(axis maximum, tick step) for counts up to ``top``: steps of 1, 2, 5 × 10^k."""
    step, k = 1, 0
    while step * ticks < top:
        k += 1
        step = (1, 2, 5)[k % 3] * 10 ** (k // 3)
    return max(step, -(-top // step) * step), step


_SERIES = (("issued", "Issued", "#2563eb"), ("revoked", "Revoked", "#dc2626"), ("suspended", "Suspended", "#d97706"))
_REASON_SERIES = (("revoked", "Revoked", "#dc2626"), ("suspended", "Suspended", "#d97706"),
                  ("reinstated", "Reinstated", "#16a34a"))

_CSS = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #d1d5db; --band: #f3f4f6; --accent: #1d4ed8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.lead { color: var(--muted); margin: 0 0 1rem; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86em; }
.hash { word-break: break-all; }
a { color: var(--accent); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0;
          padding: .8rem 1rem; background: var(--band); border-radius: 6px; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--band); border-bottom: 2px solid var(--line); font-size: .9em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary, table.by-month, table.by-reason { max-width: 760px; }
table.timeline, table.transactions, table.signatures { table-layout: fixed; }
table.timeline td { font-size: .88em; overflow-wrap: anywhere; }
col.c-when { width: 10.8rem; } col.c-block { width: 4.6rem; } col.c-src { width: 7.4rem; }
col.c-kind { width: 9.6rem; } col.c-tx { width: 15.5rem; } col.c-logs { width: 30%; } col.c-sig { width: 24rem; }
col.c-contract { width: 12rem; }
.origin, .empty { color: var(--muted); font-size: .9em; }
tbody tr:nth-child(even) { background: #fafafa; }
.kind { font-weight: 600; }
.k-revoked { color: #b91c1c; } .k-suspended { color: #b45309; } .k-reinstated { color: #15803d; }
.k-anchored { color: #1d4ed8; }
.src { display: inline-block; padding: 0 .4em; border-radius: 4px; background: var(--band); font-size: .85em; }
figure { margin: .5rem 0 1.2rem; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9em; }
.legend { display: flex; gap: 1.2rem; font-size: .9em; margin: .2rem 0; }
.legend span::before { content: ""; display: inline-block; width: .8em; height: .8em; margin-right: .35em;
                       vertical-align: -.05em; background: var(--c); }
pre { background: var(--band); padding: .7rem .9rem; border-radius: 6px; white-space: pre-wrap;
      word-break: break-all; font-size: .85em; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85em; border-top: 1px solid var(--line);
         padding-top: .6rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 9.5pt; max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  figure, table.summary, dl.meta { break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  tbody tr:nth-child(even) { background: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


class _Html:
    def __init__(self, report: AuditReport) -> None:
        self.r = report
        self._ids = 0

    def _id(self, stem: str) -> str:
        self._ids += 1
        return f"{stem}-{self._ids}"

    # charts ----------------------------------------------------------------------------------------------
    def month_chart(self) -> str:
        months = self.r.by_month
        if not months:
            return '<p class="empty">No credential was anchored or changed.</p>'
        left, right, top, bottom = 60, 16, 16, 70 if len(months) > 12 else 46
        bar, gap, min_pad = 16, 3, 14
        inner = len(_SERIES) * bar + (len(_SERIES) - 1) * gap
        group = max(inner + 2 * min_pad, 640 / len(months) if len(months) < 8 else 0)
        pad = (group - inner) / 2
        plot_w = len(months) * group
        plot_h = 240
        width, height = left + plot_w + right, top + plot_h + bottom
        peak = max(max(m.issued, m.revoked, m.suspended) for m in months)
        axis_max, step = _nice_axis(max(peak, 1))
        tid, did = self._id("chart-month-title"), self._id("chart-month-desc")
        y = lambda v: top + plot_h - plot_h * v / axis_max  # noqa: E731
        out = [f'<svg class="chart chart-months" role="img" aria-labelledby="{tid} {did}" width="{width}" '
               f'height="{height}" viewBox="0 0 {width} {height}" font-size="11" font-family="system-ui, sans-serif">',
               f'<title id="{tid}">Credentials issued, revoked and suspended per month (UTC)</title>',
               f'<desc id="{did}">' + _e("; ".join(
                   f"{m.month}: {m.issued} issued, {m.revoked} revoked, {m.suspended} suspended" for m in months))
               + "</desc>"]
        for v in range(0, axis_max + 1, step):  # grid and y labels
            yy = y(v)
            out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                       f'stroke="{"#9ca3af" if v == 0 else "#e5e7eb"}" stroke-width="1"/>')
            out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#374151">{v}</text>')
        out.append(f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                   f'fill="#374151">credentials</text>')
        for k, m in enumerate(months):
            x0 = left + k * group + pad
            out.append(f'<g class="month" data-month="{_e(m.month)}"><title>{_e(m.month)}: {m.issued} issued, '
                       f'{m.revoked} revoked, {m.suspended} suspended</title>')
            for j, (key, label, colour) in enumerate(_SERIES):
                value = getattr(m, key)
                x = x0 + j * (bar + gap)
                h = plot_h * value / axis_max
                if value and h < 1.5:
                    h = 1.5
                out.append(f'<rect class="bar bar-{key}" data-value="{value}" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                           f'width="{bar}" height="{h:.1f}" fill="{colour}"><title>{_e(m.month)}: {value} '
                           f'{label.lower()}</title></rect>')
                if value:
                    out.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                               f'font-size="9" fill="#374151" aria-hidden="true">{value}</text>')
            cx = x0 + inner / 2
            ly = top + plot_h + 16
            if len(months) > 12:
                out.append(f'<text transform="translate({cx:.1f} {ly}) rotate(-45)" text-anchor="end" '
                           f'fill="#374151">{_e(m.month)}</text>')
            else:
                out.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="middle" fill="#374151">{_e(m.month)}</text>')
            out.append("</g>")
        out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle" fill="#374151">'
                   "month (UTC)</text>")
        out.append("</svg>")
        return "".join(out)

    def reason_chart(self) -> str:
        rows = self.r.by_reason
        if not rows:
            return '<p class="empty">No credential was revoked, suspended or reinstated.</p>'
        left, right, top, bottom = 200, 190, 8, 36
        bar, row_h, plot_w = 18, 30, 520
        width, height = left + plot_w + right, top + len(rows) * row_h + bottom
        peak = max(r.revoked + r.suspended + r.reinstated for r in rows)
        axis_max, step = _nice_axis(max(peak, 1))
        tid, did = self._id("chart-reason-title"), self._id("chart-reason-desc")
        plot_bottom = top + len(rows) * row_h
        out = [f'<svg class="chart chart-reasons" role="img" aria-labelledby="{tid} {did}" width="{width}" '
               f'height="{height}" viewBox="0 0 {width} {height}" font-size="11" font-family="system-ui, sans-serif">',
               f'<title id="{tid}">Credentials revoked, suspended and reinstated per reason</title>',
               f'<desc id="{did}">' + _e("; ".join(
                   f"reason {r.code} {r.label}: {r.revoked} revoked, {r.suspended} suspended, "
                   f"{r.reinstated} reinstated" for r in rows)) + "</desc>"]
        for v in range(0, axis_max + 1, step):
            xx = left + plot_w * v / axis_max
            out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{plot_bottom}" '
                       f'stroke="{"#9ca3af" if v == 0 else "#e5e7eb"}" stroke-width="1"/>')
            out.append(f'<text x="{xx:.1f}" y="{plot_bottom + 14}" text-anchor="middle" fill="#374151">{v}</text>')
        out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" text-anchor="middle" fill="#374151">'
                   "credentials</text>")
        for k, r in enumerate(rows):
            y0 = top + k * row_h + (row_h - bar) / 2
            parts = [(key, label, colour, getattr(r, key)) for key, label, colour in _REASON_SERIES]
            said = ", ".join(f"{v} {label.lower()}" for _, label, _, v in parts if v)
            out.append(f'<g class="reason" data-reason="{r.code}"><title>reason {r.code} ({_e(r.label)}): '
                       f"{_e(said)}</title>")
            out.append(f'<text x="{left - 8}" y="{y0 + bar / 2 + 4:.1f}" text-anchor="end" fill="#111827">'
                       f"{r.code} · {_e(r.label)}</text>")
            x = float(left)
            for key, label, colour, value in parts:  # stacked: revoked, then suspended, then reinstated
                w = plot_w * value / axis_max
                out.append(f'<rect class="bar bar-{key}" data-value="{value}" x="{x:.1f}" y="{y0:.1f}" '
                           f'width="{w:.1f}" height="{bar}" fill="{colour}"><title>reason {r.code} '
                           f"({_e(r.label)}): {value} {label.lower()}</title></rect>")
                x += w
            out.append(f'<text x="{x + 6:.1f}" y="{y0 + bar / 2 + 4:.1f}" fill="#374151" aria-hidden="true">'
                       f"{_e(said)}</text>")
            out.append("</g>")
        out.append("</svg>")
        return "".join(out)

    @staticmethod
    def legend(series: tuple[tuple[str, str, str], ...]) -> str:
        return ('<div class="legend" aria-hidden="true">'
                + "".join(f'<span style="--c:{c}">{_e(label)}</span>' for _, label, c in series) + "</div>")

    # tables ----------------------------------------------------------------------------------------------
    def summary(self) -> str:
        r = self.r
        rows = []
        for f in r.counts:
            txs = len({e.tx_hash for e in f.evidence})
            rows.append(f'<tr data-figure="{_e(f.name)}"><th scope="row">{_e(f.label)}</th>'
                        f'<td class="num value">{f.value}</td><td class="num">{txs}</td></tr>')
        for rate in r.rates:
            rows.append(f'<tr data-figure="{_e(rate.name)}"><th scope="row">{_e(rate.label)}</th>'
                        f'<td class="num value">{_e(_pct(rate.value))}</td><td class="num">—</td></tr>')
        return _table("summary", ["Figure", ("Value", _NUM), ("Transactions behind it", _NUM)], rows)

    def month_table(self) -> str:
        rows = (f'<tr data-month="{_e(m.month)}"><td>{_e(m.month)}</td><td class="num">{m.issued}</td>'
                f"{_counts(m.revoked, m.suspended, m.reinstated)}</tr>" for m in self.r.by_month)
        return _table("by-month", ["Month (UTC)", ("Issued", _NUM), ("Revoked", _NUM), ("Suspended", _NUM),
                                   ("Reinstated", _NUM)], rows)

    def reason_table(self) -> str:
        rows = (f'<tr data-reason="{r.code}"><td class="num">{r.code}</td><td>{_e(r.label)}</td>'
                f"{_counts(r.revoked, r.suspended, r.reinstated)}</tr>" for r in self.r.by_reason)
        return _table("by-reason", [("Code", _NUM), "Reason", ("Revoked", _NUM), ("Suspended", _NUM),
                                    ("Reinstated", _NUM)], rows)

    def timeline_table(self) -> str:
        r = self.r
        rows = []
        for e in r.timeline:
            rows.append(
                f'<tr class="event" id="ev-{e.block}-{e.log_index}" data-tx="{_e(e.tx_hash)}" data-block="{e.block}">'
                f'<td class="when">{_e(_utc(e.time))}</td>'
                f'<td class="num"><a class="block" href="{_e(block_href(r, e.block))}">{e.block}</a></td>'
                f'<td><span class="src">{_e(e.source)}</span></td>'
                f'<td class="kind k-{_e(e.kind)}">{_e(e.kind)}</td>'
                f"<td>{_e(e.summary)}</td>"
                f'<td class="tx"><a class="tx" href="{_e(tx_href(r, e.tx_hash))}"><code class="hash">'
                f"{_e(e.tx_hash)}</code></a> <span class=\"mono\">log {e.log_index}</span></td></tr>")
        if not rows:
            return '<p class="empty">The timeline is empty: no change of this issuer is on the chain.</p>'
        return _table("timeline", ["Time (UTC)", ("Block", _NUM), "Source", "Event", "What happened", "Transaction"],
                      rows, cols=["c-when", "c-block", "c-src", "c-kind", "c-what", "c-tx"])

    def recheck(self) -> str:
        r = self.r
        example = r.timeline[0].tx_hash if r.timeline else "0x<transaction hash>"
        call = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": [example]},
                          separators=(",", ":"))
        block_call = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber",
                                 "params": [hex(r.timeline[0].block) if r.timeline else "0x<block>", False]},
                                separators=(",", ":"))
        topic = "0x" + "0" * 24 + r.issuer[2:].lower()
        present = [s for s in SOURCES if s == "credentials" or any(e.source == s for e in r.timeline)]
        registry_rows = []
        for source in SOURCES:
            address = r.registry_of(source)
            shown = (f'<code class="hash">{_e(address)}</code>' if address else
                     "not read (no such registry is known for this chain)")
            registry_rows.append(
                f'<tr data-source="{_e(source)}"><td>{_e(_SOURCE_WORDS[source])}</td>'
                f"<td><code>{_e(REGISTRY_CONTRACTS[source])}</code></td><td>{shown}</td>"
                f"<td>{_ISSUER_TOPIC[source]}</td></tr>")
        signatures = (
            f'<tr><td><code>{_e(REGISTRY_CONTRACTS[source])}</code></td><td><code>{_e(sig)}</code></td>'
            f'<td><code class="hash">0x{keccak(text=sig).hex()}</code></td></tr>'
            for source in present for sig in _event_signatures(REGISTRY_CONTRACTS[source]))
        seen_blocks: set[int] = set()
        txs: dict[str, list[TimelineEntry]] = {}
        for e in r.timeline:
            txs.setdefault(e.tx_hash, []).append(e)
        tx_rows = []
        for tx, items in txs.items():
            block = items[0].block
            block_id = "" if block in seen_blocks else f' id="block-{block}"'
            seen_blocks.add(block)
            what = ", ".join(f"{e.kind} (log {e.log_index})" for e in items)
            where = ", ".join(dict.fromkeys(
                f"{REGISTRY_CONTRACTS[e.source]} {r.registry_of(e.source) or '?'}" for e in items))
            tx_rows.append(f'<tr id="tx-{_e(tx)}"><td><code class="hash">{_e(tx)}</code></td>'
                           f'<td class="num"{block_id}>{block}</td><td>{_e(what)}</td>'
                           f'<td class="registry"><code class="hash">{_e(where)}</code></td></tr>')
        return (
            "<p>Every figure above is counted from the events listed in the timeline, and every event is a log of a "
            "transaction on the chain. Nothing here depends on this report's author, an explorer or the issuer's "
            f"website: with any RPC endpoint of <code>{_e(r.chain)}</code>, fetch a transaction's receipt and "
            "compare:</p>"
            f"<pre><code>curl -s -X POST -H 'Content-Type: application/json' --data '{_e(call)}' \"$RPC_URL\""
            "</code></pre>"
            "<p>The receipt must hold a log whose <code>address</code> is the registry of the event's kind below, "
            f"with the issuer <code class=\"hash\">{_e(topic)}</code> in the topic shown, and whose first topic is "
            "the event's signature hash below; its <code>blockNumber</code> and <code>logIndex</code> are those "
            "shown in the timeline. A block's time is in its header:</p>"
            + _table("registries", ["Events", "Contract", "Registry address (the log's <code>address</code>)",
                                    "The issuer is"], registry_rows) +
            f"<pre><code>curl -s -X POST -H 'Content-Type: application/json' --data '{_e(block_call)}' "
            "\"$RPC_URL\"</code></pre>"
            "<p>Each event also carries the block of the issuer's previous change, so the whole history can be "
            "walked back from each registry's record of the latest change "
            f"(<code>issuerState({_e(r.issuer)})</code> of the credential registry, <code>changed({_e(r.issuer)})"
            "</code> of the DID registry), one log query per changed block; "
            f"<code>microcred history {_e(r.issuer)}</code> does exactly that.</p>"
            "<h3>Event signatures</h3>"
            + _table("signatures", ["Contract", "Event", "First topic (keccak-256)"], signatures,
                     cols=["c-contract", "c-sig", ""])
            + "<h3>Transactions</h3>"
            + _table("transactions", ["Transaction hash", ("Block", _NUM), "Logs", "Registry"], tx_rows,
                     cols=["", "c-block", "c-logs", ""]))

    def render(self) -> str:
        r = self.r
        first = r.timeline[0] if r.timeline else None
        last = r.timeline[-1] if r.timeline else None
        span = (f"blocks {first.block} to {last.block} ({_utc(first.time)} to {_utc(last.time)})"
                if first and last else "no change on the chain")
        who = r.issuer_name or r.issuer_did or r.issuer
        title = f"Audit report — {who}"
        sources = r.identity.sources if r.identity else {}

        def said(what: str) -> str:
            origin = sources.get(what)
            return f' <span class="origin">(from the {_e(origin)})</span>' if origin else ""

        name_row = (f'<dt>Issuer (legal name)</dt><dd><span id="issuer-name">{_e(r.issuer_name)}</span>'
                    f'{said("legal_name")}</dd>' if r.issuer_name else
                    '<dt>Issuer (legal name)</dt><dd id="issuer-name" class="empty">not known: give one of the '
                    "issuer's credentials</dd>")
        did_row = (f'<dt>Issuer DID</dt><dd><code class="hash" id="issuer-did">{_e(r.issuer_did)}</code>'
                   f'{said("did")}</dd>' if r.issuer_did else
                   '<dt>Issuer DID</dt><dd id="issuer-did" class="empty">not known (no DID binding on the chain, '
                   "no credential given)</dd>")
        return "".join([
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="microcred ({_e(r.format)})">',
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
            f'<header><h1>Audit report of a credential issuer</h1><p class="lead">What the chain records about '
            f'{_e(who)}: batches anchored, status changes with their reasons, '
            "operator, key and accreditation changes.</p>",
            '<dl class="meta">', name_row, did_row,
            f'<dt>Issuer account</dt><dd><code class="hash" id="issuer">{_e(r.issuer)}</code></dd>',
            f'<dt>Chain (CAIP-2)</dt><dd><code id="chain">{_e(r.chain)}</code></dd>',
            f'<dt>Credential registry</dt><dd><code class="hash" id="registry">{_e(r.registry)}</code></dd>',
            f"<dt>Timeline</dt><dd>{_e(span)}</dd>",
            f'<dt>Generated</dt><dd><time datetime="{_e(_iso(r.generated_at))}">'
            f'{_e(_iso(r.generated_at))}</time></dd>',
            "</dl></header><main>",
            '<section id="summary"><h2>Summary</h2>',
            f'<p class="lead">As of the end of block {_e(r.last_block if r.last_block is not None else "—")}, the '
            "last change in the timeline. Counts of credentials, not of transactions.</p>",
            self.summary(), "</section>",
            '<section id="by-month"><h2>Activity by month</h2><figure>', self.legend(_SERIES), self.month_chart(),
            "<figcaption>Credentials issued (anchored), revoked and suspended per calendar month, UTC.</figcaption>"
            "</figure>", self.month_table() if r.by_month else "", "</section>",
            '<section id="by-reason"><h2>Status changes by reason</h2><figure>', self.legend(_REASON_SERIES),
            self.reason_chart(),
            "<figcaption>Credentials per reason code given on chain with the change.</figcaption></figure>",
            self.reason_table() if r.by_reason else "", "</section>",
            f'<section id="timeline"><h2>Timeline: {_e(r.events.describe())}</h2>', self.timeline_table(),
            "</section>",
            '<section id="recheck"><h2>How to re-check</h2>', self.recheck(), "</section>",
            "</main>",
            f"<footer>Generated by microcred from the chain {_e(r.chain)}; the same data, with the transaction and "
            f"block behind every figure, is available as JSON ({_e(r.format)}).</footer>",
            "</body></html>\n",
        ])
