"""WeChat mirror feeds: RSS 2.0 (RSSHub, Wechat2RSS), Atom, JSON Feed 1.1 (WeWe-RSS, RSSHub) and feeddd's JSON.

A mirror answers with items that name an article (a link in one of the WeChat URL forms), sometimes its full
text, and a date. The date means different things: RSSHub, Wechat2RSS and WeWe-RSS give the publish time (WeWe-RSS
puts it in Atom `updated` and JSON Feed `date_modified`), feeddd gives the time it crawled the item, which is only
an upper bound of the publish time. GUIDs are kept for diagnostics only: they are not identities (docs/wechat.md).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from aggregator.encoding import decode_html
from aggregator.records import Page

FORMATS = ("rss", "atom", "jsonfeed", "feeddd")

_ATOM = "http://www.w3.org/2005/Atom"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_RSS_NAMESPACES = ("", "{http://purl.org/rss/1.0/}", "{http://backend.userland.com/rss2}")
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"<(style|script)\b.*?</\1\s*>", re.S | re.I)
_BLOCK = re.compile(r"<(p|section|div|br|img|h[1-6]|li|blockquote|table)\b", re.I)
# A description this long (in characters of text) with block markup is the article, not a teaser.
FULLTEXT_MIN_CHARS = 140


class FeedError(ValueError):
    """The mirror answered something that is not a feed (an error page, a block page, broken XML or JSON)."""


@dataclass(slots=True)
class FeedEntry:
    """One item of a mirror feed, as the mirror gave it (links are made absolute, nothing else is judged)."""

    link: str
    title: str = ""
    published_raw: str | None = None  # a publish time; None when the mirror's date is not one
    seen_raw: str | None = None  # a date that only bounds the publish time from above (feeddd's crawl time)
    content_html: str | None = None  # the full-text field: content:encoded, Atom content, content_html/_text
    summary_html: str | None = None  # description / summary: the article in RSSHub and WeWe-RSS, a teaser elsewhere
    guid: str | None = None  # diagnostics only: mirror GUIDs are not identities
    author: str | None = None
    image: str | None = None

    @property
    def fulltext(self) -> str | None:
        """The article's text as HTML when the item carries it, else None (then the page must be fetched)."""
        if self.content_html and (text_length(self.content_html) or "<img" in self.content_html.lower()):
            return self.content_html
        if self.summary_html and looks_like_full_text(self.summary_html):
            return self.summary_html
        return None


@dataclass(slots=True)
class MirrorFeed:
    """A parsed mirror feed: its format, title (usually the account's name), generator and items."""

    format: str
    title: str = ""
    generator: str = ""
    entries: list[FeedEntry] = field(default_factory=list)
    crawl_times: bool = False  # the items' dates are when the mirror crawled them (feeddd)


def text_length(html: str) -> int:
    """Characters of text in an HTML fragment (tags, styles and spaces not counted)."""
    text = _TAG.sub("", _STYLE.sub("", html))
    return len(re.sub(r"\s+|&nbsp;", "", text))


def looks_like_full_text(html: str) -> bool:
    """True when a description is the article itself (RSSHub, WeWe-RSS) rather than a teaser."""
    if "rich_media_content" in html or 'id="js_content"' in html or "id=js_content" in html:
        return True
    stripped = _TAG.sub("", html).strip()
    if stripped.endswith(("...", "…")):
        return False
    return bool(_BLOCK.search(html)) and text_length(html) >= FULLTEXT_MIN_CHARS


def dates_are_crawl_times(fmt: str, mirror_url: str) -> bool:
    """True for mirrors whose item dates are crawl times: feeddd, directly or through RSSHub's feeddd route."""
    return fmt == "feeddd" or "/wechat/feeddd/" in urlsplit(mirror_url).path


def sniff_format(body: bytes, declared: str = "auto") -> str:
    """rss, atom, jsonfeed, feeddd, html or unknown. The document decides; `declared` settles JSON look-alikes."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    if head.startswith((b"{", b"[")):
        try:
            data = json.loads(body)
        except ValueError:
            return "unknown"
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            return "unknown"
        if str(data.get("version", "")).startswith("https://jsonfeed.org"):
            return "jsonfeed"
        return declared if declared in ("jsonfeed", "feeddd") else "feeddd"
    lowered = head.lower()
    if re.search(rb"<feed[\s>]", lowered) and b"2005/atom" in lowered:
        return "atom"
    if re.search(rb"<rss[\s>]", lowered) or b"<rdf:rdf" in lowered:
        return "rss"
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:512]:
        return "html"
    if b"<channel" in lowered:
        return "rss"
    return "unknown"


def read_feed(page: Page, declared: str = "auto") -> MirrorFeed:
    """Parse a mirror's answer into a MirrorFeed; raise FeedError for anything that is not a feed."""
    if not page.body.strip():
        raise FeedError("empty response")
    fmt = sniff_format(page.body, declared)
    if fmt == "html":
        raise FeedError("an HTML page, not a feed (an error, login or verification page?)")
    if fmt == "unknown":
        raise FeedError("neither RSS, Atom, JSON Feed nor feeddd JSON")
    base = page.url
    if fmt in ("jsonfeed", "feeddd"):
        feed = _read_json(page.body, fmt, base)
    else:
        root = _xml_root(page)
        feed = _read_rss(root, base) if fmt == "rss" else _read_atom(root, base)
    if dates_are_crawl_times(fmt, page.url):
        # A crawl time only bounds the publish time from above: never let it pass for one.
        feed.crawl_times = True
        for entry in feed.entries:
            entry.seen_raw, entry.published_raw = entry.seen_raw or entry.published_raw, None
    return feed


