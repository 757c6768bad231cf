"""Answer chosen hosts from a local server while requests and responses keep their real URLs.

The demo and the tests map every host to the sample server on 127.0.0.1, so the store holds the real URLs
(https://www.workercn.cn/...) although nothing leaves the machine. The real host goes in the Host header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def mapped_url(url: str, hostmap: dict[str, str]) -> str | None:
    """The local URL that answers for `url`, or None when its host is not mapped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    target = hostmap.get(host) or hostmap.get("*")
    if not target:
        return None
    return urlunsplit(("http", target, parts.path or "/", parts.query, ""))


class HostMapDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, sending requests for mapped hosts to their local address."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.hostmap: dict[str, str] = dict(crawler.settings.getdict("UNION_NEWS_HOSTMAP"))

    async def download_request(self, request: Request) -> Response:
        local = mapped_url(request.url, self.hostmap) if self.hostmap else None
        if local is None:
            return await super().download_request(request)
        host = urlsplit(request.url).hostname or ""
        headers = request.headers.copy()
        headers[b"Host"] = host.encode("idna")
        response = await super().download_request(request.replace(url=local, headers=headers))
        # The spider, the redirect middleware and the store must only ever see the real URL.
        return response.replace(url=request.url, request=request)
