"""The extraction benchmark's scoring follows the reference scorer's definitions (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.extraction import FIXTURE_PAGES, date_ok, load_pages, score


@pytest.mark.parametrize(("truth", "got", "with_time", "ok"), [
    ("2025-07-24 09:05", "2025-07-24T09:05:00+08:00", True, True),
    ("2025-07-24 09:05", "2025-07-24T09:06:00+08:00", True, False),
    ("2025-07-24 09:05", "2025-07-24", False, True),
    ("2025-07-24 09:05", "2025-07-24", True, False),
    ("2025-07-24", "2025-07-25T00:00:00+08:00", False, False),
    ("2025-07-24", None, False, False),
])
def test_date_ok(truth: str, got: str | None, with_time: bool, ok: bool) -> None:
    assert date_ok(truth, got, with_time) is ok


def test_score_counts_each_figure() -> None:
    truth = {"title": "标题", "published": "2025-07-24 09:05", "body_first": "第一段", "body_mid": "中间",
             "body_last": "最后", "boilerplate": ["责任编辑"]}
    pages = [(Path("a.html"), truth), (Path("b.html"), truth)]
    results = [
        {"title": "标 题", "published": "2025-07-24T09:05:00+08:00", "body_text": "第一段\n中间\n最后"},
        {"title": "别的", "published": "2025-07-24", "body_text": "第一段\n最后\n责任编辑：某"},
    ]
    figures = score(pages, results)
    assert (figures["title"], figures["date"], figures["time"], figures["body"], figures["leak"]) == (
        0.5, 1.0, 0.5, 0.5, 0.5)
    assert figures["failures"] == ["b.html: title,time,body,leak"]


def test_fixture_pages_have_the_reference_format() -> None:
    pages = load_pages(FIXTURE_PAGES)
    assert len(pages) >= 15
    for _html, truth in pages:
        assert {"title", "published", "body_first", "body_mid", "body_last", "boilerplate", "url"} <= set(truth)
