"""Canonical URLs, and the identity of WeChat articles ((__biz, mid, idx))."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that never change what a page is: analytics, share tracking, WeChat session noise.
_TRACKING_PREFIXES = ("utm_", "spm", "share", "from", "isappinstalled", "scene", "clicktime", "enterid")
_TRACKING = {"chksm", "mpshare", "srcid", "sharer_sharetime", "sharer_shareid", "pass_ticket", "exportkey",
             "ascene", "devicetype", "version", "lang", "nettype", "wx_header", "poc_token", "key", "uin",
             "abtest_cookie", "sessionid", "subscene", "rd2werd", "fasttmpl_type", "fasttmpl_fullversion"}

WECHAT_HOST = "mp.weixin.qq.com"


@dataclass(frozen=True, slots=True)
class WechatRef:
    """What a WeChat URL says about an article: its key when long, its short id when short."""

    biz: str | None = None
    mid: str | None = None
    idx: str | None = None
    sn: str | None = None
    short_id: str | None = None
    temporary: bool = False  # Sogou-style link: expires, never an identity

    @property
    def key(self) -> tuple[str, str, str] | None:
        """(__biz, mid, idx) when all three are known."""
        if self.biz and self.mid and self.idx:
            return (self.biz, self.mid, self.idx)
        return None


def is_wechat_url(url: str) -> bool:
    """True for mp.weixin.qq.com article URLs."""
    return urlsplit(url).hostname == WECHAT_HOST


def parse_wechat_url(url: str) -> WechatRef:
    """Read the identity parameters of a WeChat URL (long, short or temporary form)."""
    parts = urlsplit(url)
    if parts.path.startswith("/s/") and len(parts.path) > 3:
        return WechatRef(short_id=parts.path[3:].strip("/"))
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if "signature" in params and "timestamp" in params and "__biz" not in params:
        return WechatRef(temporary=True)
    return WechatRef(
        biz=params.get("__biz") or None,
        mid=params.get("mid") or params.get("appmsgid") or None,
        idx=params.get("idx") or params.get("itemidx") or None,
        sn=params.get("sn") or params.get("sign") or None,
    )


def wechat_url(biz: str, mid: str, idx: str, sn: str | None = None) -> str:
    """The normal form of a WeChat article URL: only __biz, mid, idx and sn, no fragment."""
    query = [("__biz", biz), ("mid", mid), ("idx", idx)] + ([("sn", sn)] if sn else [])
    return urlunsplit(("https", WECHAT_HOST, "/s", urlencode(query, safe="=/+"), ""))


def canonical_url(url: str) -> str | None:
    """The canonical form of an article URL, or None when the URL cannot identify anything (temporary links)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url or None
    host = parts.hostname.lower()
    if host == WECHAT_HOST:
        ref = parse_wechat_url(url)
        if ref.temporary:
            return None
        if ref.short_id:
            return urlunsplit(("https", WECHAT_HOST, f"/s/{ref.short_id}", "", ""))
        if ref.key:
            return wechat_url(ref.biz, ref.mid, ref.idx, ref.sn)  # type: ignore[arg-type]
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def absolutize(base: str, href: str | None) -> str | None:
    """Resolve a link against its page; None for empty, javascript: and mailto: links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    return urljoin(base, href)


def host_of(url: str) -> str:
    """The lower-cased host name of a URL."""
    return (urlsplit(url).hostname or "").lower()
