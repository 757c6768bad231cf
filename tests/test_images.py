"""WeChat images must not show up broken: no-referrer on every WeChat image we publish, and the optional local
cache (`union-news images fetch`) that serves copies to readers which ignore referrerpolicy."""

from __future__ import annotations

import struct
from collections.abc import Iterator
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.dates import SHANGHAI
from aggregator.images import ImageCache, ImageError, article_images, http_fetcher, image_name, is_wechat_image, sniff_image
from aggregator.records import ArticleRecord
from aggregator.sampleserver import SampleServer
from aggregator.sources import Registry, Source
from aggregator.store import Store
from aggregator.store.writer import save_article, sync_sources

NOW = datetime(2025, 7, 28, 12, 0, tzinfo=SHANGHAI)
IMG_OK = "https://mmbiz.qpic.cn/mmbiz_png/QhPhotoOk/640?wx_fmt=png"
IMG_MISSING = "https://mmbiz.qpic.cn/mmbiz_jpg/QhPhotoGone/640?wx_fmt=jpeg"
IMG_NOTICE = "https://mmbiz.qpic.cn/mmbiz_jpg/QhHotlinkNotice/640?wx_fmt=jpeg"


def png() -> bytes:
    """A 1×1 PNG, built here (the repository holds no binary files)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def image_server(tmp_path: Path) -> Iterator[SampleServer]:
    root = tmp_path / "sites"
    (root / "mmbiz.qpic.cn" / "mmbiz_png" / "QhPhotoOk").mkdir(parents=True)
    (root / "mmbiz.qpic.cn" / "mmbiz_png" / "QhPhotoOk" / "640").write_bytes(png())
    server = SampleServer(root)
    server.add_route(host="mmbiz.qpic.cn", path="/mmbiz_png/QhPhotoOk/640", content_type="image/png")
    # The hotlink notice WeChat serves is an image too in reality; here an HTML page stands for "not the photo".
    server.add_route(host="mmbiz.qpic.cn", path="/mmbiz_jpg/QhHotlinkNotice/640", body="<html>此图片来自微信公众平台</html>")
    with server:
        yield server


def test_no_referer_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeChat's hotlink check lets requests without a Referer through: the fetcher never sends one."""
    sent: dict[str, str] = {}

    def urlopen(request, timeout):  # type: ignore[no-untyped-def]
        sent.update({k.lower(): v for k, v in request.header_items()})
        raise ImageError("stop")

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    with pytest.raises(ImageError):
        http_fetcher("union-news-test")(IMG_OK)
    assert "referer" not in sent and sent["user-agent"] == "union-news-test"


@pytest.mark.parametrize(("data", "kind"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"), (png(), "png"), (b"GIF89a\x01\x00", "gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"), (b"<html>not allowed</html>", None),
    (b'<?xml version="1.0"?><svg onload="x()"/>', None), (b"", None),
])
def test_sniff_image(data: bytes, kind: str | None) -> None:
    assert sniff_image(data) == kind


@pytest.mark.parametrize(("url", "expected"), [
    (IMG_OK, True), ("https://mmbiz.qlogo.cn/mmbiz/x/0", True), ("https://wx.qlogo.cn/mmhead/x/0", True),
    ("https://www.workercn.cn/a.jpg", False), ("https://qpic.cn.example.org/a.jpg", False),
])
def test_is_wechat_image(url: str, expected: bool) -> None:
    assert is_wechat_image(url) is expected


def test_image_names_are_stable_and_typed() -> None:
    assert image_name(IMG_OK) == image_name(IMG_OK) and image_name(IMG_OK).endswith(".png")
    assert image_name(IMG_MISSING).endswith(".jpg") and image_name(IMG_OK) != image_name(IMG_MISSING)
    assert image_name(IMG_MISSING, "webp").endswith(".webp")


