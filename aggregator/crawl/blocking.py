"""Challenge and block pages: recognise them, report the source as blocked, never let them become articles.

Chinese government and union sites sit behind 瑞数 (Ruishu/Botgate: HTTP 412 or 202 plus a `$_ts` script),
加速乐 (Jiasule: HTTP 521 plus a `__jsl_clearance` cookie script), cloud WAFs (安全狗, 云锁, 创宇盾, 阿里云,
腾讯云, 宝塔, 长亭, Cloudflare) and captcha gates. `detect_block` is a plain function over (status, headers,
body); `BlockDetectionMiddleware` applies it to every answer of a source's request.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Self

import numpy as np
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from aggregator.crawl.responses import bump
from aggregator.urls import WECHAT_HOST

logger = logging.getLogger(__name__)

# Statuses that are a challenge whatever the body says: 412 (瑞数), 521 (加速乐), 555/418 (WAF refusals).
BLOCK_STATUSES = {412: "HTTP 412 (瑞数-style JavaScript challenge)", 521: "HTTP 521 (加速乐-style JavaScript challenge)",
                  555: "HTTP 555 (WAF refusal)", 418: "HTTP 418 (WAF refusal)"}


@dataclass(frozen=True, slots=True)
class Signature:
    """A marker of a challenge or block page: `kind` is what it is, `label` names it in reports.

    `tokens` are cheap literal prefilters (lower-case bytes, any one must occur in the lower-cased page);
    `pattern`, when given, must then match too. Technical markers (script variables, cookie names, WAF
    hosts) never occur in news text and count anywhere; phrases a news article might quote only count on a
    short page (`short_only`): a block page is short.
    """

    kind: str  # challenge | waf | captcha
    label: str
    tokens: tuple[bytes, ...]
    pattern: re.Pattern[bytes] | None = None
    short_only: bool = False


def _sig(kind: str, label: str, tokens: str, pattern: str | None = None, short_only: bool = False) -> Signature:
    encoded = tuple(t.lower().encode("utf-8") for t in tokens.split("|"))
    if min(map(len, encoded)) < _WINDOW:
        raise ValueError(f"{label}: tokens shorter than {_WINDOW} bytes slip through the window index")
    return Signature(kind, label, encoded, re.compile(pattern.encode("utf-8"), re.IGNORECASE) if pattern else None,
                     short_only)


# Tokens are found by their first 4 bytes: every 4-byte window of the page is hashed to 16 bits in numpy and
# looked up in a table of the tokens' hashes, and only the few positions that pass are checked in Python. One
# pass over the page instead of one substring search per token (there are 50); exact, as a token can only
# start where its own first 4 bytes hash into the table. Case is folded by setting bit 0x20 of every byte
# (A-Z become a-z; other bytes change too, alike in page and token), so the page is never lower-cased whole.
_WINDOW = 4
_FOLD = np.uint32(0x20202020)
_HASH_MULTIPLIER = np.uint32(0x9E3779B1)  # Knuth's multiplicative hash; the top 16 bits of the product


SIGNATURES: tuple[Signature, ...] = (
    _sig("challenge", "瑞数 (Ruishu) JavaScript challenge", "$_ts",
         r"\$_ts\s*=\s*window\[|\$_ts\.(?:nsd|cd)\b"),
    _sig("challenge", "瑞数 (Ruishu) JavaScript challenge", "r='m'|r=\"m\"",
         r"<meta\s+id=\"[0-9A-Za-z]{8,}\"\s+content=\"[^\"]{200,}\"\s+r=['\"]m['\"]"),
    _sig("challenge", "加速乐 (Jiasule) JavaScript challenge", "__jsl_clearance|jsl_clearance_s|__jsluid_s"),
    _sig("challenge", "Cloudflare challenge", "cf-chl-|challenges.cloudflare.com|<title>just a moment...</title>"),
    _sig("waf", "安全狗 (Safedog) WAF block page", "safedog.cn|safedogsite|waf_safedog"),
    _sig("waf", "云锁 (Yunsuo) WAF block page", "yunsuo_session|yunsuologo"),
    _sig("waf", "创宇盾 (Knownsec) WAF block page", "365cyd.com|365cyd.cn|hacker.kanwork"),
    _sig("waf", "阿里云 WAF block page", "errors.aliyun.com|aliyun_waf"),
    _sig("waf", "腾讯云 WAF block page", "waf.tencent-cloud.com"),
    _sig("waf", "宝塔 WAF block page", "btwaf"),
    _sig("waf", "长亭 SafeLine WAF block page", "safeline_|chaitin.cn/safeline|safeline waf"),
    _sig("waf", "WAF block page", "网站防火墙|云锁|创宇盾|安全狗|您的请求带有不合法参数|已被网站管理员设置拦截|"
                                  "您的访问请求被拒绝|访问被拦截|当前访问疑似黑客攻击|请求已被阻断|您的访问被阻断|"
                                  "由于您访问的url有可能对网站造成安全威胁|access denied|request blocked",
         short_only=True),
    _sig("captcha", "captcha page", "geetest|tcaptcha|captcha.js|name=\"captcha\"|id=\"captcha\"", short_only=True),
    _sig("captcha", "captcha page", "请输入验证码|滑动验证|拖动滑块|人机验证|安全验证|完成验证后即可继续访问|当前环境异常",
         short_only=True),
)


def _prefix_index() -> tuple[dict[int, tuple[bytes, ...]], np.ndarray]:
    """The tokens by their first 4 bytes (as a little-endian number), and the table of those numbers' hashes."""
    by_prefix: dict[int, tuple[bytes, ...]] = {}
    for token in sorted({t for signature in SIGNATURES for t in signature.tokens}):
        prefix = int.from_bytes(token[:_WINDOW], "little")
        by_prefix[prefix] = (*by_prefix.get(prefix, ()), token)
    table = np.zeros(1 << 16, dtype=bool)
    table[((np.array(list(by_prefix), dtype=np.uint32) | _FOLD) * _HASH_MULTIPLIER) >> 16] = True
    return by_prefix, table


