"""`union-news digest` and `union-news publish` through click's CliRunner: output, files, errors, exit codes."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.store import open_store
from tests.digest_data import add_articles, add_sources, week30


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    store = open_store(str(path))
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
    store.close()
    return str(path)


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_digest_prints_markdown(db: str) -> None:
    code, out, _ = invoke("digest", "--db", db, "--week", "2025-W30")
    assert code == 0
    assert out.startswith("# 一周速览 | 全国总工会部署夏季送清凉 ;江苏推进算法协商\n")
    assert "## 工作动态" in out and "【待审】" in out


def test_digest_defaults_to_last_week(db: str) -> None:
    code, out, _ = invoke("digest", "--db", db, env={"UNION_NEWS_NOW": "2025-07-30T09:00:00+08:00"})
    assert code == 0 and "2025年第30周" in out


def test_digest_writes_page_and_markdown(db: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    code, out, err = invoke("digest", "--db", db, "--week", "2025-W30", "--out", str(site), "--format", "none")
    assert code == 0 and out == ""
    assert sorted(p.name for p in site.iterdir()) == ["2025-W30.html", "2025-W30.md"]
    assert "wrote" in err
    page = (site / "2025-W30.html").read_text(encoding="utf-8")
    assert "index.html" not in page and "digest.rss.xml" not in page  # nothing beside it to link to


def test_digest_custom_window(db: str, tmp_path: Path) -> None:
    code, out, _ = invoke("digest", "--db", db, "--from", "2025-07-25", "--to", "2025-07-26", "--out", str(tmp_path / "s"))
    assert code == 0 and "7月25日—7月26日" in out
    assert (tmp_path / "s" / "2025-07-25_2025-07-26.md").exists()


def test_digest_html_without_review_marks(db: str) -> None:
    code, out, _ = invoke("digest", "--db", db, "--week", "2025-W30", "--format", "html", "--no-review-marks")
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "待审" not in out


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2025-30"], "not an ISO week"),
    (["--week", "2025-W60"], "not an ISO week"),
    (["--from", "2025-07-21"], "--from and --to go together"),
    (["--from", "2025-07-21", "--to", "21.07.2025"], "YYYY-MM-DD"),
    (["--from", "2025-07-27", "--to", "2025-07-21"], "before it starts"),
    (["--week", "2025-W30", "--from", "2025-07-21", "--to", "2025-07-27"], "either --week or --from/--to"),
])
def test_digest_usage_errors_exit_2(db: str, args: list[str], message: str) -> None:
    code, _, err = invoke("digest", "--db", db, *args)
    assert code == 2 and message in err


def test_empty_week_says_why(db: str) -> None:
    code, out, err = invoke("digest", "--db", db, "--week", "2024-W30")
    assert code == 0 and out.startswith("# 一周速览\n")
    assert "no items in 2024-W30" in err


def test_publish_writes_every_feed(db: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    code, out, _ = invoke("publish", "--db", db, "--out", str(site), "--base-url", "https://n.example.org/u/",
                          "--tag", "n.example.org,2026", env={"UNION_NEWS_NOW": "2025-07-28T12:00:00+08:00"})
    assert code == 0
    assert "published 2 week(s)" in out and "2025-W30, 2025-W29" in out
    assert len(list(site.glob("*.xml"))) == 16
    atom = feedparser.parse((site / "digest.atom.xml").read_bytes())
    assert atom.entries[0].id == "tag:n.example.org,2026:digest:2025-W30"
    assert atom.entries[0].link == "https://n.example.org/u/2025-W30.html"


def test_publish_explicit_week_and_bad_tag(db: str, tmp_path: Path) -> None:
    code, out, _ = invoke("publish", "--db", db, "--out", str(tmp_path / "s"), "--week", "2025-W31",
                          env={"UNION_NEWS_NOW": "2025-07-28T12:00:00+08:00"})
    assert code == 0 and "2025-W31" in out
    code, _, err = invoke("publish", "--db", db, "--out", str(tmp_path / "s"), "--tag", "tag:x")
    assert code == 2 and "DOMAIN,DATE" in err


@pytest.mark.parametrize("command", ["digest", "publish"])
def test_help_has_an_example(command: str) -> None:
    code, out, _ = invoke(command, "--help")
    assert code == 0 and "Example" in out
