"""Optional local copies of WeChat images, for readers that cannot load them from WeChat's CDN.

WeChat's image hosts (mmbiz.qpic.cn) answer a request that carries a foreign Referer with a "not allowed"
picture. Pages we publish avoid that with referrerpolicy="no-referrer" (aggregator.sanitize), which browsers
honour; many feed readers fetch images through their own servers and ignore it. For those, `union-news images
fetch` keeps a copy of each WeChat image of the recent articles in a folder next to the published files, and
ImageCache.rewrite() points an HTML fragment at the copies (docs/wechat.md, "Images").
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.store.models import Article

WECHAT_IMAGE_HOSTS = ("qpic.cn", "qlogo.cn")
MANIFEST = "manifest.json"
MAX_BYTES = 20 * 1024 * 1024  # a WeChat article image is well under this; anything bigger is not one
_EXTENSIONS = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}

Fetcher = Callable[[str], bytes]


class ImageError(Exception):
    """An image could not be had: the reason is in the message."""


def is_wechat_image(url: str) -> bool:
    """True for images on WeChat's hotlink-protected hosts."""
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(WECHAT_IMAGE_HOSTS)


def sniff_image(data: bytes) -> str | None:
    """The image type from the first bytes (jpg, png, gif, webp), None for anything else (an error page, SVG)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_name(url: str, kind: str | None = None) -> str:
    """A stable file name for an image URL: a hash of the URL and the image's extension."""
    fmt = dict(parse_qsl(urlsplit(url).query)).get("wx_fmt", "")
    ext = kind or _EXTENSIONS.get(fmt.lower(), "jpg")
    return f"{hashlib.sha1(url.encode('utf-8')).hexdigest()[:24]}.{ext}"


def http_fetcher(user_agent: str, timeout: float = 20.0, hostmap: dict[str, str] | None = None) -> Fetcher:
    """Fetch an image with no Referer (the hotlink check lets that through); `hostmap` answers hosts locally."""
    from aggregator.crawl.hostmap import mapped_url

    def fetch(url: str) -> bytes:
        target = (mapped_url(url, hostmap) if hostmap else None) or url
        headers = {"User-Agent": user_agent, "Accept": "image/avif,image/webp,image/*,*/*;q=0.8"}
        if target != url:
            headers["Host"] = urlsplit(url).hostname or ""
        request = urllib.request.Request(target, headers=headers)  # deliberately no Referer
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) image URLs only)
                data = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise ImageError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ImageError(str(getattr(exc, "reason", exc))) from None
        if len(data) > MAX_BYTES:
            raise ImageError("larger than 20 MB")
        return data

    return fetch


@dataclass(slots=True)
class FetchReport:
    """What one `images fetch` did."""

    fetched: int = 0
    cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


class ImageCache:
    """A folder of image copies and its manifest (image URL -> file name)."""

    def __init__(self, folder: str | Path, base_url: str = "img/") -> None:
        self.folder = Path(folder)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        manifest = self.folder / MANIFEST
        self.manifest: dict[str, str] = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}

    def has(self, url: str) -> bool:
        """True when a copy of `url` is in the folder."""
        name = self.manifest.get(url)
        return bool(name) and (self.folder / name).is_file()  # type: ignore[operator]

    def local_url(self, url: str) -> str | None:
        """Where the published copy of `url` is, relative to the published pages; None when not cached."""
        return self.base_url + self.manifest[url] if self.has(url) else None

    def store(self, url: str, data: bytes) -> str:
        """Keep the bytes of an image (checked to be one) under its stable name; return the name."""
        kind = sniff_image(data)
        if kind is None:
            raise ImageError("the answer is not an image (a hotlink notice or an error page?)")
        name = image_name(url, kind)
        self.folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.folder / name, data)
        self.manifest[url] = name
        return name

    def save(self) -> None:
        """Write the manifest (atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True)
        _atomic_write(self.folder / MANIFEST, text.encode("utf-8"))

    def fetch(self, urls: Iterable[str], fetcher: Fetcher) -> FetchReport:
        """Copy every WeChat image of `urls` not copied yet; one failure never stops the others."""
        report = FetchReport()
        for url in dict.fromkeys(urls):
            if not is_wechat_image(url):
                continue
            if self.has(url):
                report.cached += 1
                continue
            try:
                self.store(url, fetcher(url))
            except ImageError as exc:
                report.failed.append((url, str(exc)))
                continue
            report.fetched += 1
        self.save()
        return report

    def rewrite(self, html: str) -> str:
        """The fragment with every cached WeChat image pointing at its copy (others keep no-referrer)."""
        if "<img" not in html:
            return html
        soup = BeautifulSoup(html, "lxml")
        changed = False
        for img in soup.find_all("img"):
            local = self.local_url(str(img.get("src", "")))
            if local:
                img["src"] = local
                del img["referrerpolicy"]
                changed = True
        if not changed:
            return html
        body = soup.body
        return "".join(str(child) for child in body.children) if body is not None else str(soup)


def article_images(session: Session, since: datetime | None = None) -> list[str]:
    """The WeChat images of the WeChat articles published since `since` (all of them without it), newest first."""
    query = select(Article.images).where(Article.wechat_account.is_not(None) | Article.page_type.like("wechat:%"))
    if since is not None:
        query = query.where(Article.published_at >= since)
    urls: list[str] = []
    for images in session.scalars(query.order_by(Article.published_at.desc())):
        urls.extend(u for u in images or [] if isinstance(u, str) and is_wechat_image(u))
    return list(dict.fromkeys(urls))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["ImageCache", "ImageError", "FetchReport", "article_images", "http_fetcher", "image_name", "is_wechat_image",
           "sniff_image"]