_BY_PREFIX, _PREFIX_HASHES = _prefix_index()
# Pages with less visible text than this are short enough for the phrase markers (a news article is longer).
SHORT_PAGE_TEXT = 1500
_TAGS = re.compile(rb"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
_SPACE = re.compile(rb"\s+")
_ASCII = bytes(range(128))
# Where a redirect lands when a site wants a human: a captcha page or a verify/waf path segment.
_CAPTCHA_URL = re.compile(r"captcha|/(?:verify|verification|waf|antibot|anti-bot)(?:/|\.|$)", re.I)
_JSL_COOKIE = re.compile(r"__jsluid|__jsl_clearance")
_RUISHU_COOKIE = re.compile(r"\b[0-9A-Za-z]{13,15}(?:80|443)[ST]=")


def _visible_length(body: bytes) -> int:
    return len(_SPACE.sub(b"", _TAGS.sub(b"", body)))


def tokens_in(page: bytes) -> frozenset[bytes]:
    """Which signature tokens occur in `page`, ignoring ASCII case: those `token in page.lower()` finds."""
    found: set[bytes] = set()
    for offset in range(min(_WINDOW, len(page))):  # windows at offset, offset + 4, ...: four views, no copy
        windows = np.frombuffer(page, dtype="<u4", offset=offset, count=(len(page) - offset) // _WINDOW)
        for i in np.flatnonzero(_PREFIX_HASHES.take(((windows | _FOLD) * _HASH_MULTIPLIER) >> 16)).tolist():
            start = _WINDOW * i + offset
            window = page[start:start + _WINDOW].lower()
            for token in _BY_PREFIX.get(int.from_bytes(window, "little"), ()):
                if page[start:start + len(token)].lower() == token:
                    found.add(token)
    return frozenset(found)


def detect_block(status: int, headers: dict[str, str], body: bytes, url: str = "") -> str | None:
    """Why this answer is a challenge/block/captcha page rather than content, or None when it is content.

    Cheap on ordinary pages (one numpy pass over the page finds no token): it runs on every answer.
    """
    if status in BLOCK_STATUSES:
        return BLOCK_STATUSES[status]
    cookies = headers.get("set-cookie", "")
    if cookies and status >= 400 and _JSL_COOKIE.search(cookies):
        return "加速乐 (Jiasule) cookie challenge"
    if cookies and status in (202, 400, 403) and _RUISHU_COOKIE.search(cookies):
        return "瑞数 (Ruishu) cookie challenge"
    if status < 400 and len(body) < 50_000 and _CAPTCHA_URL.search(url.split("?")[0]):
        return f"redirected to a verification page ({url})"
    head = body[:200_000]
    found = tokens_in(head)
    if not found:  # an ordinary page: no signature can match
        return None
    # Phrase markers only count on short pages; a page with thousands of non-ASCII characters (Chinese text,
    # three bytes each) is no block page, and skipping their search keeps ordinary pages cheap.
    # (Non-ASCII bytes are what is left once the ASCII ones are deleted: inline scripts do not count.)
    maybe_short = len(head.translate(None, _ASCII)) < 6 * SHORT_PAGE_TEXT
    short: bool | None = None
    for signature in SIGNATURES:
        if signature.short_only and not maybe_short:
            continue
        if found.isdisjoint(signature.tokens):
            continue
        if signature.pattern is not None and not signature.pattern.search(head):
            continue
        if signature.short_only:
            if short is None:
                short = _visible_length(head) < SHORT_PAGE_TEXT
            if not short:
                continue
        return signature.label
    return None


class Blocked(IgnoreRequest):
    """A source answered with a challenge or block page (counted as `blocked`, never parsed)."""


class BlockDetectionMiddleware:
    """Turn challenge/block answers to a source's requests into a `Blocked` failure, counted for the source.

    After UNION_NEWS_BLOCKED_GIVE_UP blocked answers in a run, the source's remaining requests are dropped
    without being sent: hammering a site that refuses us is neither polite nor useful.
    """

    def __init__(self, stats: object, give_up_after: int = 3) -> None:
        self.stats = stats
        self.give_up_after = give_up_after
        self.blocked: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats, crawler.settings.getint("UNION_NEWS_BLOCKED_GIVE_UP", 3))

    def process_request(self, request: Request) -> None:
        source_id = request.meta.get("source_id")
        if source_id and self.give_up_after and self.blocked.get(source_id, 0) >= self.give_up_after:
            bump(self.stats, source_id, "skipped_blocked")
            raise Blocked(f"{source_id}: not sent, the source blocked us {self.blocked[source_id]} times this run")

    def process_response(self, request: Request, response: Response) -> Response:
        source_id = request.meta.get("source_id")
        if not source_id:  # robots.txt and other housekeeping requests
            return response
        if urlparse_cached(response).hostname == WECHAT_HOST and response.status not in BLOCK_STATUSES:
            # WeChat's own verification gate is read by the WeChat parser, which parks the URL for a later retry.
            return response
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        reason = detect_block(response.status, headers, response.body, response.url)
        if reason is None:
            return response
        self.blocked[source_id] = self.blocked.get(source_id, 0) + 1
        bump(self.stats, source_id, "blocked")
        message = f"blocked: {reason} at {response.url}"
        self.stats.set_value(f"source/{source_id}/last_error", message)  # type: ignore[attr-defined]
        logger.warning("%s: %s", source_id, message)
        raise Blocked(message)
