"""Write the digest outputs into a folder, each file replaced atomically (readers never see half a file)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from aggregator.digest import Digest, build_week, weeks_with_articles
from aggregator.render.feeds import write_digest_feeds
from aggregator.render.html import FeedLink, WeekEntry, render_digest_html, render_index_html, week_label
from aggregator.render.markdown import render_markdown

DEFAULT_BASE_URL = "https://union-news.example/"


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
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
    """The feeds every page advertises."""
    return [FeedLink("digest.rss.xml", "application/rss+xml", "一周速览 RSS", "RSS"),
            FeedLink("digest.atom.xml", "application/atom+xml", "一周速览 Atom", "Atom")]


def write_week(digest: Digest, out: Path, generated: datetime) -> list[Path]:
    """One week's HTML page and Markdown."""
    week = digest.week or digest.start.date().isoformat()
    stamp = generated.strftime("%Y-%m-%d %H:%M")
    html_path, md_path = out / f"{week}.html", out / f"{week}.md"
    write_atomic(html_path, render_digest_html(digest, stamp, feed_links()))
    write_atomic(md_path, render_markdown(digest))
    return [html_path, md_path]


def publish(session: Session, out: Path, generated: datetime, weeks: list[str] | None = None, limit: int = 12,
            base_url: str = DEFAULT_BASE_URL) -> Published:
    """Write every week's page and Markdown, the index page, and the RSS and Atom feeds of the last weeks."""
    weeks = weeks or weeks_with_articles(session, limit)
    digests = [build_week(session, week) for week in weeks]
    digests = [d for d in digests if d.items]
    result = Published(out=out, weeks=[d.week or "" for d in digests])
    for digest in digests:
        result.files += write_week(digest, out, generated)
    entries = [WeekEntry(f"{d.week}.html", d.title, week_label(d), len(d.items)) for d in sorted(digests, key=lambda d: d.start, reverse=True)]
    index = out / "index.html"
    write_atomic(index, render_index_html(entries, generated.strftime("%Y-%m-%d %H:%M"), feed_links()))
    rss, atom = write_digest_feeds(digests, base_url, generated)
    write_atomic(out / "digest.rss.xml", rss)
    write_atomic(out / "digest.atom.xml", atom)
    result.files += [index, out / "digest.rss.xml", out / "digest.atom.xml"]
    return result
