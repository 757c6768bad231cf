"""WeChat article pages (mp.weixin.qq.com): identity, account, time, body; deleted and verification pages."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from aggregator.extract.html import HtmlElement, meta_content, node_text_lines, text_of
from aggregator.sanitize import sanitize_html
from aggregator.text import clean_title

DELETED_MARKERS = ("该内容已被发布者删除", "此内容因违规无法查看", "该公众号已迁移", "内容已被删除")
VERIFY_MARKERS = ("当前环境异常，完成验证后即可继续访问", "环境异常", "完成验证后即可继续访问")
PAGE_TYPES = {"0": "normal", "5": "video", "6": "music", "7": "audio", "8": "image", "10": "text", "17": "short"}

# var biz = "" || "MzA...";  var ct = "1753319100";  createTime = '2025-07-24 09:05'
_VAR = re.compile(
    r"""(?:var\s+|window\.|\b)(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(?P<value>(?:(?:"[^"\n]*"|'[^'\n]*'|\d+)\s*(?:\|\|\s*)?)+)""",
)
_STRING = re.compile(r"""["']([^"'\n]*)["']|(\d+)""")
_WANTED = {"biz", "mid", "idx", "sn", "appmsgid", "ct", "createTime", "oriCreateTime", "nickname", "user_name",
           "msg_title", "msg_desc", "msg_link", "msg_source_url", "copyright_stat", "item_show_type",
           "real_item_show_type", "msg_cdn_url", "ip_wording", "provinceName", "cityName", "countryName",
           "svr_time", "author"}


@dataclass(slots=True)
class WechatPage:
    """What a WeChat page holds; `state` is ok, deleted or verify."""

    state: str = "ok"
    title: str = ""
    account: str | None = None
    author: str | None = None
    published_raw: str | None = None
    biz: str | None = None
    mid: str | None = None
    idx: str | None = None
    sn: str | None = None
    user_name: str | None = None
    source_url: str | None = None  # 阅读原文
    original: bool = False
    ip_location: str | None = None
    page_type: str = "normal"
    body_lines: list[str] = field(default_factory=list)
    body_html: str = ""
    images: list[str] = field(default_factory=list)
    description: str | None = None


def script_vars(text: str) -> dict[str, str]:
    """Inline script variables; for `"" || "value"` forms the non-empty side wins."""
    found: dict[str, str] = {}
    for match in _VAR.finditer(text):
        name = match.group("name")
        if name not in _WANTED or found.get(name):
            continue
        values = [a if a is not None and a != "" else (b or "") for a, b in _STRING.findall(match.group("value"))]
        value = next((v for v in values if v), "")
        if value:
            found[name] = htmllib.unescape(value.replace("\\x26", "&").replace("\\/", "/"))
    return found


def detect_state(text: str) -> str:
    """'deleted', 'verify' or 'ok' for a WeChat page's text."""
    head = text[:200_000]
    if any(m in head for m in DELETED_MARKERS) and "js_content" not in head:
        return "deleted"
    if any(m in head for m in VERIFY_MARKERS) and "js_content" not in head:
        return "verify"
    return "ok"


def parse_wechat(doc: HtmlElement, raw_text: str, url: str) -> WechatPage:
    """Parse a WeChat article page (old h2 and new h1/js_title_inner forms, image and short posts)."""
    page = WechatPage(state=detect_state(raw_text))
    if page.state != "ok":
        return page
    vars_ = script_vars(raw_text)
    title_el = doc.get_element_by_id("activity-name", None)
    inner = doc.find_class("js_title_inner")
    title = text_of(inner[0]) if inner else text_of(title_el) if title_el is not None else ""
    page.title = clean_title(title or vars_.get("msg_title") or meta_content(doc, "og:title", "twitter:title") or "")
    name_el = doc.get_element_by_id("js_name", None)
    page.account = text_of(name_el) or vars_.get("nickname") or None
    author_el = doc.get_element_by_id("js_author_name", None)
    page.author = text_of(author_el) or meta_content(doc, "author") or vars_.get("author") or None
    page.published_raw = vars_.get("ct") or vars_.get("oriCreateTime") or vars_.get("createTime")
    if not page.published_raw:
        pub = doc.get_element_by_id("publish_time", None)
        page.published_raw = text_of(pub) or None
    page.biz, page.mid, page.idx, page.sn = (vars_.get("biz"), vars_.get("mid") or vars_.get("appmsgid"),
                                             vars_.get("idx"), vars_.get("sn"))
    page.user_name = vars_.get("user_name")
    page.source_url = vars_.get("msg_source_url") or None
    page.original = vars_.get("copyright_stat") == "1" or doc.get_element_by_id("copyright_logo", None) is not None
    ip_el = doc.get_element_by_id("js_ip_wording", None)
    page.ip_location = text_of(ip_el) or vars_.get("ip_wording") or vars_.get("provinceName") or None
    page.page_type = PAGE_TYPES.get(vars_.get("item_show_type", "0"), "normal")
    page.description = vars_.get("msg_desc") or meta_content(doc, "description", "og:description")
    content = doc.get_element_by_id("js_content", None)
    if content is not None:
        # The server hides the body until its script runs; the style must not survive into feeds.
        content.attrib.pop("style", None)
        page.body_lines = node_text_lines(content)
        page.body_html = sanitize_html(_to_string(content), url)
        page.images = re.findall(r'<img[^>]+src="([^"]+)"', page.body_html)
    if not page.body_lines and page.description:
        # Image and short posts carry their text in the description; still a usable article.
        page.body_lines = [page.description]
    return page


def _to_string(node: HtmlElement) -> str:
    import lxml.html

    return lxml.html.tostring(node, encoding="unicode")
