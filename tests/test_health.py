"""Source health: verdicts and layout warnings from a run's figures, streaks over runs, `sources check`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.clock import crawl_now
from aggregator.health import judge, layout_warnings, registry_health, update_source_row
from aggregator.records import ArticleRecord, Page
from aggregator.sampleserver import SampleServer
from aggregator.sources import load_registry
from aggregator.store import Store, open_store
from aggregator.store.models import CrawlRun, CrawlRunSource, Source
from aggregator.store.writer import save_article, sync_sources
from tests.conftest import run_cli
from tests.crawl_support import FIXTURES, REGISTRY, crawl_env

NOW = crawl_now("2025-09-15T12:00:00+08:00")
FIGURES = ("pages", "list_pages", "article_links", "items", "new", "duplicates", "errors", "blocked", "not_modified",
           "empty_bodies")


def row(**values: int) -> CrawlRunSource:
    return CrawlRunSource(run_id=1, source_id="s", **{f: values.get(f, 0) for f in FIGURES})


# (case, figures, verdict, warning phrases)
CASES = [
    ("healthy", dict(pages=8, list_pages=2, article_links=30, items=5, new=5), "ok", []),
    ("nothing-new", dict(pages=2, list_pages=2, article_links=30), "ok", []),
    ("unchanged-304", dict(pages=1, list_pages=1, not_modified=1), "ok", []),
    ("list-without-links", dict(pages=3, list_pages=3), "empty", ["held no article links"]),
    ("empty-bodies", dict(pages=6, list_pages=1, article_links=20, items=5, empty_bodies=4), "ok", ["empty body"]),
    ("one-empty-body-of-many", dict(pages=12, list_pages=1, article_links=20, items=10, new=9, empty_bodies=1), "ok", []),
    ("blocked", dict(blocked=3), "blocked", []),
    ("failed", dict(errors=2), "failed", []),
    ("no-answer", dict(), "failed", []),
    ("errors-but-links", dict(pages=4, list_pages=1, article_links=10, items=2, new=2, errors=1), "ok", []),
]


@pytest.mark.parametrize(("figures", "verdict", "warnings"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_judge_and_layout_warnings(figures: dict[str, int], verdict: str, warnings: list[str]) -> None:
    r = row(**figures)
    assert judge(r) == verdict
    found = layout_warnings(r)
    assert len(found) == len(warnings)
    for phrase, text in zip(warnings, found, strict=True):
        assert phrase in text


def test_update_source_row_counts_streaks() -> None:
    source = Source(id="s", name="s", kind="site", family="generic", consecutive_failures=0, consecutive_empty=0)
    for figures, status in ((dict(errors=1), "failed"), (dict(blocked=1), "blocked")):
        r = row(**figures)
        r.status = status
        update_source_row(source, r, NOW)
    assert (source.consecutive_failures, source.consecutive_empty, source.last_success_at) == (2, 2, None)
    ok = row(pages=3, list_pages=3)
    ok.status = "empty"
    update_source_row(source, ok, NOW)
    assert source.consecutive_failures == 0
    assert source.layout_warning and "no article links" in source.layout_warning
    good = row(pages=5, list_pages=1, article_links=9, items=2, new=2)
    good.status = "ok"
    update_source_row(source, good, NOW)
    assert (source.consecutive_empty, source.last_success_at, source.layout_warning) == (0, NOW, None)


REGISTRY_TEXT = "\n".join(f'''
[[source]]
id = "{sid}"
name = "{name}"
family = "generic"
lists = ["https://{sid}.example/list.html"]
article_pattern = '/a/\\d+\\.html$'
''' for sid, name in (("failing", "失败站"), ("layout", "改版站"), ("hollow", "空正文站"), ("healthy", "健康站"), ("quiet", "安静站")))


def add_run(store: Store, run_id: int, when_days_ago: int, per_source: dict[str, dict[str, int]]) -> None:
    started = NOW - timedelta(days=when_days_ago)
    with store.session() as session:
        session.add(CrawlRun(id=run_id, started_at=started, finished_at=started + timedelta(minutes=5), status="ok",
                             command="crawl", report={}))
        for sid, figures in per_source.items():
            r = CrawlRunSource(run_id=run_id, source_id=sid, **{f: figures.get(f, 0) for f in FIGURES})
            r.status = judge(r)
            r.message = "HTTP 503 at https://failing.example/list.html" if r.status == "failed" else None
            session.add(r)


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    registry_path = tmp_path / "sources.toml"
    registry_path.write_text(REGISTRY_TEXT, encoding="utf-8")
    db = tmp_path / "health.db"
    store = open_store(str(db))
    with store.session() as session:
        sync_sources(session, load_registry(registry_path))
    ok = dict(pages=5, list_pages=1, article_links=10, items=3, new=3)
    for run_id in range(1, 9):
        quiet = dict(pages=1, list_pages=1, article_links=10)
        add_run(store, run_id, 9 - run_id, {
            "failing": ok if run_id < 6 else dict(errors=1),
            "layout": ok if run_id < 8 else dict(pages=2, list_pages=2),
            "hollow": ok if run_id < 8 else dict(pages=5, list_pages=1, article_links=10, items=4, empty_bodies=4),
            "healthy": ok,
            "quiet": ok if run_id == 1 else quiet,
        })
    with store.session() as session:
        for n in range(3):
            record = ArticleRecord(url=f"https://healthy.example/a/{n}.html", source_id="healthy", title=f"标题{n}",
                                   body_text=f"正文{n}", published_at=NOW - timedelta(days=2 + n * 3))
            save_article(session, record, Page(url=record.url, body=b"x", fetched_at=NOW), NOW)
    store.close()
    return db, registry_path


def test_registry_health_figures(history: tuple[Path, Path]) -> None:
    db, registry_path = history
    store = open_store(str(db))
    with store.sessions() as session:
        health = {h.source_id: h for h in registry_health(session, load_registry(registry_path), NOW)}
    store.close()
    assert health["failing"].failed_streak == 3
    assert health["failing"].last_success_at == NOW - timedelta(days=4) + timedelta(minutes=5)
    assert health["failing"].attention and "3 failed runs in a row" in health["failing"].attention[0]
    assert "no article links" in " ".join(health["layout"].attention)
    assert "empty body" in " ".join(health["hollow"].attention)
    assert health["healthy"].attention == []
    assert health["healthy"].articles_7d == 2  # published 2 and 5 days ago; the third 8 days ago
    assert health["quiet"].empty_streak == 7
    assert "no new article in 7 runs" in health["quiet"].attention


def test_sources_check_prints_table_and_exits_1_when_attention_is_needed(history: tuple[Path, Path]) -> None:
    db, registry_path = history
    result = CliRunner().invoke(main, ["sources", "check", "--db", str(db), "--sources", str(registry_path)],
                                env={"UNION_NEWS_NOW": "2025-09-15T12:00:00+08:00"})
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "family", "last", "run", "last", "success", "7", "days", "failed", "runs",
                                "empty", "runs", "flags"]
    failing = next(line for line in lines if line.startswith("failing "))
    assert "failed" in failing and "2025-09-11 12:05" in failing and "CHECK" in failing
    assert "  failing: 3 failed runs in a row (failed: HTTP 503" in result.output
    assert "5 sources, 4 need attention" in result.output


def test_sources_check_json_and_thresholds(history: tuple[Path, Path]) -> None:
    db, registry_path = history
    result = CliRunner().invoke(main, ["sources", "check", "--db", str(db), "--sources", str(registry_path), "--json",
                                       "--max-failures", "5", "--max-empty", "10"],
                                env={"UNION_NEWS_NOW": "2025-09-15T12:00:00+08:00"})
    data = {d["id"]: d for d in json.loads(result.output)}
    assert data["failing"]["attention"] == []  # 3 failures are under --max-failures 5
    assert data["quiet"]["attention"] == []
    assert data["healthy"]["articles_7d"] == 2
    assert result.exit_code == 1  # layout and hollow still need attention


def test_sources_check_of_a_fresh_store_is_quiet(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sources", "check", "--db", str(tmp_path / "new.db"), "--sources", str(REGISTRY)])
    assert result.exit_code == 0, result.output
    assert "never crawled: fx_trs" in result.output


def test_sources_check_live_unknown_id_is_a_configuration_error() -> None:
    result = CliRunner().invoke(main, ["sources", "check", "--live", "nope", "--sources", str(REGISTRY)])
    assert result.exit_code == 2
    assert "unknown source id 'nope'" in result.output


@pytest.mark.slow
def test_sources_check_live_prints_what_was_extracted() -> None:
    with SampleServer(FIXTURES) as server:
        result = run_cli("sources", "check", "--live", "fx_grrb", "--sources", str(REGISTRY), env=crawl_env(server))
        hits = [h.path for h in server.hits]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    out = result.stdout
    assert "list page: https://www.workercn.cn/papers/grrb/2025/09/15/1/page.html  HTTP 200  encoding utf-8" in out
    assert "article links: 2; further list pages: 1" in out
    assert "  title:     大连市总工会举办职工技能比武（第801期）" in out
    assert "  published: 2025-09-15 00:00" in out
    assert "set `verified = true`" in out
    assert hits == ["/robots.txt", "/papers/grrb/2025/09/15/1/page.html", "/papers/grrb/2025/09/15/1/news-1.html"]


@pytest.mark.slow
def test_sources_check_live_reports_a_block_and_exits_1() -> None:
    with SampleServer(FIXTURES) as server:
        result = run_cli("sources", "check", "--live", "fx_challenge", "--sources", str(REGISTRY), "--json",
                         env=crawl_env(server))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert len(data["links"]) == 3
    assert any("瑞数" in p for p in data["problems"])
