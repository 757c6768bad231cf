"""Canonical URLs, and the identity of WeChat articles ((__biz, mid, idx)).

A WeChat article URL comes in three forms (docs/wechat.md, "Identity"):

- the permanent long link ``/s?__biz=…&mid=…&idx=…&sn=…`` (also ``/mp/appmsg/show`` with the aliases
  ``appmsgid``, ``itemidx``, ``sign``): its key ``(__biz, mid, idx)`` is the article's identity;
- the short link ``/s/<id>``: an identity only until the page is fetched and names the key;
- the temporary (Sogou) link ``/s?src=11&timestamp=…&signature=…``: expires, never an identity.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that never change what a page is: analytics, share tracking, WeChat session noise.
_TRACKING_PREFIXES = ("utm_", "spm", "share", "from", "isappinstalled", "scene", "clicktime", "enterid")
_TRACKING = {"chksm", "mpshare", "srcid", "sharer_sharetime", "sharer_shareid", "pass_ticket", "exportkey",
             "ascene", "devicetype", "version", "lang", "nettype", "wx_header", "poc_token", "key", "uin",
             "abtest_cookie", "sessionid", "subscene", "rd2werd", "fasttmpl_type", "fasttmpl_fullversion"}

WECHAT_HOST = "mp.weixin.qq.com"
# Paths that show one article; /mp/rumor, /mp/profile_ext, /mp/appmsgalbum carry __biz too but are not articles.
_ARTICLE_PATHS = ("/s", "/mp/appmsg/show")
_SHORT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_DIGITS = re.compile(r"^\d{1,20}$")
_BIZ = re.compile(r"^[A-Za-z0-9+/]{4,}={0,2}$")
_SN = re.compile(r"^[0-9a-fA-F]{8,64}$")


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

    @property
    def kind(self) -> str:
        """long, short, temporary or other (not an article link, or one that names nothing)."""
        if self.key:
            return "long"
        if self.short_id:
            return "short"
        return "temporary" if self.temporary else "other"

    @property
    def url(self) -> str | None:
        """The identity URL: the normal long form, the short link, or None (temporary and other links)."""
        if self.key:
            return wechat_url(*self.key, self.sn)  # type: ignore[misc]
        if self.short_id:
            return short_url(self.short_id)
        return None


def fix_escaped_url(url: str) -> str:
    """Undo the escaping WeChat pages and mirrors leave in links (&amp;, \\x26, \\u0026, \\/)."""
    return (url.strip().replace("&amp;", "&").replace("\\x26", "&").replace("\\u0026", "&")
            .replace("\\/", "/"))


def is_wechat_url(url: str) -> bool:
    """True for mp.weixin.qq.com URLs."""
    return host_of(fix_escaped_url(url)) == WECHAT_HOST


def _first_params(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name, value.strip())
    return params


def parse_wechat_url(url: str) -> WechatRef:
    """Read the identity parameters of a WeChat URL (long, short or temporary form); other URLs name nothing."""
    url = fix_escaped_url(url)
    parts = urlsplit(url)
    if (parts.hostname or "").lower() != WECHAT_HOST:
        return WechatRef()
    if parts.path.startswith("/s/"):
        short = parts.path[3:].strip("/")
        return WechatRef(short_id=short) if _SHORT_ID.match(short) else WechatRef()
    if parts.path.rstrip("/") not in _ARTICLE_PATHS:
        return WechatRef()
    params = _first_params(parts.query)
    # A raw '+' in __biz arrives as a space after query decoding; base64 never contains spaces.
    biz = (params.get("__biz") or "").replace(" ", "+") or None
    mid = params.get("mid") or params.get("appmsgid") or None
    idx = params.get("idx") or params.get("itemidx") or None
    sn = params.get("sn") or params.get("sign") or None
    biz = biz if biz and _BIZ.match(biz) else None
    mid = mid if mid and _DIGITS.match(mid) else None
    idx = idx if idx and _DIGITS.match(idx) else None
    sn = sn if sn and _SN.match(sn) else None
    if biz and mid and idx:
        return WechatRef(biz=biz, mid=mid, idx=idx, sn=sn)
    temporary = bool(params.get("signature") and params.get("timestamp"))
    return WechatRef(biz=biz, temporary=temporary)


def wechat_url(biz: str, mid: str, idx: str, sn: str | None = None) -> str:
    """The normal form of a WeChat article URL: only __biz, mid, idx and sn, https, no fragment."""
    query = [("__biz", biz), ("mid", mid), ("idx", idx)] + ([("sn", sn)] if sn else [])
    return urlunsplit(("https", WECHAT_HOST, "/s", urlencode(query, safe="=/+"), ""))


def short_url(short_id: str) -> str:
    """The normal form of a WeChat short link."""
    return urlunsplit(("https", WECHAT_HOST, f"/s/{short_id}", "", ""))


def biz_to_id(biz: str) -> str | None:
    """The account's numeric id that __biz encodes (Wechat2RSS and WeWe-RSS name feeds by it), or None."""
    try:
        decoded = base64.b64decode(biz, validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded.isdigit() else None


def id_to_biz(account_id: str | int) -> str:
    """The __biz of a numeric account id (the inverse of biz_to_id)."""
    return base64.b64encode(str(account_id).encode("ascii")).decode("ascii")


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
        if ref.url:
            return ref.url
        url = fix_escaped_url(url)
        parts = urlsplit(url)
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
