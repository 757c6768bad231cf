"""Every article page of the bundled sample, parsed by its source's parser, field by field against expected.json."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from aggregator.clock import crawl_now
from aggregator.extract import extract_article
from aggregator.normalize import normalize_record
from aggregator.records import ArticleRecord
from aggregator.sampleserver import SampleServer
from aggregator.sources import load_registry
from tests.conftest import SAMPLES, fetch

EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
REGISTRY = load_registry(SAMPLES / "sources.toml")
NOW = crawl_now("2025-07-28T12:00:00+08:00")
# Outlets whose pages show the time of day; the others (e-paper issue, gdpost header) show the date only.
SHOWS_TIME = {"workercn", "acftu", "jsgh", "acftu_people", "wx_acftu", "wx_shaanxi", "wx_jining", "wx_jiaxing"}
PAGES = sorted(EXPECTED["pages"])




@pytest.fixture(scope="module")
def parsed(sample_server: SampleServer) -> dict[str, ArticleRecord]:
    records: dict[str, ArticleRecord] = {}
    for url in PAGES:
        source = REGISTRY[EXPECTED["pages"][url]["outlet"]]
        record = extract_article(fetch(sample_server, url), source)
        records[url] = normalize_record(record, source, NOW)
    return records


def _case(url: str) -> str:
    page = EXPECTED["pages"][url]
    return f"{page['outlet']}:{page['story'][:24]}"


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_title(parsed: dict[str, ArticleRecord], url: str) -> None:
    assert parsed[url].title == EXPECTED["pages"][url]["title"]


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_published(parsed: dict[str, ArticleRecord], url: str) -> None:
    page = EXPECTED["pages"][url]
    got = parsed[url].published_at
    assert got is not None
    if page["outlet"] in SHOWS_TIME:
        assert got.strftime("%Y-%m-%d %H:%M") == page["published"]
        assert parsed[url].published_precise
    else:
        assert got.strftime("%Y-%m-%d") == page["published"][:10]
    assert got.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_body_first_paragraph(parsed: dict[str, ArticleRecord], url: str) -> None:
    assert EXPECTED["pages"][url]["body_first"] in parsed[url].body_text


@pytest.mark.parametrize("url", [u for u in PAGES if not EXPECTED["pages"][u]["truncated"]], ids=_case)
def test_body_last_paragraph(parsed: dict[str, ArticleRecord], url: str) -> None:
    assert parsed[url].body_text.rstrip().endswith(EXPECTED["pages"][url]["body_last"].rstrip())


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_no_boilerplate_in_body(parsed: dict[str, ArticleRecord], url: str) -> None:
    body = parsed[url].body_text
    for junk in ("责任编辑", "责编", "分享到", "版权所有", "ICP", "上一篇", "相关新闻", "二审", "当前位置"):
        assert junk not in body, junk


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_byline_kept_apart(parsed: dict[str, ArticleRecord], url: str) -> None:
    byline = EXPECTED["pages"][url]["byline"]
    if byline:
        assert parsed[url].byline and parsed[url].byline in byline
        assert not parsed[url].body_text.startswith(byline)


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_status(parsed: dict[str, ArticleRecord], url: str) -> None:
    assert parsed[url].status == ("truncated" if EXPECTED["pages"][url]["truncated"] else "ok")


@pytest.mark.parametrize("url", PAGES, ids=_case)
def test_summary_is_the_lede(parsed: dict[str, ArticleRecord], url: str) -> None:
    summary = parsed[url].summary
    assert 20 <= len(summary) <= 210
    assert EXPECTED["pages"][url]["body_first"][:20] in summary


@pytest.mark.parametrize("url", [u for u in PAGES if EXPECTED["pages"][u]["outlet"].startswith("wx_")], ids=_case)
def test_wechat_identity(parsed: dict[str, ArticleRecord], url: str) -> None:
    record = parsed[url]
    assert record.wechat_key is not None
    assert record.url == url.split("&chksm")[0]
    assert "sn=" in record.url
