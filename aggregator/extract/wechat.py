"""WeChat article pages (mp.weixin.qq.com) and mirror items: identity, account, time, body, page type.

Reads the old (2020, `<h2>` title) and new (`<h1>` with `span.js_title_inner`, `createTime`, IP location) page
forms, the image, video, audio, text and short post types, and recognises the pages that are not articles:
deleted (该内容已被发布者删除), the verification gate (当前环境异常，完成验证后即可继续访问, captcha URLs) and expired
temporary links. Nothing here fetches anything; see docs/wechat.md for the rules.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import lxml.html

from aggregator.extract.html import HtmlElement, meta_content, node_text_lines, parse_html, text_of
from aggregator.records import ArticleRecord, Page
from aggregator.sanitize import sanitize_html
from aggregator.text import clean_line, clean_text, clean_title
from aggregator.urls import canonical_url, fix_escaped_url, parse_wechat_url, wechat_url

if TYPE_CHECKING:
    from aggregator.mirrors import FeedEntry
    from aggregator.sources import Source

# Pages whose article is gone for good: removed by the publisher, by a complaint, or the account moved.
DELETED_MARKERS = ("该内容已被发布者删除", "此内容因违规无法查看", "此内容被投诉且经审核涉嫌侵权", "该内容已被删除",
                   "此内容发送失败无法查看", "该公众号已迁移")
# The anti-bot gate shown to non-WeChat clients and datacenter addresses: try again later.
VERIFY_MARKERS = ("完成验证后即可继续访问", "当前环境异常", "环境异常，请完成验证", "请在微信客户端打开链接")
EXPIRED_MARKERS = ("链接已过期",)
# item_show_type values (view-source of a share page, ITEM_SHOW_TYPE_MAP).
PAGE_TYPES = {"0": "normal", "5": "video", "6": "music", "7": "audio", "8": "image", "10": "text", "17": "short"}
# The "raw page" kept for an article whose text came from a mirror feed (reprocess reads it back).
MIRROR_ITEM_TYPE = "application/vnd.union-news.mirror-item+json"
VOICE_URL = "https://res.wx.qq.com/voice/getvoice?mediaid="
RECORD_STATUS = {"ok": "ok", "deleted": "deleted", "verify": "blocked", "expired": "empty", "empty": "empty"}

_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
_STR = r"""(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
_ATOM = rf"""(?:(?:htmlDecode|JsDecode|decodeURIComponent)\s*\(\s*{_STR}\s*\)|{_STR}|\d+(?![\w.]))"""
_VALUE = rf"""{_ATOM}(?:\s*\|\|\s*{_ATOM})*"""
_WANTED = {"biz", "mid", "appmsgid", "idx", "itemidx", "sn", "ct", "create_time", "createTime", "oriCreateTime",
           "nickname", "nick_name", "user_name", "msg_title", "msg_desc", "desc", "msg_link", "msg_source_url",
           "copyright_stat", "_copyright_stat", "item_show_type", "real_item_show_type", "msg_cdn_url",
           "provinceName", "cityName", "countryName", "voiceid", "duration", "content_noencode", "short_content"}
# var biz = "" || "MzA…";  window.ct = '17…' || '';  item_show_type: '8' * 1,  var msg_title = '…'.html(false);
# A name must start a statement or a property (so `"&sn="+sn+"` in a URL-building expression is not `sn`) and
# its value must end there (so a string that is concatenated further is not taken). The names are found with
# str.find first: a regex scan of the ~700 KB of script on a real page would be the parser's slowest step.
_ASSIGN = re.compile(
    rf"""(?P<name>[A-Za-z_$][\w$]*)\s*(?:=(?!=)|:)\s*"""
    rf"""(?:window\.[\w$]+\s*=\s*)*(?P<value>{_VALUE})(?=\s*(?:\*\s*1\b|\.html\(|[;,}}\n)]|$))""",
)
_STARTS = frozenset(" \t\r\n;{,(")
_LITERAL = re.compile(rf"""({_STR})|(\d+)""")
_JS_ESCAPE = re.compile(r"""\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|\n|.)""", re.S)
_JS_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": ""}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BLOCKS = {"p", "div", "section", "table", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "figure"}
_WIDGETS = ("mpprofile", "mp-common-profile", "mp-style-type", "mp-common-mpaudio", "qqmusic", "mpvideosnap",
            "mp-miniprogram", "mpcps", "mp-common-product")
# Wechat2RSS starts its full text with a line such as "原创 张三 2025-07-24 09:05 北京".
_PREAMBLE = re.compile(r"(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?\s*\d{1,2}:\d{2}")
_FULL_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}")


