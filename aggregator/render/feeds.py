"""RSS 2.0 and Atom 1.0 feeds of the digests (feedgen), with stable ids and explicit timestamps and order."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator
from jinja2 import Environment, select_autoescape

from aggregator.digest import Digest
from aggregator.text import strip_xml_invalid

_CONTENT = Environment(autoescape=select_autoescape(default=True)).from_string(
    """{% if digest.headlines %}<p><strong>核心提示</strong></p><ul>{% for i in digest.headlines %}<li>{{ i.title }}</li>{% endfor %}</ul>{% endif %}"""
    """{% for name, items in digest.sections %}<h2>{{ name }}</h2>{% for i in items %}"""
    """<h3><a href="{{ i.url }}">{{ i.title }}</a></h3><p>{{ i.summary }}</p>"""
    """<p><small>来源：{% for o in i.outlets %}<a href="{{ o.url }}">{{ o.name }}</a>{% if not loop.last %}、{% endif %}{% endfor %}</small></p>"""
    """{% endfor %}{% endfor %}<p>部分图文来源：{{ digest.credits|join('、') }}</p>"""
)
FEED_ID = "tag:union-news.example,2025:digest"


def digest_html(digest: Digest) -> str:
    """The whole digest as HTML for a feed entry (no review marks: subscribers see the published digest)."""
    return strip_xml_invalid(_CONTENT.render(digest=digest))


def entry_id(week: str) -> str:
    """A tag URI that never changes for a week."""
    return f"{FEED_ID}:{week}"


def digest_feed(digests: list[Digest], base_url: str, generated: datetime, atom: bool = False) -> FeedGenerator:
    """A feed with one entry per digest, newest first; every timestamp comes from the data, not the clock."""
    fg = FeedGenerator()
    fg.id(FEED_ID)
    fg.title("一周速览 · 工会新闻")
    fg.subtitle("全国工会一周动态：工作动态、思想引领、建功立业、维权服务、构建和谐劳动关系、组织建设")
    fg.language("zh-CN")
    fg.link(href=urljoin(base_url, "index.html"), rel="alternate")
    fg.generator("union-news")
    ordered = sorted(digests, key=lambda d: d.start, reverse=True)
    updated = max((d.updated or d.end for d in ordered), default=generated)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for digest in ordered:
        week = digest.week or digest.start.date().isoformat()
        entry = fg.add_entry(order="append")
        entry.id(entry_id(week))
        entry.guid(entry_id(week), permalink=False)
        entry.title(strip_xml_invalid(digest.title))
        entry.link(href=urljoin(base_url, f"{week}.html"))
        entry.published(digest.end)
        entry.updated(digest.updated or digest.end)
        # Atom wants type="html" (escaped); RSS readers expect content:encoded in a CDATA section.
        entry.content(digest_html(digest), type="html" if atom else "CDATA")
        entry.description(strip_xml_invalid("；".join(i.title for i in digest.headlines)) or digest.title, isSummary=True)
        for name, _items in digest.sections:
            entry.category(term=name)
    return fg


def write_digest_feeds(digests: list[Digest], base_url: str, generated: datetime) -> tuple[bytes, bytes]:
    """(RSS bytes, Atom bytes) of the digests, each with its own self link."""
    fg = digest_feed(digests, base_url, generated)
    fg.link(href=urljoin(base_url, "digest.rss.xml"), rel="self")
    rss = fg.rss_str(pretty=True)
    fg = digest_feed(digests, base_url, generated, atom=True)
    fg.link(href=urljoin(base_url, "digest.atom.xml"), rel="self")
    atom = fg.atom_str(pretty=True)
    return rss, atom
