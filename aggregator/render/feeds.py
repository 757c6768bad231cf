"""RSS 2.0 and Atom 1.0 feeds (feedgen): the weekly digests, one feed per section, and the articles.

Every id is a tag URI that never changes for its week, story or article; every timestamp comes from the data
(never the clock); entries are sorted newest first explicitly; every string passes through strip_xml_invalid
and every piece of source HTML through sanitize_html on its way in, whatever the store holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from aggregator import __version__
from aggregator.classify import SECTIONS
from aggregator.digest import UNKNOWN_REGION, Digest, DigestItem, url_key
from aggregator.render.html import article_fragment, digest_fragment, item_fragment, week_label
from aggregator.sanitize import sanitize_html
from aggregator.settings import UNION_NEWS_FEED_TAG
from aggregator.text import strip_xml_invalid

# The tagging entity of every id: a domain and a date (RFC 4151). Set it once for a deployment, never change it:
# feed readers recognise entries by these ids.
DEFAULT_TAG = UNION_NEWS_FEED_TAG
# ASCII file names of the section feeds, in the reference digest's order.
SECTION_SLUGS = {
    "工作动态": "gongzuo-dongtai",
    "思想引领": "sixiang-yinling",
    "建功立业": "jiangong-liye",
    "维权服务": "weiquan-fuwu",
    "构建和谐劳动关系": "hexie-laodong-guanxi",
    "组织建设": "zuzhi-jianshe",
}
assert tuple(SECTION_SLUGS) == SECTIONS, "a section without a feed file name"
UNTITLED = "（无标题）"


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Where the feeds are published and the tagging entity of their ids."""

    base_url: str
    tag: str = DEFAULT_TAG

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")

    def url(self, path: str) -> str:
        """The public URL of a published file."""
        return urljoin(self.base_url, path)

    def tag_uri(self, *parts: str) -> str:
        """'tag:union-news.example,2025:digest:2025-W30'."""
        return ":".join([f"tag:{self.tag}", *parts])

    @property
    def section_scheme(self) -> str:
        """Category scheme (RSS domain) of section categories."""
        return self.tag_uri("section")

    @property
    def region_scheme(self) -> str:
        """Category scheme (RSS domain) of region categories."""
        return self.tag_uri("region")


@dataclass(frozen=True, slots=True)
class Category:
    """A category of an entry: term and scheme (RSS: text and domain)."""

    term: str
    scheme: str


@dataclass(slots=True)
class FeedEntry:
    """One feed entry, independent of the feed format."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    content: str
    summary: str
    categories: list[Category] = field(default_factory=list)
    author: str | None = None


@dataclass(slots=True)
class FeedMeta:
    """A feed's own fields; `rss_href`/`atom_href` are the self links of its two files."""

    id: str
    title: str
    subtitle: str
    link: str
    rss_href: str
    atom_href: str
    fallback_updated: datetime


# C1 controls are legal in XML 1.0 but never text; feed readers show them as cp1252 punctuation.
_C1 = re.compile("[\x7f-\x9f]")


def _clean(text: str | None) -> str:
    return _C1.sub("", strip_xml_invalid(text or ""))


def _title(entry: FeedEntry) -> str:
    """The entry's title; a source page with a blank title still yields a title (RSS and Atom both need one)."""
    title = " ".join(_clean(entry.title).split())
    return title or " ".join(_clean(entry.summary).split())[:40] or UNTITLED


