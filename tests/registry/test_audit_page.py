"""The audit report as a browser shows it: Debian's headless Chromium renders the generated HTML file.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``): without it these tests FAIL, they do not skip.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from microcred.registry import connect
from tests.support import browser
from tests.support.audit import build_report, run_scenario


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory):
    """The report of the three-month scenario on the in-process chain, written to a file."""
    from eth_account import Account

    chain = connect("memory")
    account = Account.create()
    chain.fund(account.address)
    report = build_report(chain, run_scenario(chain, account))
    path = tmp_path_factory.mktemp("audit-page") / "audit.html"
    path.write_text(report.to_html(), encoding="utf-8")
    return report, path


@pytest.fixture(scope="module")
def rendered(report_file):
    report, path = report_file
    return report, browser.parse_html(browser.dump_dom(path))


def test_rendered_summary_has_the_figures(rendered):
    report, dom = rendered
    assert report.issuer in dom.find("code", id="issuer").text()
    assert dom.find("code", id="chain").text() == report.chain
    assert dom.find("code", id="registry").text() == report.registry
    shown = {row.attrs["data-figure"]: row.find("td", cls="value").text()
             for row in dom.find("table", cls="summary").find_all("tr", data_figure=True)}
    assert shown["credentials_issued"] == "35" and shown["batches"] == "3"
    assert shown["currently_revoked"] == "4" and shown["currently_suspended"] == "2"
    assert shown["revoked"] == "4" and shown["suspended"] == "4" and shown["reinstated"] == "1"
    assert shown["revocation_rate"] == f"{4 / 35 * 100:.2f} %"


def test_rendered_charts_have_one_bar_group_per_month_and_reason(rendered):
    report, dom = rendered
    chart = dom.find("svg", cls="chart-months")
    assert chart.attrs["role"] == "img" and chart.find("title").text()
    groups = chart.find_all("g", cls="month")
    assert [g.attrs["data-month"] for g in groups] == [m.month for m in report.by_month] and len(groups) == 3
    for g, m in zip(groups, report.by_month, strict=True):
        bars = {next(c for c in b.classes if c.startswith("bar-")): int(b.attrs["data-value"])
                for b in g.find_all("rect", cls="bar")}
        assert bars == {"bar-issued": m.issued, "bar-revoked": m.revoked, "bar-suspended": m.suspended}
        assert m.month in g.find("title").text()
        # a taller bar for a bigger number
        heights = {b.attrs["data-value"]: float(b.attrs["height"]) for b in g.find_all("rect", cls="bar")}
        assert heights.get("0", 0.0) == 0.0
    texts = [t.text() for t in chart.find_all("text")]
    assert "month (UTC)" in texts and "credentials" in texts and "0" in texts
    reasons = dom.find("svg", cls="chart-reasons").find_all("g", cls="reason")
    assert [int(g.attrs["data-reason"]) for g in reasons] == [r.code for r in report.by_reason]


def test_rendered_timeline_rows_link_their_transactions(rendered):
    report, dom = rendered
    rows = dom.find("table", cls="timeline").find_all("tr", cls="event")
    assert len(rows) == len(report.timeline) == 10
    ids = {n.attrs["id"] for n in dom.find_all(id=True)}
    for row, entry in zip(rows, report.timeline, strict=True):
        link = row.find("a", cls="tx")
        assert link.text() == entry.tx_hash and link.attrs["href"] == f"#tx-{entry.tx_hash}"
        assert f"tx-{entry.tx_hash}" in ids
        assert row.find("a", cls="block").text() == str(entry.block)
        assert entry.summary in row.text()
    recheck = dom.find("section", id="recheck").text()
    assert "eth_getTransactionReceipt" in recheck and report.timeline[0].tx_hash in recheck


def test_screenshot_is_a_real_page(report_file, tmp_path: Path):
    _, path = report_file
    png = browser.screenshot(path, tmp_path / "audit.png", width=1200, height=2000)
    assert png.stat().st_size > 40_000
    width, height, bpp, rows = browser.png_pixels(png, max_rows=1300)
    assert (width, height) == (1200, 2000)
    pixels = Counter(row[i:i + 3] for row in rows[::4] for i in range(0, width * bpp, bpp * 2))
    white = pixels[b"\xff\xff\xff"] / sum(pixels.values())
    assert 0.3 < white < 0.98, f"{white:.0%} of the page is white"
    assert len(pixels) > 50, "too few colours: a blank or broken page?"
    # the month chart's bars are painted in their colours (issued, revoked, suspended)
    for colour in (b"\x25\x63\xeb", b"\xdc\x26\x26", b"\xd9\x77\x06"):
        assert pixels[colour] > 20, f"no bar coloured #{colour.hex()} in the screenshot"