def test_fetch_keeps_images_and_reports_failures(image_server: SampleServer, tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "img")
    fetcher = http_fetcher("union-news-test", hostmap={"*": image_server.address})
    report = cache.fetch([IMG_OK, IMG_MISSING, IMG_NOTICE, "https://www.example.org/not-wechat.png"], fetcher)
    assert report.fetched == 1 and report.cached == 0
    assert dict(report.failed) == {IMG_MISSING: "HTTP 404",
                                   IMG_NOTICE: "the answer is not an image (a hotlink notice or an error page?)"}
    assert (tmp_path / "img" / image_name(IMG_OK)).read_bytes() == png()
    assert ImageCache(tmp_path / "img").manifest == {IMG_OK: image_name(IMG_OK)}


def test_a_second_fetch_downloads_nothing_again(image_server: SampleServer, tmp_path: Path) -> None:
    fetcher = http_fetcher("union-news-test", hostmap={"*": image_server.address})
    ImageCache(tmp_path / "img").fetch([IMG_OK], fetcher)
    hits = len(image_server.hits_for("mmbiz.qpic.cn"))
    report = ImageCache(tmp_path / "img").fetch([IMG_OK], fetcher)
    assert (report.fetched, report.cached) == (0, 1)
    assert len(image_server.hits_for("mmbiz.qpic.cn")) == hits


def test_rewrite_points_cached_images_at_their_copies(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "img", base_url="img")
    cache.store(IMG_OK, png())
    html = (f'<p>一段</p><p><img loading="lazy" referrerpolicy="no-referrer" src="{IMG_OK}"/></p>'
            f'<p><img loading="lazy" referrerpolicy="no-referrer" src="{IMG_MISSING}"/></p>')
    out = cache.rewrite(html)
    assert f'src="img/{image_name(IMG_OK)}"' in out
    # An image without a copy keeps its original URL and its no-referrer policy.
    assert f'referrerpolicy="no-referrer" src="{IMG_MISSING}"' in out
    assert out.count("<img") == 2 and "<p>一段</p>" in out


def test_store_refuses_what_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ImageError):
        ImageCache(tmp_path / "img").store(IMG_OK, b"<html>error</html>")
    assert not (tmp_path / "img" / image_name(IMG_OK)).exists()


def _store_with_images(store: Store) -> None:
    registry = Registry(path=Path("x.toml"), sources={"wx_qinghe": Source(id="wx_qinghe", name="青禾工会", kind="wechat")})
    with store.session() as session:
        sync_sources(session, registry)
        for n, (days, images) in enumerate([(2, [IMG_OK, "https://www.example.org/a.png"]), (40, [IMG_MISSING])]):
            save_article(session, ArticleRecord(
                url=f"https://mp.weixin.qq.com/s/qhImageArticle0{n}", source_id="wx_qinghe", title=f"文章{n}",
                body_text=f"正文{n}", published_at=NOW - timedelta(days=days), images=images,
                wechat_account="青禾工会", page_type="wechat:normal", content_hash=f"h{n}"), None, NOW)


def test_article_images_are_the_recent_wechat_ones(store: Store) -> None:
    _store_with_images(store)
    with store.sessions() as session:
        assert article_images(session, NOW - timedelta(days=14)) == [IMG_OK]
        assert article_images(session) == [IMG_OK, IMG_MISSING]


def test_images_fetch_command(store: Store, db_url: str, image_server: SampleServer, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _store_with_images(store)
    monkeypatch.setenv("UNION_NEWS_NOW", NOW.isoformat())
    out = tmp_path / "site" / "img"
    args = ["images", "fetch", "--db", db_url, "--out", str(out), "--hostmap", f"*={image_server.address}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "1 fetched" in result.output and (out / image_name(IMG_OK)).exists()
    # Every stored article: the old one's image is gone from the server, so the run reports a partial failure.
    result = CliRunner().invoke(main, [*args, "--days", "0"])
    assert result.exit_code == 1 and "1 already there" in result.output and "HTTP 404" in result.output


def test_images_fetch_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["images", "fetch", "--help"])
    assert result.exit_code == 0 and "Example: union-news images fetch" in result.output