def _ordered(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """Newest first; the id breaks ties so that the order never depends on the input's order."""
    return sorted(entries, key=lambda e: (-e.published.timestamp(), e.id))


def _generator(meta: FeedMeta, entries: list[FeedEntry], atom: bool) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(meta.id)
    fg.title(_clean(meta.title))
    fg.subtitle(_clean(meta.subtitle))
    fg.language("zh-CN")
    fg.author(name="union-news")
    fg.generator("union-news", version=__version__)
    fg.link(href=meta.atom_href if atom else meta.rss_href, rel="self",
            type="application/atom+xml" if atom else "application/rss+xml")
    # feedgen takes the RSS <link> from the last link set: the page, not the feed itself.
    fg.link(href=meta.link, rel="alternate", type="text/html")
    fg.updated(max((e.updated for e in entries), default=meta.fallback_updated))
    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(_clean(entry.id))
        fe.guid(_clean(entry.id), permalink=False)
        fe.title(_title(entry))
        fe.link(href=_clean(entry.link), rel="alternate", type="text/html")  # a stored URL is source text too
        fe.published(entry.published)
        fe.updated(max(entry.updated, entry.published))
        # Atom carries escaped HTML (type="html"); RSS gets it escaped in content:encoded, never in CDATA, so a
        # "]]>" in a source page cannot end the section early.
        fe.content(_clean(entry.content), type="html" if atom else None)
        # Plain text: RSS description and Atom summary (isSummary keeps it from replacing the Atom content).
        fe.description(_clean(entry.summary) or _clean(entry.title), isSummary=True)
        for cat in entry.categories:
            fe.category(term=_clean(cat.term), scheme=cat.scheme)
        if entry.author:
            if atom:
                fe.author(name=_clean(entry.author))
            else:
                fe.dc.dc_creator(_clean(entry.author))
    return fg


def render_feeds(meta: FeedMeta, entries: Iterable[FeedEntry]) -> tuple[bytes, bytes]:
    """(RSS 2.0 bytes, Atom 1.0 bytes) of the entries, newest first, each file with its own self link."""
    ordered = _ordered(entries)
    rss = _generator(meta, ordered, atom=False).rss_str(pretty=True)
    atom = _generator(meta, ordered, atom=True).atom_str(pretty=True)
    return rss, atom


def _item_categories(cfg: FeedConfig, section: str | None, region: str | None) -> list[Category]:
    cats = [Category(section, cfg.section_scheme)] if section in SECTIONS else []
    return cats + [Category(region or UNKNOWN_REGION, cfg.region_scheme)]


def digest_entry(digest: Digest, cfg: FeedConfig) -> FeedEntry:
    """A week's entry: the whole digest as HTML; published when the week ends, updated with its data."""
    regions = sorted({i.region or UNKNOWN_REGION for i in digest.items})
    summary = "核心提示：" + "；".join(i.title for i in digest.headlines) if digest.headlines else week_label(digest)
    return FeedEntry(
        id=cfg.tag_uri("digest", digest.slug), title=digest.title, link=cfg.url(f"{digest.slug}.html"),
        published=digest.published, updated=digest.modified, content=digest_fragment(digest), summary=summary,
        categories=[Category(name, cfg.section_scheme) for name, _ in digest.sections]
        + [Category(r, cfg.region_scheme) for r in regions],
    )


def digest_feeds(digests: list[Digest], cfg: FeedConfig, fallback_updated: datetime) -> tuple[bytes, bytes]:
    """The feed of the weekly digests: one entry per week, newest first."""
    meta = FeedMeta(
        id=cfg.tag_uri("digest"), title="一周速览 · 全国工会新闻",
        subtitle="每周汇编：核心提示与工作动态、思想引领、建功立业、维权服务、构建和谐劳动关系、组织建设",
        link=cfg.url("index.html"), rss_href=cfg.url("digest.rss.xml"), atom_href=cfg.url("digest.atom.xml"),
        fallback_updated=fallback_updated,
    )
    return render_feeds(meta, (digest_entry(d, cfg) for d in digests))


# Rewrites a sanitized fragment's images (aggregator.images.ImageCache.rewrite: WeChat images to local copies).
ImageRewrite = Callable[[str], str]


def _body(body_html: str | None, url: str, images: ImageRewrite | None) -> str | None:
    """Source HTML made safe for a feed (sanitized whatever the store holds), images pointed at local copies."""
    if not body_html:
        return None
    body = sanitize_html(body_html, url)
    return images(body) if images is not None and body else body or None


def story_entry(item: DigestItem, body_html: str | None, cfg: FeedConfig,
                images: ImageRewrite | None = None) -> FeedEntry:
    """A story in a section feed: the shown version's text (sanitized) or summary, and every outlet."""
    body = _body(body_html, item.url, images)
    published = item.published_at or item.first_published or item.updated
    assert published is not None, "digest items always have a publication time"
    outlet = next((o.name for o in item.outlets if o.original), None)
    return FeedEntry(
        id=cfg.tag_uri("story", item.key), title=item.title, link=item.url, published=published,
        updated=item.updated or published, content=item_fragment(item, body), summary=item.summary,
        categories=_item_categories(cfg, item.section, item.region), author=outlet,
    )


def section_file(section: str) -> str:
    """'section-weiquan-fuwu' (the stem of a section's feed files)."""
    return f"section-{SECTION_SLUGS[section]}"


def section_feeds(section: str, entries: list[FeedEntry], cfg: FeedConfig,
                  fallback_updated: datetime) -> tuple[bytes, bytes]:
    """The feed of one section: its latest stories, newest first."""
    stem = section_file(section)
    meta = FeedMeta(
        id=cfg.tag_uri("section", SECTION_SLUGS[section]), title=f"{section} · 一周速览",
        subtitle=f"全国工会新闻“{section}”栏目的最新条目（同一报道只收一次，附各家媒体链接）",
        link=cfg.url("index.html"), rss_href=cfg.url(f"{stem}.rss.xml"), atom_href=cfg.url(f"{stem}.atom.xml"),
        fallback_updated=fallback_updated,
    )
    return render_feeds(meta, entries)


@dataclass(slots=True)
class ArticleView:
    """What the articles feed needs of a stored article."""

    url: str
    title: str
    summary: str
    body_html: str
    source: str
    section: str | None
    region: str | None
    published: datetime
    updated: datetime


def article_entry(article: ArticleView, cfg: FeedConfig, full_text: bool = True,
                  images: ImageRewrite | None = None) -> FeedEntry:
    """An article of the articles feed: its text (sanitized) or summary, with section and region."""
    body = _body(article.body_html, article.url, images) if full_text else None
    return FeedEntry(
        id=cfg.tag_uri("article", url_key(article.url)), title=article.title, link=article.url,
        published=article.published, updated=max(article.updated, article.published),
        content=article_fragment(article.summary, body, article.source, article.url), summary=article.summary,
        categories=_item_categories(cfg, article.section, article.region), author=article.source,
    )


def articles_feeds(entries: list[FeedEntry], cfg: FeedConfig, fallback_updated: datetime) -> tuple[bytes, bytes]:
    """The feed of the latest articles of every outlet (each copy of a story on its own)."""
    meta = FeedMeta(
        id=cfg.tag_uri("articles"), title="全部文章 · 一周速览",
        subtitle="各地工会网站与公众号的最新文章（按发布时间）",
        link=cfg.url("index.html"), rss_href=cfg.url("articles.rss.xml"), atom_href=cfg.url("articles.atom.xml"),
        fallback_updated=fallback_updated,
    )
    return render_feeds(meta, entries)
