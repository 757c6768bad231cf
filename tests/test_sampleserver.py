"""The fixture server: virtual hosts, query routes, statuses, conditional GET and its hit log."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from aggregator.sampleserver import SampleServer


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "a.example" / "news").mkdir(parents=True)
    (tmp_path / "a.example" / "news" / "index.html").write_text("<p>A 新闻</p>", encoding="utf-8")
    (tmp_path / "a.example" / "page2.xml").write_text("<x/>", encoding="utf-8")
    (tmp_path / "b.example").mkdir()
    (tmp_path / "b.example" / "index.html").write_bytes("<p>乙</p>".encode("gbk"))
    (tmp_path / "routes.toml").write_text(
        '[[route]]\nhost = "a.example"\npath = "/proxy.jsp"\nquery = { "page" = "2" }\nfile = "a.example/page2.xml"\n'
        'content_type = "text/xml"\n\n[hosts]\n"b.example" = { content_type = "text/html; charset=GBK" }\n',
        encoding="utf-8")
    return tmp_path


def get(server: SampleServer, host: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://{server.address}{path}", headers={"Host": host, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serves_each_host_from_its_folder(site: Path) -> None:
    with SampleServer(site) as server:
        assert get(server, "a.example", "/news/")[2] == "<p>A 新闻</p>".encode()
        status, headers, body = get(server, "b.example", "/")
        assert body.decode("gbk") == "<p>乙</p>" and "GBK" in headers["Content-Type"]
        assert get(server, "c.example", "/")[0] == 404


def test_query_routes_and_unknown_queries(site: Path) -> None:
    with SampleServer(site) as server:
        status, headers, body = get(server, "a.example", "/proxy.jsp?page=2&webid=1")
        assert (status, body, headers["Content-Type"]) == (200, b"<x/>", "text/xml")
        assert get(server, "a.example", "/proxy.jsp?page=3")[0] == 404


def test_status_route_only_the_first_times(site: Path) -> None:
    with SampleServer(site) as server:
        server.add_route(host="a.example", path="/news/", status=429, times=2, headers={"Retry-After": "1"})
        first = get(server, "a.example", "/news/")
        assert first[0] == 429 and first[1]["Retry-After"] == "1"
        assert get(server, "a.example", "/news/")[0] == 429
        assert get(server, "a.example", "/news/")[0] == 200
        assert [h.status for h in server.hits_for("a.example", "/news/")] == [429, 429, 200]


def test_conditional_get(site: Path) -> None:
    with SampleServer(site) as server:
        status, headers, _ = get(server, "a.example", "/news/")
        assert status == 200 and headers["ETag"]
        assert get(server, "a.example", "/news/", {"If-None-Match": headers["ETag"]})[0] == 304
        assert get(server, "a.example", "/news/", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert get(server, "a.example", "/news/", {"If-None-Match": '"other"'})[0] == 200
        assert server.hits_for("a.example")[1].conditional


def test_paths_cannot_escape_the_root(site: Path) -> None:
    (site / "secret.txt").write_text("no", encoding="utf-8")
    with SampleServer(site) as server:
        assert get(server, "a.example", "/../secret.txt")[0] == 404
