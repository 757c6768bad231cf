"""WeChat mirror feeds: RSS 2.0 (RSSHub, Wechat2RSS), Atom, JSON Feed 1.1 (WeWe-RSS, RSSHub) and feeddd's JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass

from lxml import etree

from aggregator.encoding import decode_html
from aggregator.records import Page


class FeedError(ValueError):
    """The mirror answered something that is not a feed."""


@dataclass(slots=True)
class FeedEntry:
    """One item of a mirror feed. `published_raw` is None when the mirror's date is not a publish time."""

    link: str
    title: str = ""
    published_raw: str | None = None
    content_html: str | None = None  # full text when the mirror carries it
    guid: str | None = None  # kept for diagnostics only: mirror GUIDs are not identities
    author: str | None = None


_NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
       "dc": "http://purl.org/dc/elements/1.1/"}


def sniff_format(body: bytes, declared: str = "auto") -> str:
    """rss, atom, jsonfeed or feeddd: as declared, else by looking at the document."""
    if declared != "auto":
        return declared
    head = body.lstrip()[:2000]
    if head.startswith((b"{", b"[")):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise FeedError(f"not JSON: {exc}") from None
        if isinstance(data, dict) and str(data.get("version", "")).startswith("https://jsonfeed.org"):
            return "jsonfeed"
        if isinstance(data, dict) and "items" in data and "feed_url" in data:
            return "feeddd"
        return "jsonfeed" if isinstance(data, dict) and "items" in data else "unknown"
    if b"<feed" in head and b"2005/Atom" in head:
        return "atom"
    if b"<rss" in head or b"<rdf:RDF" in head or b"<channel" in head:
        return "rss"
    return "unknown"


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def parse_feed(page: Page, declared: str = "auto") -> list[FeedEntry]:
    """Parse a mirror's feed into entries; raise FeedError for anything that is not a feed."""
    if not page.body.strip():
        raise FeedError("empty response")
    fmt = sniff_format(page.body, declared)
    if fmt in ("jsonfeed", "feeddd"):
        return _parse_json(page.body, fmt)
    if fmt not in ("rss", "atom"):
        raise FeedError("neither RSS, Atom nor JSON Feed (an error page or a block page?)")
    text, _ = decode_html(page.body, page.header("content-type"))
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"broken XML: {exc}") from None
    if root is None:
        raise FeedError("broken XML")
    entries: list[FeedEntry] = []
    if fmt == "rss":
        for item in root.iter("item"):
            link = _text(item.find("link")) or _text(item.find("guid"))
            if not link:
                continue
            entries.append(FeedEntry(
                link=link, title=_text(item.find("title")), published_raw=_text(item.find("pubDate")) or _text(item.find("dc:date", _NS)) or None,
                content_html=_text(item.find("content:encoded", _NS)) or None, guid=_text(item.find("guid")) or None,
                author=_text(item.find("author")) or _text(item.find("dc:creator", _NS)) or None,
            ))
    else:
        for item in root.iter("{http://www.w3.org/2005/Atom}entry"):
            link_el = next((l for l in item.findall("atom:link", _NS) if l.get("rel", "alternate") == "alternate"), None)
            link = (link_el.get("href") if link_el is not None else "") or _text(item.find("atom:id", _NS))
            if not link:
                continue
            content = item.find("atom:content", _NS)
            entries.append(FeedEntry(
                link=link, title=_text(item.find("atom:title", _NS)),
                published_raw=_text(item.find("atom:published", _NS)) or _text(item.find("atom:updated", _NS)) or None,
                content_html=_text(content) or None, guid=_text(item.find("atom:id", _NS)) or None,
                author=_text(item.find("atom:author/atom:name", _NS)) or None,
            ))
    return entries


def _parse_json(body: bytes, fmt: str) -> list[FeedEntry]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise FeedError(f"not JSON: {exc}") from None
    entries: list[FeedEntry] = []
    for item in data.get("items", []) if isinstance(data, dict) else []:
        link = item.get("url") or item.get("external_url") or item.get("link")
        if not link:
            continue
        if fmt == "feeddd":
            # feeddd's date_modified is when feeddd crawled the item, never when it was published.
            entries.append(FeedEntry(link=link, title=item.get("title", ""), published_raw=None, guid=str(item.get("id", ""))))
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        entries.append(FeedEntry(
            link=link, title=item.get("title", ""), published_raw=item.get("date_published"),
            content_html=item.get("content_html") or None, guid=str(item.get("id", "")) or None,
            author=(authors[0].get("name") if authors and isinstance(authors[0], dict) else None),
        ))
    return entries
