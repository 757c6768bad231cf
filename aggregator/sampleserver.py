"""A local HTTP server for fixture sites: one server answers for many real host names (by the Host header).

Serves `<root>/<host>/<path>` plus the routes in `<root>/routes.toml`: pages behind query strings, fixed
statuses (a source that answers 503), first-N failures (429 with Retry-After), content types, and conditional GET.
Used by `union-news demo` and by the tests; nothing here is reachable from outside 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".shtml": "text/html; charset=utf-8",
          ".xml": "text/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".json": "application/json",
          ".rss": "application/rss+xml; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8",
          ".jpg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".css": "text/css", ".js": "application/javascript"}
LAST_MODIFIED = formatdate(1753668000, usegmt=True)  # fixed, so conditional GETs are repeatable


@dataclass(slots=True)
class Hit:
    """One request the server answered."""

    host: str
    path: str
    query: str
    status: int
    conditional: bool = False
    at: float = 0.0  # time.monotonic() when answered (tests check waits such as Retry-After)
    method: str = "GET"


@dataclass
class Route:
    """A special answer for a host and path (and optionally query parameters)."""

    host: str
    path: str | None = None
    prefix: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    status: int | None = None
    times: int | None = None  # answer `status` only this many times, then serve normally
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    body: str | None = None
    delay: float = 0.0  # seconds to wait before answering (a slow site; the answer is then the usual one)
    served: int = 0

    def matches(self, host: str, path: str, query: dict[str, str]) -> bool:
        if host != self.host and self.host != "*":
            return False
        if self.prefix is not None:
            if not path.startswith(self.prefix):
                return False
        elif path != self.path:
            return False
        return all(query.get(k) == v for k, v in self.query.items())


class SampleServer:
    """Serve a fixture tree on 127.0.0.1 (a free port unless given) in a background thread."""

    def __init__(self, root: str | Path, routes: list[Route] | None = None, port: int = 0) -> None:
        self.root = Path(root)
        self.routes: list[Route] = list(routes or [])
        self.host_types: dict[str, str] = {}
        routes_file = self.root / "routes.toml"
        if routes_file.exists():
            data = tomllib.loads(routes_file.read_text(encoding="utf-8"))
            self.routes.extend(Route(**entry) for entry in data.get("route", []))
            self.host_types = {h: v["content_type"] for h, v in data.get("hosts", {}).items() if "content_type" in v}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def address(self) -> str:
        """host:port, as UNION_NEWS_HOSTMAP wants it."""
        return f"127.0.0.1:{self.port}"

    def add_route(self, **kwargs: Any) -> Route:
        """Add a route before the others (tests use this for 429s, robots.txt, changed pages)."""
        route = Route(**kwargs)
        self.routes.insert(0, route)
        return route

    def start(self) -> SampleServer:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sample-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hits_for(self, host: str | None = None, path_contains: str = "") -> list[Hit]:
        """Requests answered so far, optionally only those for a host and path fragment."""
        with self._lock:
            return [h for h in self.hits if (host is None or h.host == host) and path_contains in h.path]

    # -- request handling ------------------------------------------------------------------------
    def _answer(self, host: str, path: str, query_string: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        for route in self.routes:
            if not route.matches(host, path, query):
                continue
            with self._lock:
                route.served += 1
                served = route.served
            if route.delay:
                time.sleep(route.delay)
            if route.status is not None and (route.times is None or served <= route.times):
                body = (route.body or f"<html><body><h1>{route.status}</h1></body></html>").encode()
                return route.status, {"Content-Type": route.content_type or "text/html; charset=utf-8", **route.headers}, body
            if route.body is not None:
                return 200, {"Content-Type": route.content_type or "text/html; charset=utf-8", **route.headers}, route.body.encode()
            if route.file:
                return self._file(self.root / route.file, host, headers, route.content_type, route.headers)
            if route.content_type or route.headers:
                return self._static(host, path, headers, route.content_type, route.headers)
        return self._static(host, path, headers, None, {})

    def _static(self, host: str, path: str, headers: Any, ctype: str | None, extra: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        rel = unquote(path).lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        if not host or "/" in host or host.startswith("."):
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body><h1>404 Not Found</h1></body></html>"
        target = (self.root / host / rel).resolve()
        if (self.root / host).resolve() not in target.parents or not target.is_file():
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body><h1>404 Not Found</h1></body></html>"
        return self._file(target, host, headers, ctype, extra)

    def _file(self, target: Path, host: str, headers: Any, ctype: str | None, extra: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if not target.is_file():
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body><h1>404 Not Found</h1></body></html>"
        data = target.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if ctype is None:
            ctype = self.host_types.get(host) if target.suffix in (".html", ".htm", ".shtml", "") else None
            ctype = ctype or _TYPES.get(target.suffix, "text/html; charset=utf-8")
        out = {"Content-Type": ctype, "ETag": etag, "Last-Modified": LAST_MODIFIED, **extra}
        # RFC 9110 13.1.3: If-Modified-Since is ignored when the request carries If-None-Match.
        if_none_match = headers.get("If-None-Match")
        if (if_none_match == etag) if if_none_match else headers.get("If-Modified-Since") == LAST_MODIFIED:
            return 304, {"ETag": etag, "Last-Modified": LAST_MODIFIED}, b""
        return 200, out, data

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: with Nagle's algorithm on, the body would wait for the client's
            # delayed ACK of the headers (40 ms on Linux) on every kept-alive response.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._respond(send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._respond(send_body=False)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self._respond(send_body=True)

            def _respond(self, send_body: bool) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                parts = urlsplit(self.path)
                status, headers, body = server._answer(host, parts.path, parts.query, self.headers)
                with server._lock:
                    server.hits.append(Hit(host, parts.path, parts.query, status,
                                           bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")),
                                           time.monotonic(), self.command))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body and body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
                return

        return Handler


def sample_root() -> Path:
    """The bundled sample sites' folder."""
    from aggregator.settings import UNION_NEWS_DATA_DIR

    return Path(UNION_NEWS_DATA_DIR) / "samples" / "sites"
