"""Challenge, WAF and captcha pages are recognised (and ordinary pages are not); the middleware reports them."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.crawl.blocking import SIGNATURES, Blocked, BlockDetectionMiddleware, detect_block, tokens_in
from tests.conftest import ROOT

RUISHU = ('<html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="' + "a" * 240 + '" r=\'m\'>'
          "<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;</script>"
          "<script src=\"/4QbVtADbnLVIc/d.FxJzG50F.js\" r='m'></script></head><body></body></html>")
JIASULE = "<html><body><script>document.cookie=('__jsl_clearance_s=1757900000.1|0|abc');location.href=location.pathname</script></body></html>"
CLOUDFLARE = "<html><head><title>Just a moment...</title></head><body><div id='cf-chl-widget'></div></body></html>"
SAFEDOG = "<html><body><img src='http://404.safedog.cn/images/safedogsite/head.png'><p>访问被拒绝</p></body></html>"
WAF_TEXT = "<html><body><h2>您的请求带有不合法参数，已被网站管理员设置拦截！</h2><p>可能原因：您提交的内容包含危险的攻击请求</p></body></html>"
CAPTCHA = "<html><body><form><p>请输入验证码后继续访问</p><input name='captcha'><img src='/captcha.jpg'></form></body></html>"
SLIDER = "<html><body><div id='nc'>请拖动滑块完成安全验证</div><script src='https://static.geetest.com/gt.js'></script></body></html>"
WAF_PAGE = "<html><head><title>{}</title></head><body><p>访问被拒绝</p></body></html>"
ARTICLE = ("<html><body><h1>筑牢网络安全防线</h1>" + "<p>为防范电信诈骗，工会提醒职工不要向陌生人提供短信验证码，"
           "遇到可疑链接及时报告，网站防火墙等技术手段也在不断升级。</p>" * 40 + "</body></html>")

# (case id, status, headers, body, url, expected: None for content, else a phrase of the reason)
CASES = [
    ("http-412", 412, {}, "<html></html>", "https://a.example/n.html", "412"),
    ("http-521", 521, {}, JIASULE, "https://a.example/n.html", "521"),
    ("ruishu-200", 200, {}, RUISHU, "https://a.example/n.html", "瑞数"),
    ("ruishu-202", 202, {}, RUISHU, "https://a.example/n.html", "瑞数"),
    ("jiasule-script-200", 200, {}, JIASULE, "https://a.example/n.html", "加速乐"),
    ("jiasule-cookie-403", 403, {"set-cookie": "__jsluid_s=0123abcd; path=/"}, "<html></html>", "https://a.example/", "加速乐"),
    ("cloudflare", 503, {}, CLOUDFLARE, "https://a.example/n.html", "Cloudflare"),
    ("safedog", 200, {}, SAFEDOG, "https://a.example/n.html", "安全狗"),
    ("waf-text", 200, {}, WAF_TEXT, "https://a.example/n.html", "WAF"),
    ("captcha-form", 200, {}, CAPTCHA, "https://a.example/n.html", "captcha"),
    ("slider", 200, {}, SLIDER, "https://a.example/n.html", "captcha"),
    ("redirected-to-captcha", 200, {}, "<html><body>ok</body></html>", "https://a.example/captcha/check?u=1", "verification"),
    ("article-quoting-the-words", 200, {}, ARTICLE, "https://a.example/n.html", None),
    ("plain-404", 404, {}, "<html><body>404 Not Found</body></html>", "https://a.example/n.html", None),
    ("plain-503", 503, {}, "<html><body><h1>503</h1></body></html>", "https://a.example/n.html", None),
    ("article-url-with-verify-word", 200, {}, ARTICLE, "https://a.example/news/verify_notice_1.html", None),
    # Each WAF vendor's technical marker, in any case, anywhere in the page (the first and last bytes included).
    ("yunsuo", 200, {}, WAF_PAGE.format("yunsuo_session"), "https://a.example/n.html", "云锁"),
    ("knownsec", 200, {}, WAF_PAGE.format("hacker.kanwork"), "https://a.example/n.html", "创宇盾"),
    ("aliyun", 405, {}, WAF_PAGE.format("errors.aliyun.com"), "https://a.example/n.html", "阿里云"),
    ("tencent", 200, {}, WAF_PAGE.format("waf.tencent-cloud.com"), "https://a.example/n.html", "腾讯云"),
    ("baota-upper-case", 200, {}, WAF_PAGE.format("BTWAF"), "https://a.example/n.html", "宝塔"),
    ("safeline", 200, {}, WAF_PAGE.format("SafeLine WAF"), "https://a.example/n.html", "长亭"),
    ("marker-first-bytes", 200, {}, "btwaf" + ARTICLE, "https://a.example/n.html", "宝塔"),
    ("marker-last-bytes", 200, {}, ARTICLE + "btwaf", "https://a.example/n.html", "宝塔"),
    ("marker-after-200-kb", 200, {}, ARTICLE * 40 + "btwaf", "https://a.example/n.html", None),
    ("ruishu-word-without-its-script", 200, {}, ARTICLE.replace("技术手段", "$_ts 技术手段"), "https://a.example/n.html",
     None),
    # A block page carrying a big inline script (ASCII) is still short in text: its phrase markers count.
    ("waf-text-with-a-big-script", 200, {}, WAF_TEXT.replace("<body>", "<body><script>var t='" + "x" * 12000 + "';</script>"),
     "https://a.example/n.html", "WAF"),
    ("captcha-with-a-big-script", 200, {}, CAPTCHA.replace("<body>", "<body><script>" + "var a=1;" * 2000 + "</script>"),
     "https://a.example/n.html", "captcha"),
    ("empty-body", 200, {}, "", "https://a.example/n.html", None),
    ("body-shorter-than-a-marker", 200, {}, "$_t", "https://a.example/n.html", None),
]


@pytest.mark.parametrize(("status", "headers", "body", "url", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_detect_block(status: int, headers: dict[str, str], body: str, url: str, expected: str | None) -> None:
    reason = detect_block(status, headers, body.encode("utf-8"), url)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "data" / "samples" / "sites").rglob("*.htm*")) +
                         sorted(p for p in (ROOT / "tests" / "fixtures" / "sites").rglob("*.htm*")
                                if "challenge" not in str(p)), ids=lambda p: p.name)
def test_no_fixture_or_sample_page_is_taken_for_a_block(path: Path) -> None:
    assert detect_block(200, {}, path.read_bytes(), "https://site.example/a.html") is None


ALL_TOKENS = sorted({token for signature in SIGNATURES for token in signature.tokens})
_PIECES = [*ALL_TOKENS, *(t.upper() for t in ALL_TOKENS), *(t[:-1] for t in ALL_TOKENS), *(t[1:] for t in ALL_TOKENS),
           b"<p>", b" ", "工会".encode(), b"\xe5", b"x", b"$", b"_"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=12), filler=st.binary(max_size=40))
def test_tokens_in_finds_what_a_search_for_each_token_finds(pieces: list[bytes], filler: bytes) -> None:
    page = filler.join(pieces)
    assert tokens_in(page) == {token for token in ALL_TOKENS if token in page.lower()}


def response(url: str, status: int, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, status=status, body=body.encode("utf-8"), encoding="utf-8", request=Request(url))


def test_middleware_counts_blocks_for_the_source_and_raises() -> None:
    stats = MemoryStatsCollector.__new__(MemoryStatsCollector)
    stats._stats = {}
    middleware = BlockDetectionMiddleware(stats, give_up_after=3)
    request = Request("https://a.example/n.html", meta={"source_id": "src"})
    with pytest.raises(Blocked, match="412"):
        middleware.process_response(request, response(request.url, 412, "<html></html>"))
    assert stats.get_value("source/src/blocked") == 1
    assert "blocked" in stats.get_value("source/src/last_error")


def test_middleware_passes_content_and_housekeeping_requests() -> None:
    stats = MemoryStatsCollector.__new__(MemoryStatsCollector)
    stats._stats = {}
    middleware = BlockDetectionMiddleware(stats)
    page = response("https://a.example/n.html", 200, ARTICLE)
    assert middleware.process_response(Request(page.url, meta={"source_id": "src"}), page) is page
    robots = response("https://a.example/robots.txt", 412, RUISHU)  # no source: robots.txt, left to Scrapy
    assert middleware.process_response(Request(robots.url), robots) is robots
    assert stats.get_value("source/src/blocked") is None


def test_middleware_gives_up_on_a_source_after_repeated_blocks() -> None:
    stats = MemoryStatsCollector.__new__(MemoryStatsCollector)
    stats._stats = {}
    middleware = BlockDetectionMiddleware(stats, give_up_after=2)
    for i in range(2):
        request = Request(f"https://a.example/{i}.html", meta={"source_id": "src"})
        with pytest.raises(Blocked):
            middleware.process_response(request, response(request.url, 521, JIASULE))
    with pytest.raises(Blocked, match="not sent"):
        middleware.process_request(Request("https://a.example/3.html", meta={"source_id": "src"}))
    assert middleware.process_request(Request("https://b.example/1.html", meta={"source_id": "other"})) is None
    assert stats.get_value("source/src/skipped_blocked") == 1


def test_wechat_gate_is_left_to_the_wechat_parser() -> None:
    """WeChat's verification gate is parsed (and parked for a retry) by the WeChat parser, not dropped here."""
    stats = MemoryStatsCollector.__new__(MemoryStatsCollector)
    stats._stats = {}
    middleware = BlockDetectionMiddleware(stats)
    url = "https://mp.weixin.qq.com/s/AbCdEf"
    gate = response(url, 200, "<html><body><p>当前环境异常，完成验证后即可继续访问。</p><a>去验证</a></body></html>")
    assert middleware.process_response(Request(url, meta={"source_id": "wx"}), gate) is gate
    challenged = response(url, 412, "<html></html>")
    with pytest.raises(Blocked):
        middleware.process_response(Request(url, meta={"source_id": "wx"}), challenged)
