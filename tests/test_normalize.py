"""normalize_record: every field of a parsed record in its normal form."""

from __future__ import annotations

from datetime import datetime

import pytest

from aggregator.dates import SHANGHAI
from aggregator.normalize import content_hash, normalize_record
from aggregator.records import ArticleRecord, ListEntry
from aggregator.sources import Source

NOW = datetime(2025, 7, 28, 12, 0, tzinfo=SHANGHAI)
BODY = "\u3000\u3000本报讯（记者 王某 通讯员 李某）7月24日，泰安市总工会举办职工技能大赛。\n\n\u3000\u3000比赛设八个项目。"


def make(**kwargs: object) -> ArticleRecord:
    fields: dict[str, object] = {"url": "https://example.com/news/1.html", "source_id": "demo", "title": " 标题 ",
                                 "body_text": BODY, "published_raw": "2025-07-24 09:05"}
    fields.update(kwargs)
    return ArticleRecord(**fields)  # type: ignore[arg-type]


def test_byline_is_kept_apart_from_the_text() -> None:
    record = normalize_record(make(), None, NOW)
    assert (record.byline, record.body_text) == ("本报讯（记者 王某 通讯员 李某）",
                                                 "7月24日，泰安市总工会举办职工技能大赛。\n比赛设八个项目。")


def test_a_byline_line_of_its_own_is_removed_from_the_text() -> None:
    record = normalize_record(make(body_text="本报记者 王某\n7月24日，某市总工会举办活动。"), None, NOW)
    assert (record.byline, record.body_text) == ("本报记者 王某", "7月24日，某市总工会举办活动。")


def test_author_comes_from_the_byline_when_the_page_names_none() -> None:
    assert normalize_record(make(), None, NOW).author == "王某 李某"


def test_author_from_the_page_wins() -> None:
    assert normalize_record(make(author=" 赵某 "), None, NOW).author == "赵某"


def test_published_is_beijing_time_and_precise() -> None:
    record = normalize_record(make(), None, NOW)
    assert (record.published_at, record.published_precise) == (datetime(2025, 7, 24, 9, 5, tzinfo=SHANGHAI), True)


def test_list_date_when_the_page_has_none() -> None:
    record = normalize_record(make(published_raw=None), None, NOW, ListEntry(url="u", date_raw="2025-07-23"))
    assert (record.published_at, record.published_precise) == (datetime(2025, 7, 23, tzinfo=SHANGHAI), False)


def test_url_date_is_the_last_fallback() -> None:
    record = normalize_record(make(published_raw=None, url="https://example.com/202507/t20250722_1.html"), None, NOW)
    assert (record.published_at, record.published_precise) == (datetime(2025, 7, 22, tzinfo=SHANGHAI), False)


def test_a_date_in_the_future_falls_back_to_the_next_source() -> None:
    record = normalize_record(make(published_raw="2025-08-30 10:00", url="https://example.com/2025-07/21/a.html"),
                              None, NOW)
    assert record.published_at == datetime(2025, 7, 21, tzinfo=SHANGHAI)


def test_no_date_at_all() -> None:
    record = normalize_record(make(published_raw=None), None, NOW)
    assert (record.published_at, record.published_precise) == (None, False)


def test_relative_date_counts_from_the_crawl_time() -> None:
    record = normalize_record(make(published_raw="3小时前"), None, NOW)
    assert (record.published_at, record.published_precise) == (datetime(2025, 7, 28, 9, 0, tzinfo=SHANGHAI), False)


@pytest.mark.parametrize(("title", "body", "source_region", "region", "city"), [
    ("泰安市总工会举办技能大赛", BODY, "全国", "山东", "泰安"),
    ("技能大赛举行", "比赛设八个项目。", "江苏", "江苏", None),
    ("技能大赛举行", "比赛设八个项目。", None, None, None),
])
def test_region(title: str, body: str, source_region: str | None, region: str | None, city: str | None) -> None:
    source = Source(id="demo", name="示例", region=source_region)
    record = normalize_record(make(title=title, body_text=body), source, NOW)
    assert (record.region, record.city) == (region, city)


def test_summary_is_the_lede_without_byline() -> None:
    assert normalize_record(make(), None, NOW).summary == "7月24日，泰安市总工会举办职工技能大赛。比赛设八个项目。"


def test_title_from_the_list_when_the_page_has_none() -> None:
    record = normalize_record(make(title=""), None, NOW, ListEntry(url="u", title=" 列表标题 "))
    assert record.title == "列表标题"


def test_content_hash_ignores_spaces_and_punctuation() -> None:
    assert content_hash("职工 技能，大赛。") == content_hash("职工技能大赛") != content_hash("职工技能比赛")


def test_normalize_is_idempotent() -> None:
    once = normalize_record(make(), None, NOW)
    snapshot = (once.title, once.body_text, once.byline, once.author, once.published_at, once.region, once.summary,
                once.content_hash)
    twice = normalize_record(once, None, NOW)
    assert (twice.title, twice.body_text, twice.byline, twice.author, twice.published_at, twice.region, twice.summary,
            twice.content_hash) == snapshot


# -- the content hash keeps letters and digits only -------------------------------------------------------

import hashlib  # noqa: E402
import re  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), st.text(alphabet="工会，。 \u3000\u00a0\t\n_-ａ１Ⅻ①a1İ\u200b\U00020000", max_size=60)))
def test_content_hash_is_the_hash_of_the_text_without_spaces_punctuation_and_underscores(text: str) -> None:
    # The definition the stored hashes were made with: deleting every run of [\s\W_].
    stripped = re.sub(r"[\s\W_]+", "", text)
    assert content_hash(text) == hashlib.sha1(stripped.encode("utf-8")).hexdigest()
