"""Render an HTML file with Debian's headless Chromium: the DOM after layout, or a screenshot.

Chromium is a test requirement, not an optional extra: when it is missing, :func:`chromium` fails the test with
the command that installs it (``apt-get install chromium``), it never skips.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

#: where Debian's chromium package puts the browser; PATH is searched too
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")

_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio")


def chromium() -> str:
    """The path of the Chromium binary; fails the calling test when there is none."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is needed to render the audit report: install it with "
                "`apt-get update && apt-get install -y chromium` (Debian's package, as root)", pytrace=False)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="microcred-chromium-") as profile:
        cmd = [chromium(), *_FLAGS, f"--user-data-dir={profile}", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"chromium failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}", pytrace=False)
    return proc


def dump_dom(html_file: Path, *, timeout: float = 60.0) -> str:
    """The DOM of ``html_file`` as Chromium serialises it after parsing and layout."""
    proc = _run(["--dump-dom", Path(html_file).resolve().as_uri()], timeout)
    if "<html" not in proc.stdout:
        pytest.fail(f"chromium printed no DOM for {html_file}:\n{proc.stderr[-2000:]}", pytrace=False)
    return proc.stdout


def screenshot(html_file: Path, out_png: Path, *, width: int = 1200, height: int = 2000,
               timeout: float = 60.0) -> Path:
    """A PNG screenshot of the first ``width`` x ``height`` pixels of ``html_file``."""
    out_png = Path(out_png).resolve()
    out_png.unlink(missing_ok=True)
    _run([f"--screenshot={out_png}", f"--window-size={width},{height}", Path(html_file).resolve().as_uri()],
         timeout)
    if not out_png.is_file():
        pytest.fail(f"chromium wrote no screenshot at {out_png}", pytrace=False)
    return out_png


def png_pixels(path: Path, max_rows: int | None = None) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit, non-interlaced RGB/RGBA/grey PNG, with the stdlib;
    only the first ``max_rows`` rows are decoded when given (decoding is pure Python)."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat = 8, b""
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace:
                raise ValueError(f"unsupported PNG (bit depth {depth}, interlace {interlace})")
            bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height if max_rows is None else min(height, max_rows)):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


class Node:
    """An element of a parsed HTML document (a small DOM for assertions, stdlib only)."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with this tag (any when ``None``), class and attribute values (``data_month`` →
        ``data-month``; ``True`` matches any value)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(k in n.attrs and (v is True or n.attrs[k] == v) for k, v in wanted.items())]

    def find(self, tag: str | None = None, **kwargs) -> Node:
        found = self.find_all(tag, **kwargs)
        assert found, f"no <{tag or '*'}> {kwargs} in the document"
        return found[0]


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def parse_html(text: str) -> Node:
    """The element tree of ``text`` (tag names lower-cased, as the HTML parser gives them)."""
    from html.parser import HTMLParser

    root = Node("#document", {})

    class _Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.current = root

        def handle_starttag(self, tag, attrs):
            node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
            self.current.children.append(node)
            if tag not in _VOID:
                self.current = node

        def handle_startendtag(self, tag, attrs):
            self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

        def handle_endtag(self, tag):
            node = self.current
            while node is not root and node.tag != tag:
                node = node.parent
            if node is not root:
                self.current = node.parent

        def handle_data(self, data):
            self.current.children.append(data)

    parser = _Parser()
    parser.feed(text)
    parser.close()
    return root
