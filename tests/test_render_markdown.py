"""Markdown for editors: the bundled sample week against its golden file, escaping, and review marks."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from aggregator.digest import build_week
from aggregator.render.markdown import REVIEW_MARK, escape, link_url, render_markdown
from aggregator.store import Store, open_store
from tests.digest_data import Art, add_articles, add_sources, at, week30

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "regenerate it with `.venv/bin/python tests/golden/regenerate.py` and review `git diff tests/golden/`"


def _diff(expected: str, actual: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "demo", n=1))


def test_sample_week_matches_golden_file(demo_out: Path) -> None:
    golden = (GOLDEN / "2025-W30.md").read_text(encoding="utf-8")
    written = (demo_out / "2025-W30.md").read_text(encoding="utf-8")
    assert written == golden, f"the demo's Markdown differs from tests/golden/2025-W30.md; if intended, {REGENERATE}\n" \
                              + _diff(golden, written)


def test_library_renders_what_the_demo_wrote(demo_out: Path) -> None:
    store = open_store(str(demo_out / "union_news.db"))
    with store.sessions() as session:
        digest = build_week(session, "2025-W30")
    store.close()
    assert render_markdown(digest) == (demo_out / "2025-W30.md").read_text(encoding="utf-8")


def test_golden_file_has_the_reference_shape() -> None:
    text = (GOLDEN / "2025-W30.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# 一周速览 | ") and " ;" in lines[0]
    assert [line[3:] for line in lines if line.startswith("## ")] == \
        ["工作动态", "思想引领", "建功立业", "维权服务", "构建和谐劳动关系", "组织建设"]
    assert sum(1 for line in lines if line.startswith("### ")) == 25
    assert sum(1 for line in lines if line.startswith("●")) == 3
    assert lines[-1].startswith("部分图文来源：")
    assert sum(1 for line in lines if line.startswith("原文：[")) == 25


@pytest.mark.parametrize(("raw", "expected"), [
    ("普通标题", "普通标题"),
    ("*强调*与_下划线_", r"\*强调\*与\_下划线\_"),
    ("[链接](x)", r"\[链接\](x)"),
    ("<script>", r"\<script\>"),
    ("1. 第一条", r"1\. 第一条"),
    ("- 列表", r"\- 列表"),
    ("# 标题", r"\# 标题"),
    ("两行\n文字", "两行 文字"),
    ("反斜杠\\", "反斜杠\\\\"),
])
def test_escape(raw: str, expected: str) -> None:
    assert escape(raw) == expected


def test_link_url_cannot_close_the_link_early() -> None:
    assert link_url("https://x.example/a (1).html") == "https://x.example/a%20%281%29.html"


@pytest.fixture
def markdown(store: Store) -> str:
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
        digest = build_week(s, "2025-W30")
    return render_markdown(digest)


def test_review_items_are_marked_for_the_editor(markdown: str) -> None:
    assert f"### 四川招聘会服务新就业形态劳动者{REVIEW_MARK}" in markdown
    assert "置信度 0.51" in markdown
    assert "编辑提示：本期有 1 条" in markdown
    assert markdown.count(REVIEW_MARK) == 3  # the note, the heading and its explanation


def test_review_marks_can_be_left_out(store: Store) -> None:
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
        digest = build_week(s, "2025-W30")
    assert REVIEW_MARK not in render_markdown(digest, show_review=False)
    assert "### 四川招聘会服务新就业形态劳动者\n" in render_markdown(digest, show_review=False)


def test_every_outlet_is_linked(markdown: str) -> None:
    line = next(line for line in markdown.splitlines() if "全国工会网" in line and line.startswith("原文"))
    assert line == ("原文：[全国工会网](https://national.example.cn/a/big-1.html)　同时刊发："
                    "[工人报](https://paper.example.cn/a/big-2.html)、[市总工会微信公众号](https://wx_city.example.cn/a/big-3.html)")


def test_empty_week(store: Store) -> None:
    with store.session() as s:
        add_sources(s)
        add_articles(s, [Art("county", "x", "只有无关文章", at("2025-07-22"), "none")])
        text = render_markdown(build_week(s, "2025-W30"))
    assert text.startswith("# 一周速览\n") and "##" not in text and "部分图文来源" not in text
