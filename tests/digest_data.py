"""Small stores for the digest, render, feed and publish tests: sources, articles and stories written directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from aggregator.dates import SHANGHAI
from aggregator.store.models import Article, Source, Story

# A fixed "fetched" time for every article unless a test sets one: outputs must take times from the data.
FETCHED = datetime(2025, 7, 28, 9, 0, tzinfo=SHANGHAI)


def at(day: str, clock: str = "09:00") -> datetime:
    """'2025-07-22', '10:30' -> an aware Asia/Shanghai datetime."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


SOURCES = [
    # id, name, authority, kind, region
    ("national", "全国工会网", 3, "site", "全国"),
    ("paper", "工人报", 3, "site", "全国"),
    ("province", "省工会网", 2, "site", "江苏"),
    ("wx_city", "市总工会微信公众号", 2, "wechat", "浙江"),
    ("county", "县工会网", 1, "site", "四川"),
]


def add_sources(session: Session) -> None:
    """The sources every scenario uses."""
    for sid, name, authority, kind, region in SOURCES:
        session.add(Source(id=sid, name=name, authority=authority, kind=kind, family="generic", region=region,
                           config={"names": [name]}, consecutive_failures=0, consecutive_empty=0))
    session.flush()


@dataclass
class Art:
    """An article to store; `story` groups articles into one story (same label, same story)."""

    source: str
    slug: str
    title: str
    published: datetime
    section: str = "维权服务"
    region: str | None = "江苏"
    story: str | None = None
    summary: str = ""
    body_html: str = ""
    needs_review: bool = False
    confidence: float = 0.95
    origin: str = "rule"
    status: str = "ok"
    fetched: datetime | None = None
    updated: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The article's URL (on its source's pretend host)."""
        return f"https://{self.source}.example.cn/a/{self.slug}.html"


def add_articles(session: Session, arts: list[Art]) -> dict[str, Article]:
    """Store the articles (and their stories); returns the rows by slug."""
    rows: dict[str, Article] = {}
    stories: dict[str, Story] = {}
    for art in arts:
        story = None
        if art.story is not None:
            story = stories.get(art.story)
            if story is None:
                story = stories[art.story] = Story(size=0, outlets=0)
                session.add(story)
                session.flush()
        row = Article(
            url=art.url, source_id=art.source, title=art.title, published_at=art.published, published_precise=True,
            fetched_at=art.fetched or FETCHED, updated_at=art.updated, region=art.region,
            summary=art.summary or f"{art.title}。这是摘要的正文，一段话。", body_html=art.body_html or f"<p>{art.title}的正文。</p>",
            body_text=art.title, section=art.section, section_confidence=art.confidence, section_origin=art.origin,
            needs_review=art.needs_review, status=art.status, story_id=story.id if story else None, extra=art.extra,
        )
        session.add(row)
        rows[art.slug] = row
    session.flush()
    for story in stories.values():
        members = [r for r in rows.values() if r.story_id == story.id]
        story.size, story.outlets = len(members), len({m.source_id for m in members})
        story.first_seen = min(m.published_at for m in members)
        story.last_seen = max(m.published_at for m in members)
    session.flush()
    return rows


def week30() -> list[Art]:
    """A week (2025-W30) with stories of every size, a repost, a review case and things that must stay out."""
    return [
        # a story carried by three outlets, the national site first
        Art("national", "big-1", "全国总工会部署夏季送清凉", at("2025-07-22", "10:00"), "工作动态", "全国", story="big"),
        Art("paper", "big-2", "全总部署夏季送清凉活动", at("2025-07-22", "18:00"), "工作动态", "全国", story="big"),
        Art("wx_city", "big-3", "全国总工会部署送清凉", at("2025-07-23", "08:00"), "工作动态", "全国", story="big"),
        # two-outlet stories in different sections and regions
        Art("province", "pair-1", "江苏推进算法协商", at("2025-07-23", "09:00"), "构建和谐劳动关系", "江苏", story="pair"),
        Art("paper", "pair-2", "江苏推进平台算法协商", at("2025-07-24", "07:00"), "构建和谐劳动关系", "江苏", story="pair"),
        Art("wx_city", "duo-1", "浙江工匠培育品牌", at("2025-07-22", "12:00"), "建功立业", "浙江", story="duo"),
        Art("county", "duo-2", "浙江打造工匠培育品牌", at("2025-07-23", "12:00"), "建功立业", "浙江", story="duo"),
        # single items
        Art("county", "solo-1", "四川县总工会为骑手送水", at("2025-07-25"), "维权服务", "四川"),
        Art("province", "solo-2", "江苏职工夜校开课", at("2025-07-26"), "维权服务", "江苏"),
        Art("county", "review-1", "四川招聘会服务新就业形态劳动者", at("2025-07-27", "20:00"), "建功立业", "四川",
            needs_review=True, confidence=0.51),
        # out: no section, deleted, published the week before / after (Shanghai time)
        Art("province", "none-1", "江苏发布高温天气提示", at("2025-07-24"), "none", "江苏"),
        Art("county", "gone-1", "已删除的文章", at("2025-07-24"), "维权服务", "四川", status="deleted"),
        Art("province", "before-1", "上周的新闻", at("2025-07-20", "23:59"), "维权服务", "江苏"),
        Art("province", "after-1", "下周的新闻", at("2025-07-28", "00:00"), "维权服务", "江苏"),
    ]


def raw_contents(feed: bytes) -> list[str]:
    """The HTML of every entry exactly as the feed carries it (RSS content:encoded, Atom content and summary)."""
    root = etree.fromstring(feed)
    paths = ["//item/description", "//item/content:encoded", "//atom:entry/atom:content", "//atom:entry/atom:summary"]
    ns = {"content": "http://purl.org/rss/1.0/modules/content/", "atom": "http://www.w3.org/2005/Atom"}
    return [el.text or "" for path in paths for el in root.xpath(path, namespaces=ns)]