def parse_feed(page: Page, declared: str = "auto") -> list[FeedEntry]:
    """The entries of a mirror feed (see read_feed)."""
    return read_feed(page, declared).entries


# -- XML -------------------------------------------------------------------------------------------------
def _xml_root(page: Page) -> etree._Element:
    # Decode first (the declared encoding is sometimes wrong), then parse text without its declaration.
    text, _ = decode_html(page.body, page.header("content-type"))
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"broken XML: {exc}") from None
    if root is None:
        raise FeedError("broken XML: no document element")
    return root


def _local(el: etree._Element) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _child(el: etree._Element, name: str, ns: str | None = None) -> etree._Element | None:
    # RSS 2.0 elements have no namespace, RSS 1.0 ones do; atom:link in a channel must not pass for <link>.
    wanted = {f"{{{ns}}}{name}"} if ns else {f"{prefix}{name}" for prefix in _RSS_NAMESPACES}
    return next((child for child in el if child.tag in wanted), None)


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    if len(el) and el.get("type", "") == "xhtml":
        # Atom xhtml content: the markup is the children of one div.
        return "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in el).strip()
    return "".join(el.itertext()).strip()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub("", text)).strip()


def _read_rss(root: etree._Element, base: str) -> MirrorFeed:
    channel = next((el for el in root.iter() if _local(el) == "channel"), root)
    feed = MirrorFeed(format="rss", title=_clean(_text(_child(channel, "title"))),
                      generator=_clean(_text(_child(channel, "generator"))))
    home = _text(_child(channel, "link")) or base
    for item in (el for el in root.iter() if _local(el) == "item"):
        link = _text(_child(item, "link"))
        guid_el = _child(item, "guid")
        guid = _text(guid_el) or None
        if not link and guid and (guid_el is None or guid_el.get("isPermaLink", "true") != "false"):
            link = guid
        if not link:
            continue
        enclosure = _child(item, "enclosure")
        image = enclosure.get("url") if enclosure is not None and "image" in (enclosure.get("type") or "") else None
        feed.entries.append(FeedEntry(
            link=urljoin(home, link), title=_clean(_text(_child(item, "title"))),
            published_raw=_text(_child(item, "pubDate")) or _text(_child(item, "date", _DC)) or None,
            content_html=_text(_child(item, "encoded", _CONTENT)) or None,
            summary_html=_text(_child(item, "description")) or None, guid=guid,
            author=_clean(_text(_child(item, "author")) or _text(_child(item, "creator", _DC))) or None,
            image=image,
        ))
    return feed


def _read_atom(root: etree._Element, base: str) -> MirrorFeed:
    generator = root.find(f"{{{_ATOM}}}generator")
    feed = MirrorFeed(format="atom", title=_clean(_text(root.find(f"{{{_ATOM}}}title"))), generator=_clean(_text(generator)))
    for item in root.iter(f"{{{_ATOM}}}entry"):
        links = [l for l in item.findall(f"{{{_ATOM}}}link") if l.get("rel", "alternate") == "alternate" and l.get("href")]
        # Several alternates: the one on mp.weixin.qq.com names the article.
        link_el = next((l for l in links if "mp.weixin.qq.com" in (l.get("href") or "")), links[0] if links else None)
        guid = _text(item.find(f"{{{_ATOM}}}id")) or None
        link = link_el.get("href") if link_el is not None else (guid if guid and guid.startswith("http") else "")
        if not link:
            continue
        feed.entries.append(FeedEntry(
            link=urljoin(base, link), title=_clean(_text(item.find(f"{{{_ATOM}}}title"))),
            # WeWe-RSS writes the publish time into <updated> and leaves <published> out.
            published_raw=_text(item.find(f"{{{_ATOM}}}published")) or _text(item.find(f"{{{_ATOM}}}updated")) or None,
            content_html=_text(item.find(f"{{{_ATOM}}}content")) or None,
            summary_html=_text(item.find(f"{{{_ATOM}}}summary")) or None, guid=guid,
            author=_clean(_text(item.find(f"{{{_ATOM}}}author/{{{_ATOM}}}name"))) or None,
        ))
    return feed


# -- JSON ------------------------------------------------------------------------------------------------
def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _read_json(body: bytes, fmt: str, base: str) -> MirrorFeed:
    data = json.loads(body)  # sniff_format parsed it already
    feed = MirrorFeed(format=fmt, title=_clean(_str(data.get("title")) or ""))
    home = _str(data.get("home_page_url")) or base
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = _str(item.get("url")) or _str(item.get("external_url")) or _str(item.get("link"))
        if not link:
            continue
        link = urljoin(home, link)
        title = _clean(_str(item.get("title")) or "")
        guid = str(item["id"]) if item.get("id") is not None else None
        if fmt == "feeddd":
            # feeddd's date_modified is when feeddd crawled the item, never when it was published.
            feed.entries.append(FeedEntry(link=link, title=title, seen_raw=_str(item.get("date_modified")), guid=guid))
            continue
        authors = item.get("authors") if isinstance(item.get("authors"), list) else []
        if not authors and isinstance(item.get("author"), dict):
            authors = [item["author"]]
        author = next((_str(a.get("name")) for a in authors if isinstance(a, dict) and _str(a.get("name"))), None)
        text = _str(item.get("content_text"))
        content = _str(item.get("content_html")) or (
            "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()) if text else None)
        feed.entries.append(FeedEntry(
            link=link, title=title,
            # WeWe-RSS (the npm feed library) puts the publish time into date_modified.
            published_raw=_str(item.get("date_published")) or _str(item.get("date_modified")),
            content_html=content, summary_html=_str(item.get("summary")), guid=guid, author=author,
            image=_str(item.get("image")),
        ))
    return feed
