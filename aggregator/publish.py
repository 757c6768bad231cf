"""Write the digest outputs into a folder, each file replaced atomically (readers never see half a file).

One publish writes (file names in docs/digest.md):
  <week>.html, <week>.md       every complete recent week's page and Markdown
  index.html                   the weeks, newest first, and every feed
  digest.rss.xml/.atom.xml     the weekly digests, one entry per week
  section-<slug>.rss.xml/.atom.xml   one feed per section: its latest stories
  articles.rss.xml/.atom.xml   the latest articles of every outlet
and reads img/manifest.json when `union-news images fetch` keeps WeChat image copies there.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aggregator.classify import SECTIONS
from aggregator.dates import iso_week_bounds, iso_week_of
from aggregator.digest import LIVE_STATUSES, Digest, DigestItem, build_items, build_week, complete_weeks
from aggregator.images import MANIFEST, ImageCache
from aggregator.render.feeds import (
    DEFAULT_TAG,
    SECTION_SLUGS,
    ArticleView,
    FeedConfig,
    ImageRewrite,
    article_entry,
    articles_feeds,
    digest_feeds,
    section_feeds,
    section_file,
    story_entry,
)
from aggregator.render.html import (
    FeedGroup,
    FeedLink,
    WeekEntry,
    render_digest_html,
    render_index_html,
    week_label,
)
from aggregator.render.markdown import render_markdown
from aggregator.settings import UNION_NEWS_BASE_URL
from aggregator.store.models import Article, Source

DEFAULT_BASE_URL = UNION_NEWS_BASE_URL
DEFAULT_WEEKS = 12
DEFAULT_ITEMS = 50
# Where `union-news images fetch` keeps WeChat image copies inside the publish folder.
IMAGE_FOLDER = "img"
RSS = "application/rss+xml"
ATOM = "application/atom+xml"


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass(slots=True)
class Published:
    """What a publish wrote."""

    out: Path
    files: list[Path] = field(default_factory=list)
    weeks: list[str] = field(default_factory=list)


def feed_links() -> list[FeedLink]:
    """The feeds every page advertises (relative links: the pages sit next to the feeds)."""
    return [FeedLink("digest.rss.xml", RSS, "一周速览 RSS", "RSS"),
            FeedLink("digest.atom.xml", ATOM, "一周速览 Atom", "Atom")]


def feed_groups() -> list[FeedGroup]:
    """Every feed of a publish, for the index page."""
    groups = [FeedGroup("一周速览", "每周一期，整期内容", feed_links(), heading="整期")]
    for n, section in enumerate(SECTIONS):
        stem = section_file(section)
        groups.append(FeedGroup(section, "", [FeedLink(f"{stem}.rss.xml", RSS, f"{section} RSS", "RSS"),
                                              FeedLink(f"{stem}.atom.xml", ATOM, f"{section} Atom", "Atom")],
                                heading="" if n else "分栏目（每条报道一次）"))
    groups.append(FeedGroup("全部文章", "各家媒体的最新文章，转载各自成条",
                            [FeedLink("articles.rss.xml", RSS, "全部文章 RSS", "RSS"),
                             FeedLink("articles.atom.xml", ATOM, "全部文章 Atom", "Atom")], heading="逐篇"))
    return groups


def write_week(digest: Digest, out: Path, show_review: bool = True,
               index_href: str | None = "index.html") -> list[Path]:
    """One digest's HTML page and Markdown ('2025-W30.html', '2025-W30.md').

    Without `index_href` the page stands alone (`union-news digest --out`): it links to no index and no feeds.
    """
    html_path, md_path = out / f"{digest.slug}.html", out / f"{digest.slug}.md"
    feeds = feed_links() if index_href else []
    write_atomic(html_path, render_digest_html(digest, feeds, show_review=show_review, index_href=index_href))
    write_atomic(md_path, render_markdown(digest, show_review=show_review))
    return [html_path, md_path]


def data_time(session: Session) -> datetime | None:
    """The newest fetch or update in the store: feeds without entries take their time from it, not the clock."""
    values = [session.scalar(select(func.max(Article.fetched_at))),
              session.scalar(select(func.max(Article.updated_at)))]
    present = [v for v in values if v is not None]
    return max(present) if present else None


def latest_articles(session: Session, now: datetime, limit: int) -> list[ArticleView]:
    """The newest `limit` articles in a section, published by `now`."""
    names: dict[str, str] = {sid: name for sid, name in session.execute(select(Source.id, Source.name))}
    rows = session.scalars(
        select(Article).where(Article.published_at <= now, Article.section.in_(SECTIONS),
                              Article.status.in_(LIVE_STATUSES))
        .order_by(Article.published_at.desc(), Article.url).limit(limit)
    )
    views = []
    for a in rows:
        stamps = [v for v in (a.updated_at, a.fetched_at) if v is not None]
        published: datetime = a.published_at  # type: ignore[assignment]  # the query excludes NULL
        views.append(ArticleView(url=a.url, title=a.title, summary=a.summary, body_html=a.body_html,
                                 source=names.get(a.source_id, a.source_id), section=a.section, region=a.region,
                                 published=published, updated=max(stamps) if stamps else published))
    return views


def image_rewrite(out: Path, cfg: FeedConfig) -> ImageRewrite | None:
    """ImageCache.rewrite over OUT/img when it holds copies (absolute URLs: feed readers fetch them), else None."""
    folder = out / IMAGE_FOLDER
    if not (folder / MANIFEST).exists():
        return None
    return ImageCache(folder, cfg.url(f"{IMAGE_FOLDER}/")).rewrite


def _newest_first(item: DigestItem) -> tuple[float, str]:
    when = item.published_at or item.first_published
    return (-when.timestamp() if when else 0.0, item.key)


def publish(session: Session, out: Path, now: datetime, weeks: list[str] | None = None, limit: int = DEFAULT_WEEKS,
            base_url: str = DEFAULT_BASE_URL, items: int = DEFAULT_ITEMS, tag: str = DEFAULT_TAG,
            show_review: bool = True, full_text: bool = True) -> Published:
    """Write the pages, Markdown and every feed; `now` only decides which weeks are over (never a timestamp)."""
    cfg = FeedConfig(base_url, tag)
    weeks = weeks or complete_weeks(session, now, limit)
    digests = [d for d in (build_week(session, week) for week in weeks) if d.items]
    digests.sort(key=lambda d: d.start, reverse=True)
    fallback = data_time(session) or now
    result = Published(out=out, weeks=[d.slug for d in digests])
    for digest in digests:
        result.files += write_week(digest, out, show_review=show_review)

    entries = [WeekEntry(f"{d.slug}.html", d.title, week_label(d), len(d.items), [i.title for i in d.headlines])
               for d in digests]
    updated = max((d.modified for d in digests), default=fallback)
    outputs: dict[str, bytes | str] = {"index.html": render_index_html(entries, feed_links(), feed_groups(), updated)}
    outputs["digest.rss.xml"], outputs["digest.atom.xml"] = digest_feeds(digests, cfg, fallback)

    # Section feeds follow the news as it comes in: every story of the recent weeks up to now, not only complete
    # weeks (a story keeps its id while it grows, so a reader sees it once).
    start, _ = iso_week_bounds(iso_week_of(now - timedelta(weeks=limit)))
    start = min([start, *(d.start for d in digests)])
    recent = build_items(session, start, now)
    # Local copies of WeChat images, when `union-news images fetch --out OUT/img` made some (docs/wechat.md).
    images = image_rewrite(out, cfg)
    bodies: dict[int, str] = {}
    if full_text and recent:
        ids = {i.article_id for i in recent}
        rows = session.execute(select(Article.id, Article.body_html).where(Article.id.in_(ids)))
        bodies = {aid: body for aid, body in rows}
    for section in SECTIONS:
        mine = sorted((i for i in recent if i.section == section), key=_newest_first)[:items]
        stem = section_file(section)
        section_entries = [story_entry(i, bodies.get(i.article_id), cfg, images) for i in mine]
        outputs[f"{stem}.rss.xml"], outputs[f"{stem}.atom.xml"] = section_feeds(section, section_entries, cfg, fallback)

    article_entries = [article_entry(a, cfg, full_text, images) for a in latest_articles(session, now, items)]
    outputs["articles.rss.xml"], outputs["articles.atom.xml"] = articles_feeds(article_entries, cfg, fallback)

    for name, data in outputs.items():
        write_atomic(out / name, data)
        result.files.append(out / name)
    return result


__all__ = ["DEFAULT_BASE_URL", "Published", "SECTION_SLUGS", "feed_groups", "feed_links", "publish", "write_atomic",
           "write_week"]