@dataclass(slots=True)
class WechatPage:
    """What a WeChat page holds; `state` is ok, deleted, verify, expired or empty (no article, no known gate)."""

    state: str = "ok"
    marker: str | None = None  # the text or URL that decided a non-ok state
    title: str = ""
    account: str | None = None
    author: str | None = None
    published_raw: str | None = None  # ct (Unix seconds) when present, else createTime / the shown date
    biz: str | None = None
    mid: str | None = None
    idx: str | None = None
    sn: str | None = None
    user_name: str | None = None
    source_url: str | None = None  # 阅读原文
    original: bool = False  # 原创
    ip_location: str | None = None
    page_type: str = "normal"
    body_lines: list[str] = field(default_factory=list)
    body_html: str = ""
    images: list[str] = field(default_factory=list)
    description: str | None = None
    cover: str | None = None
    repost_of: str | None = None  # the original article of a share whose own body is empty

    @property
    def key(self) -> tuple[str, str, str] | None:
        """(__biz, mid, idx) when the page names all three."""
        return (self.biz, self.mid, self.idx) if self.biz and self.mid and self.idx else None

    @property
    def url(self) -> str | None:
        """The article's normal long URL, when the page names its key."""
        return wechat_url(self.biz, self.mid, self.idx, self.sn) if self.key else None  # type: ignore[arg-type]


# -- script variables ------------------------------------------------------------------------------------
def js_unescape(literal: str) -> str:
    """The value of a JavaScript string body (\\xNN, \\uNNNN, \\n and friends decoded)."""

    def replace(match: re.Match[str]) -> str:
        esc = match.group(1)
        if esc[0] == "x" and len(esc) == 3:
            return chr(int(esc[1:], 16))
        if esc.startswith("u{"):
            return chr(int(esc[2:-1], 16))
        if esc[0] == "u" and len(esc) == 5:
            return chr(int(esc[1:], 16))
        return _JS_SIMPLE.get(esc, esc)

    return _JS_ESCAPE.sub(replace, literal)


def _literal_values(value: str) -> list[str]:
    out = []
    for string, number in _LITERAL.findall(value):
        out.append(js_unescape(string[1:-1]) if string else number)
    return out


def script_text(raw_text: str) -> str:
    """The bodies of every <script> of a page, joined (variables are only read there, never in article text)."""
    return "\n".join(_SCRIPT.findall(raw_text))


def script_vars(scripts: str) -> dict[str, str]:
    """Inline script variables WeChat pages carry; for `"" || "value"` forms the non-empty side wins."""
    found: dict[str, str] = {}
    for name in _WANTED:
        start = 0
        while (at := scripts.find(name, start)) != -1:
            start = at + len(name)
            before = scripts[at - 1] if at else " "
            if before not in _STARTS and not scripts.endswith("window.", 0, at):
                continue
            match = _ASSIGN.match(scripts, at)
            if match is None or match.group("name") != name:
                continue
            value = next((v for v in _literal_values(match.group("value")) if v.strip()), "")
            if value:
                found[name] = value
                break
    return found


def _balanced(text: str, start: int, opening: str, closing: str) -> str | None:
    """The bracketed JavaScript value starting at text[start] (strings skipped), or None if it never closes."""
    depth, i, quote = 0, start, ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return None


