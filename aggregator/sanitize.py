"""Sanitize article HTML: a small allow-list of tags and attributes, absolute URLs, no script of any kind."""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from aggregator.text import strip_xml_invalid
from aggregator.urls import absolutize

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "small", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "blockquote", "table", "thead", "tbody", "tr", "td", "th", "img", "a", "figure", "figcaption", "span", "div",
    "iframe", "video", "audio", "source",
}
# Dropped with everything inside them.
DROP_TAGS = {"script", "style", "noscript", "template", "object", "embed", "applet", "form", "input", "button",
             "select", "textarea", "svg", "math", "link", "meta", "head", "title", "base", "frame", "frameset",
             # Raw-text and legacy elements whose content browsers parse differently from lxml (mXSS vectors).
             "xmp", "plaintext", "noembed", "noframes", "listing", "portal", "dialog"}
# Void elements among them: they have no content of their own.
_VOID_DROPS = {"embed", "input", "link", "meta", "base", "frame"}
ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "iframe": {"src", "width", "height"},
    "video": {"src", "poster", "controls"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
}
# Video players that may stay embedded; an iframe from any other host is removed.
IFRAME_HOSTS = {"v.qq.com", "player.bilibili.com", "player.youku.com", "open.iqiyi.com", "www.ixigua.com"}
# Hotlink-protected image hosts: sent without a Referer they load; with one they show a "not allowed" image.
NO_REFERRER_HOSTS = ("qpic.cn", "qlogo.cn", "mmbiz.qpic.cn")
_LAZY_SRC = ("data-src", "data-original", "data-url", "data-lazy-src", "_src")


def _safe_url(base: str, value: str | None) -> str | None:
    url = absolutize(base, value)
    if not url:
        return None
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("http", "https") else None


def sanitize_html(html: str | Tag, base_url: str) -> str:
    """Return safe HTML for feeds and pages: allowed tags only, no event handlers, no javascript: URLs."""
    soup = html if isinstance(html, Tag) else BeautifulSoup(strip_xml_invalid(html), "lxml")
    root = soup.body if isinstance(soup, BeautifulSoup) and soup.body is not None else soup
    # Comments, CDATA, processing instructions and doctypes: never content, and comments can hide markup.
    for special in root.find_all(string=lambda s: isinstance(s, PreformattedString)):
        special.extract()
    for tag in root.find_all(list(DROP_TAGS)):
        if tag.decomposed:
            continue
        if tag.name in _VOID_DROPS:
            tag.unwrap()  # libxml2 may nest the following content inside a void element: keep that content
        else:
            tag.decompose()
    for tag in list(root.find_all(True)):
        if tag.decomposed:
            continue
        name = tag.name.lower()
        if name not in ALLOWED_TAGS:
            tag.unwrap()
            continue
        if name == "img":
            src = tag.get("src")
            lazy = next((tag.get(a) for a in _LAZY_SRC if tag.get(a)), None)
            if lazy and (not src or str(src).startswith("data:")):
                tag["src"] = lazy
        allowed = ALLOWED_ATTRS.get(name, set())
        for attr in list(tag.attrs):
            if attr.lower() not in allowed:
                del tag[attr]
        for attr in ("href", "src", "poster"):
            if attr in tag.attrs:
                url = _safe_url(base_url, str(tag[attr]))
                if url is None:
                    del tag[attr]
                else:
                    tag[attr] = url
        if name == "iframe":
            host = urlsplit(str(tag.get("src", ""))).hostname or ""
            if host not in IFRAME_HOSTS:
                tag.decompose()
                continue
            # Even a known player runs in a sandbox and learns nothing about the page that embeds it.
            tag["sandbox"] = "allow-scripts allow-same-origin allow-popups allow-presentation"
            tag["referrerpolicy"] = "no-referrer"
            tag["allowfullscreen"] = ""
            tag["loading"] = "lazy"
        if name == "img":
            if "src" not in tag.attrs:
                tag.decompose()
                continue
            host = urlsplit(str(tag["src"])).hostname or ""
            if host.endswith(NO_REFERRER_HOSTS):
                tag["referrerpolicy"] = "no-referrer"
            tag["loading"] = "lazy"
        if name == "a" and "href" in tag.attrs:
            tag["rel"] = "noopener noreferrer"
    # Empty wrappers left behind by removed widgets are noise in feeds.
    for tag in list(root.find_all(["p", "div", "span"])):
        if not tag.decomposed and not tag.get_text(strip=True) and not tag.find(["img", "iframe", "video", "audio"]):
            tag.decompose()
    if isinstance(root, Tag) and root.name in ("body", "[document]", "html"):
        # Text directly under the root (a <section> body unwrapped) is escaped like any other: str() would not.
        return "".join(child.output_ready() if isinstance(child, NavigableString) else str(child)
                       for child in root.children if not (isinstance(child, NavigableString) and not child.strip()))
    return str(root)
