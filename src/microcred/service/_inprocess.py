"""The service answered in this process, with the fetcher interface of :class:`~microcred.did.HTTPSFetcher`:
``InProcessFetcher(app, "https://issuer.example").get(url)`` calls the ASGI application directly, no socket.

For the demo (an issuer's service and a learner's wallet in one story, without a TLS certificate) and for
library users who embed the service. The answers are the service's own, byte for byte."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from microcred.did import HTTPSResponse
from microcred.did._net import HTTPStatusError


class InProcessFetcher:
    """Requests to ``base_url`` answered by the ASGI ``app``; any other host is refused."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.app = app
        parts = urlsplit(base_url)
        self.netloc = parts.netloc
        self.scheme = parts.scheme or "https"

    def get(self, url: str, *, accept: str = "*/*") -> HTTPSResponse:
        return self.request("GET", url, accept=accept)

    def post(self, url: str, body: bytes, *, content_type: str, accept: str = "application/json",
             headers: dict[str, str] | None = None, answer_statuses: tuple[int, ...] = (200,)) -> HTTPSResponse:
        return self.request("POST", url, body=body, accept=accept, answer_statuses=answer_statuses,
                            headers={"content-type": content_type, **(headers or {})})

    def request(self, method: str, url: str, *, body: bytes | None = None, accept: str = "*/*",
                headers: dict[str, str] | None = None, answer_statuses: tuple[int, ...] = (200,)) -> HTTPSResponse:
        parts = urlsplit(url)
        if parts.netloc != self.netloc:
            raise ValueError(f"{url} is not served by this in-process service ({self.netloc})")
        all_headers = {"host": self.netloc, "accept": accept, "content-length": str(len(body or b"")),
                       **{k.lower(): v for k, v in (headers or {}).items()}}
        status, answer_headers, content = asyncio.run(self._call(method, parts.path or "/", parts.query,
                                                                 all_headers, body or b""))
        if status not in answer_statuses:
            raise HTTPStatusError(f"{url} answered HTTP {status}", url=url, host=parts.hostname or "",
                                  status=status, reason="", location=answer_headers.get("location"))
        return HTTPSResponse(url=url, address="in-process", body=content, headers=answer_headers, status=status)

    async def _call(self, method: str, path: str, query: str, headers: dict[str, str],
                    body: bytes) -> tuple[int, dict[str, str], bytes]:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": self.scheme, "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
                 "client": ("127.0.0.1", 0), "server": (self.netloc.split(":")[0], 443)}
        pending = [{"type": "http.request", "body": body, "more_body": False}]
        status = 500
        answer_headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                answer_headers.update({k.decode("latin-1").lower(): v.decode("latin-1")
                                       for k, v in message.get("headers", [])})
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, answer_headers, b"".join(chunks)