def _top_level(obj: str) -> str:
    """An object literal with its nested objects and arrays blanked out (so only its own keys remain)."""
    out, depth, quote, i = [], 0, "", 0
    while i < len(obj):
        ch = obj[i]
        if quote:
            if depth <= 1:
                out.append(ch)
            if ch == "\\" and i + 1 < len(obj):
                if depth <= 1:
                    out.append(obj[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
        else:
            if ch in "'\"":
                quote = ch
            if ch in "{[":
                depth += 1
            if depth <= 1:
                out.append(ch)
            if ch in "}]":
                depth -= 1
        i += 1
    return "".join(out)


def picture_list(scripts: str) -> list[str]:
    """The images of an image post (picture_page_info_list → cdn_url), each item's own image only."""
    match = re.search(r"picture_page_info_list\s*[:=]\s*\[", scripts)
    if not match:
        return []
    array = _balanced(scripts, match.end() - 1, "[", "]")
    if not array:
        return []
    urls: list[str] = []
    i = 0
    while (start := array.find("{", i)) != -1:
        obj = _balanced(array, start, "{", "}")
        if obj is None:
            break
        own = re.search(rf"""\bcdn_url\s*:\s*({_ATOM})""", _top_level(obj))
        if own:
            url = next((v for v in _literal_values(own.group(1)) if v.strip()), "")
            fixed = fix_image_url(htmllib.unescape(url)) if url else None
            if fixed:
                urls.append(fixed)
        i = start + len(obj)
    return list(dict.fromkeys(urls))


# -- states ----------------------------------------------------------------------------------------------
def detect_state(raw_text: str, url: str, has_article: bool) -> tuple[str, str | None]:
    """('ok'|'deleted'|'verify'|'expired'|'empty', marker). An article on the page always wins over markers."""
    if has_article:
        return "ok", None
    path = urlsplit(url).path.lower()
    if "captcha" in path or "wappoc_appmsgcaptcha" in path:
        return "verify", urlsplit(url).path
    for state, markers in (("deleted", DELETED_MARKERS), ("verify", VERIFY_MARKERS), ("expired", EXPIRED_MARKERS)):
        for marker in markers:
            if marker in raw_text:
                return state, marker
    return "empty", None


# -- body ------------------------------------------------------------------------------------------------
def fix_image_url(url: str | None) -> str | None:
    """A usable image URL: https for WeChat's CDN, mirror image proxies unwrapped, placeholders dropped."""
    if not url:
        return None
    url = fix_escaped_url(url)
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    if "qpic.cn" not in (parts.hostname or ""):
        # Mirrors proxy WeChat images (Wechat2RSS /img-proxy?k=…&u=…); publish the original, never their key.
        inner = dict(parse_qsl(parts.query)).get("u") or dict(parse_qsl(parts.query)).get("url")
        if inner and "qpic.cn" in (urlsplit(inner).hostname or ""):
            return fix_image_url(inner)
    host = (parts.hostname or "").lower()
    if host.endswith("qpic.cn") and parts.scheme == "http":
        url = "https" + url[4:]
    if host == "res.wx.qq.com" and ("pic_blank" in parts.path or "empty" in parts.path):
        return None
    return url


def _drop(el: HtmlElement) -> None:
    el.drop_tree()  # keeps the element's tail text


def clean_content(root: HtmlElement) -> tuple[str | None, str | None]:
    """Make #js_content readable in place; return (IP location, 阅读原文 URL) found in mirror trailers.

    Hidden styles on the container go (the server reveals it by script), hidden descendants are dropped,
    data-src becomes src, voice and video embeds become audio/iframe, sections become p or div.
    """
    root.attrib.pop("style", None)
    for el in list(root.iter(lxml.html.etree.Comment)):
        _drop(el)
    for el in list(root.iter()):
        if el is root or el.getparent() is None or not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("script", "style", "noscript", "template") or tag in _WIDGETS:
            _drop(el)
        elif _HIDDEN.search(el.get("style") or ""):
            _drop(el)
    for img in root.iter("img"):
        src = fix_image_url(img.get("data-src") or img.get("data-original") or img.get("src"))
        for attr in ("data-src", "data-original", "src"):
            img.attrib.pop(attr, None)
        if src:
            img.set("src", src)
    for frame in root.iter("iframe"):
        src = frame.get("data-src") or frame.get("src")
        if src:
            frame.set("src", fix_escaped_url(src))
    for voice in list(root.iter("mpvoice")):
        fileid = voice.get("voice_encode_fileid")
        if fileid:
            audio = lxml.html.Element("audio", controls="controls", src=f"{VOICE_URL}{fileid}")
            audio.tail = voice.tail
            voice.getparent().replace(voice, audio)  # type: ignore[union-attr]
    for section in list(root.iter("section")):
        has_blocks = any(isinstance(d.tag, str) and d.tag in _BLOCKS for d in section.iterdescendants())
        section.tag = "div" if has_blocks else "p"
    ip_location = source_url = None
    # RSSHub appends "📍发表于：…" and "🔗️ 阅读原文" to the text it mirrors: fields, not article text.
    for el in list(root.iter("p", "div")):
        text = clean_line(el.text_content())
        if text.startswith("📍") and len(text) < 40:
            ip_location = clean_line(text.lstrip("📍").split("：", 1)[-1].split(":", 1)[-1]) or None
            _drop(el)
        elif text.startswith("🔗") and "阅读原文" in text and len(text) < 20:
            link = el.find(".//a")
            source_url = link.get("href") if link is not None else None
            _drop(el)
    return ip_location, source_url


def _image_urls(body_html: str) -> list[str]:
    return list(dict.fromkeys(htmllib.unescape(u) for u in re.findall(r'<img[^>]+src="([^"]+)"', body_html)))


def _text_html(text: str) -> HtmlElement:
    """A div for post text that is plain text with newlines and maybe a few tags (image, text, short posts)."""
    fragment = re.sub(r"\r?\n", "<br>", text)
    return lxml.html.fragment_fromstring(fragment or "", create_parent="div")


def _title_from_text(lines: list[str]) -> str:
    """A title for a post without one (text posts): its first line, cut at the first sentence end."""
    first = lines[0] if lines else ""
    cut = re.search(r"[。！？!?]", first)
    if cut and cut.start() >= 6:
        first = first[: cut.start()]
    return first[:40]


def _to_string(node: HtmlElement) -> str:
    return lxml.html.tostring(node, encoding="unicode")


# -- the page --------------------------------------------------------------------------------------------
def parse_wechat(doc: HtmlElement, raw_text: str, url: str) -> WechatPage:
    """Parse a WeChat page (old h2 and new h1/js_title_inner forms; image, video, audio, text, short posts)."""
    scripts = script_text(raw_text)
    vars_ = script_vars(scripts)
    content = doc.get_element_by_id("js_content", None)
    pictures = picture_list(scripts)
    post_text = vars_.get("content_noencode") or vars_.get("short_content") or ""
    has_body = content is not None and (text_of(content) != "" or content.find(".//img") is not None)
    named = _identity(vars_, doc, "")[0] is not None and bool(
        vars_.get("msg_title") or vars_.get("msg_desc") or meta_content(doc, "og:title", "description"))
    # Video and music posts have no body of their own: a page naming its key and a title is still an article.
    has_article = has_body or bool(pictures) or bool(post_text.strip()) or named
    state, marker = detect_state(raw_text, url, has_article)
    page = WechatPage(state=state, marker=marker)
    share = doc.get_element_by_id("js_share_source", None)
    if not has_body and share is not None and share.get("data-url") and state in ("ok", "empty"):
        # A share of another article: its own body is empty, the original is linked.
        page.state, page.repost_of = "ok", canonical_url(htmllib.unescape(share.get("data-url", "")))
    if page.state != "ok":
        return page

    show_type = vars_.get("item_show_type") or vars_.get("real_item_show_type") or ("8" if pictures else "0")
    page.page_type = PAGE_TYPES.get(show_type, f"type{show_type}")
    page.biz, page.mid, page.idx, page.sn = _identity(vars_, doc, url)
    page.user_name = vars_.get("user_name")

    title_el = doc.get_element_by_id("activity-name", None)
    inner = title_el.find_class("js_title_inner") if title_el is not None else doc.find_class("js_title_inner")
    title = text_of(inner[0]) if inner else text_of(title_el)
    page.title = clean_title(title or htmllib.unescape(vars_.get("msg_title", ""))
                             or meta_content(doc, "og:title", "twitter:title") or "")
    name_el = doc.get_element_by_id("js_name", None)
    follow = doc.find_class("wx_follow_nickname")
    page.account = (text_of(name_el) or htmllib.unescape(vars_.get("nickname") or vars_.get("nick_name") or "")
                    or (text_of(follow[0]) if follow else "") or None)
    author_el = doc.get_element_by_id("js_author_name", None)
    author = text_of(author_el) or meta_content(doc, "author")
    # An "author" that is the account's own name says nothing more (RSSHub-style fallbacks do this).
    page.author = author if author and author != page.account else None
    page.published_raw = _published(vars_, doc)

    page.source_url = _http(vars_.get("msg_source_url"))
    stat = vars_.get("copyright_stat") or vars_.get("_copyright_stat")
    page.original = stat == "1" if stat is not None else doc.get_element_by_id("copyright_logo", None) is not None
    ip_el = doc.get_element_by_id("js_ip_wording", None)
    country = vars_.get("countryName")
    page.ip_location = (text_of(ip_el) or vars_.get("provinceName") or vars_.get("cityName")
                        or (country if country and country != "中国" else None) or None)
    desc = vars_.get("msg_desc") or meta_content(doc, "description", "og:description")
    page.description = clean_text(js_unescape(htmllib.unescape(desc))) if desc else None
    page.cover = fix_image_url(vars_.get("msg_cdn_url") or meta_content(doc, "og:image"))

    if has_body and content is not None:
        trailer_ip, trailer_source = clean_content(content)
        page.ip_location = page.ip_location or trailer_ip
        page.source_url = page.source_url or _http(trailer_source)
        page.body_lines = node_text_lines(content)
        page.body_html = sanitize_html(_to_string(content), url)
        if page.page_type == "audio" and vars_.get("voiceid") and "<audio" not in page.body_html:
            page.body_html += sanitize_html(_audio_tag(vars_["voiceid"]), url)
    elif not page.repost_of:
        _post_body(page, vars_, post_text, pictures, url)
    page.images = list(dict.fromkeys([*_image_urls(page.body_html), *pictures]))
    if not page.title and page.body_lines:
        page.title = _title_from_text(page.body_lines)
    return page


def _post_body(page: WechatPage, vars_: dict[str, str], post_text: str, pictures: list[str], url: str) -> None:
    """Body of a post without #js_content: its text (or description), its pictures, its audio."""
    text_div = _text_html(post_text) if post_text.strip() else None
    if text_div is not None:
        clean_content(text_div)
        page.body_lines = node_text_lines(text_div)
    elif page.description:
        page.body_lines = page.description.split("\n")
        text_div = _text_html(htmllib.escape(page.description))
    parts = [_to_string(text_div)] if text_div is not None else []
    parts += [f'<p><img src="{htmllib.escape(p)}"></p>' for p in pictures]
    if page.page_type == "audio" and vars_.get("voiceid"):
        parts.append(_audio_tag(vars_["voiceid"]))
    if page.page_type == "video" and page.cover:
        parts.insert(0, f'<p><img src="{htmllib.escape(page.cover)}"></p>')
    page.body_html = sanitize_html("".join(parts), url) if parts else ""


def _audio_tag(voice_id: str) -> str:
    return f'<audio controls src="{VOICE_URL}{htmllib.escape(voice_id)}"></audio>'


def _http(url: str | None) -> str | None:
    if not url:
        return None
    url = fix_escaped_url(htmllib.unescape(url))
    return url if url.startswith(("http://", "https://")) else None


def _identity(vars_: dict[str, str], doc: HtmlElement, url: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(__biz, mid, idx, sn): script variables first, then msg_link, og:url, and the page's own URL."""
    biz, mid, idx, sn = (vars_.get("biz"), vars_.get("mid") or vars_.get("appmsgid"),
                         vars_.get("idx") or vars_.get("itemidx"), vars_.get("sn"))
    if biz and mid and idx:
        ref = parse_wechat_url(wechat_url(biz, mid, idx, sn))  # the same validation as any URL
        if ref.key:
            return ref.biz, ref.mid, ref.idx, ref.sn
    for candidate in (vars_.get("msg_link"), meta_content(doc, "og:url"), url):
        ref = parse_wechat_url(htmllib.unescape(candidate)) if candidate else None
        if ref is not None and ref.key:
            return ref.biz, ref.mid, ref.idx, ref.sn
    return None, None, None, None


def _published(vars_: dict[str, str], doc: HtmlElement) -> str | None:
    """The publish time: ct (Unix seconds), else oriCreateTime, create_time, createTime, else a full shown date."""
    for name in ("ct", "oriCreateTime", "create_time", "createTime"):
        value = (vars_.get(name) or "").strip()
        if value.isdigit() and len(value) >= 9 or _FULL_DATE.search(value):
            return value
    # The rendered <em id="publish_time"> says 昨天/前天 relative to when the page was saved: only a full date counts.
    shown = text_of(doc.get_element_by_id("publish_time", None))
    return shown if _FULL_DATE.search(shown) else None


def _looks_truncated(body: bytes, text: str) -> bool:
    tail = text[-2000:].lower()
    return len(body) > 2000 and "</html>" not in tail and "</body>" not in tail


# -- records ---------------------------------------------------------------------------------------------
def wechat_record(page: Page, text: str, doc: HtmlElement, source: Source | None) -> ArticleRecord:
    """The record of a WeChat page (or of a kept mirror item), identity resolved as far as the page allows."""
    source_id = source.id if source else "unknown"
    if (page.header("content-type") or "").startswith(MIRROR_ITEM_TYPE):
        return mirror_record(page, source)
    wx = parse_wechat(doc, text, page.url)
    record = _record(wx, page.url, source_id)
    if record.status == "ok" and _looks_truncated(page.body, text):
        record.status = "truncated"
    return record


def _record(wx: WechatPage, url: str, source_id: str, requested: str | None = None) -> ArticleRecord:
    ref = parse_wechat_url(requested or url)
    aliases: list[str] = []
    if wx.key:
        identity = wx.url or ""
        # The requested short link, or another spelling of the same long link, names this article too.
        if ref.url and ref.url != identity and (ref.short_id or ref.key == wx.key):
            aliases.append(ref.url)
        biz, mid, idx = wx.key
    elif ref.key:
        identity, (biz, mid, idx) = ref.url or "", ref.key
    else:
        # A short link stays the identity until a page names the key; a temporary link never is one.
        identity, biz, mid, idx = ref.url or url, None, None, None
    status = RECORD_STATUS[wx.state]
    extra: dict[str, Any] = {k: v for k, v in {
        "source_url": wx.source_url, "original": wx.original or None, "ip_location": wx.ip_location,
        "user_name": wx.user_name, "cover": wx.cover, "repost_of": wx.repost_of,
        "wechat_state": wx.state if wx.state != "ok" else None, "marker": wx.marker}.items() if v}
    body_text = clean_text("\n".join(wx.body_lines))
    if status == "ok" and not body_text:
        status = "empty"
    if status == "ok" and ref.temporary and not wx.key:
        # Nothing identifies this article: a temporary link must never become one.
        status, extra["unidentified"] = "empty", True
    return ArticleRecord(
        url=identity, source_id=source_id, title=wx.title, published_raw=wx.published_raw, author=wx.author,
        origin=wx.account, body_text=body_text, body_html=wx.body_html, images=wx.images, aliases=aliases,
        wechat_account=wx.account, wechat_biz=biz, wechat_mid=mid, wechat_idx=idx,
        page_type=f"wechat:{wx.page_type}", status=status, extra=extra,
    )


# -- mirror items ----------------------------------------------------------------------------------------
def mirror_item_page(entry: FeedEntry, url: str, mirror_url: str, feed_title: str, fetched_at: Any = None) -> Page:
    """The kept "raw page" of an article whose text came from a mirror: the item itself, as JSON."""
    item = {"mirror": mirror_url, "account": feed_title, "link": entry.link, "title": entry.title,
            "published": entry.published_raw, "author": entry.author,
            "content_html": entry.fulltext}
    return Page(url=url, body=json.dumps(item, ensure_ascii=False).encode("utf-8"),
                headers={"content-type": f"{MIRROR_ITEM_TYPE}; charset=utf-8"}, status=200, fetched_at=fetched_at)


def _is_whole_page(content: str) -> bool:
    """WeWe-RSS without ENABLE_CLEAN_HTML puts the whole article page into the item."""
    return "<script" in content and ("var ct" in content or "var biz" in content or "cgiDataNew" in content)


def mirror_record(page: Page, source: Source | None) -> ArticleRecord:
    """The record of a mirror item kept by mirror_item_page: identity from its link, time from the feed."""
    source_id = source.id if source else "unknown"
    item = json.loads(page.body)
    link = item.get("link") or page.url
    content = item.get("content_html") or ""
    if _is_whole_page(content):
        record = _record(parse_wechat(parse_html(content, link), content, link), link, source_id, requested=link)
        record.published_raw = record.published_raw or item.get("published")
        record.extra.update(via="mirror", mirror=item.get("mirror"))
        return record
    root = lxml.html.fragment_fromstring(content or "<p></p>", create_parent="div")
    inner = next(iter(root.xpath('.//*[@id="js_content" or contains(@class, "rich_media_content")]')), None)
    body = inner if inner is not None else root
    ip_location, source_url = clean_content(body)
    lines = node_text_lines(body)
    original = False
    if lines and len(lines[0]) <= 60 and _PREAMBLE.search(lines[0]) and not lines[0].endswith("。"):
        # Wechat2RSS's first line (原创 / author / time / location) is about the article, not in it.
        original = "原创" in lines[0]
        after = lines[0][_PREAMBLE.search(lines[0]).end():].strip()  # type: ignore[union-attr]
        ip_location = ip_location or (after if 0 < len(after) <= 8 else None)
        _drop_first_line(body, lines[0])
        lines = lines[1:]
    wx = WechatPage(state="ok", title=clean_title(item.get("title") or ""), published_raw=item.get("published"),
                    ip_location=ip_location, source_url=_http(source_url), original=original, page_type="mirror",
                    body_lines=lines, body_html=sanitize_html(_to_string(body), link))
    wx.account = (source.account if source and source.account else None) or clean_line(item.get("account") or "") or None
    author = clean_line(item.get("author") or "")
    # RSSHub falls back to the account's name when an article names no author.
    wx.author = author if author and author != wx.account else None
    wx.images = _image_urls(wx.body_html)
    if sum(len(line) for line in lines) < 200:
        # A mirror that met the gate or a deleted page passes that page on as the "article".
        state, marker = detect_state(content, link, False)
        if state != "empty":
            wx.state, wx.marker, wx.body_lines, wx.body_html, wx.images = state, marker, [], "", []
    if not wx.title and lines:
        wx.title = _title_from_text(lines)
    record = _record(wx, link, source_id, requested=link)
    record.extra.update(via="mirror", mirror=item.get("mirror"))
    return record


def _drop_first_line(body: HtmlElement, line: str) -> None:
    for el in body.iter():
        if el is body or not isinstance(el.tag, str):
            continue
        if clean_line(el.text_content()) == line:
            _drop(el)
            return


def record_from_feed(entry: FeedEntry, mirror_url: str, feed_title: str, source: Source | None,
                     fetched_at: Any = None) -> tuple[ArticleRecord, Page]:
    """The record (and kept page) of a mirror item that carries the article's full text."""
    ref = parse_wechat_url(entry.link)
    page = mirror_item_page(entry, ref.url or entry.link, mirror_url, feed_title, fetched_at)
    return mirror_record(page, source), page


__all__ = ["WechatPage", "parse_wechat", "wechat_record", "mirror_record", "record_from_feed", "mirror_item_page",
           "script_vars", "script_text", "detect_state", "picture_list", "fix_image_url", "clean_content",
           "js_unescape", "PAGE_TYPES", "MIRROR_ITEM_TYPE"]
