"""`union-news stories` and `union-news reprocess --stories` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aggregator.cli import main
from aggregator.store import open_store
from aggregator.store.models import Article
from aggregator.stories.evaluate import insert_items, read_items, stories_of

DATA = Path(__file__).parent / "data"
SAMPLE_SOURCES = Path(__file__).parent.parent / "data" / "samples" / "sources.toml"


def groups(labels: dict[str, int | None]) -> list[list[str]]:
    return sorted(sorted(k for k in labels if labels[k] == s) for s in set(labels.values()))


@pytest.fixture
def filled(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """A store holding stories s01 and s02 of the test set and one negative (week 2025-W29)."""
    path = str(tmp_path / "cli.db")
    items = [i for i in read_items(DATA / "stories_labeled.jsonl") if i.cluster in ("s01", "s02", "n02")]
    store = open_store(path)
    labels = stories_of(store, insert_items(store, items))
    store.close()
    return path, labels


def test_eval_prints_one_json_object(tmp_path: Path) -> None:
    lines = (DATA / "stories_labeled.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["stories", "--eval", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"pairwise", "bcubed", "clusters", "items"}
    assert set(data["pairwise"]) == set(data["bcubed"]) == {"precision", "recall", "f1"}
    assert data["items"] == 12 and data["clusters"] == 3  # s01 (5), s02 (4), s03 (3 of its 4)


def test_eval_explain_lists_disagreements(tmp_path: Path) -> None:
    path = tmp_path / "wrong.jsonl"
    rows = [json.loads(line) for line in (DATA / "stories_labeled.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    rows[1]["cluster"] = "other"  # a repost labelled as another story
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["stories", "--eval", str(path), "--explain"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["pairwise"]["precision"] < 1.0
    assert "merged: s01-a s01-b s01-c" in result.stderr


@pytest.mark.parametrize("content", ["not json\n", '{"id": "a"}\n', ""])
def test_eval_bad_file_is_a_configuration_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["stories", "--eval", str(path)])
    assert result.exit_code == 2
    assert "configuration error" in result.stderr and "bad.jsonl" in result.stderr


def test_eval_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stories", "--eval", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2


def test_list_the_weeks_stories(filled: tuple[str, dict[str, int]]) -> None:
    path, _labels = filled
    result = CliRunner().invoke(main, ["stories", "--db", path, "--week", "2025-W29", "--min-size", "2"])
    assert result.exit_code == 0, result.output
    assert "2025-W29: 2 stories" in result.stderr
    assert "南京" in result.stdout and "苏州" in result.stdout
    assert "南京市总工会官网" in result.stdout  # the outlets that carried it


def test_bad_week_is_a_usage_error(filled: tuple[str, dict[str, int]]) -> None:
    result = CliRunner().invoke(main, ["stories", "--db", filled[0], "--week", "last"])
    assert result.exit_code == 2 and "--week" in result.output


def test_show_one_story(filled: tuple[str, dict[str, int]]) -> None:
    path, labels = filled
    result = CliRunner().invoke(main, ["stories", "--db", path, "--story", str(labels["s01-a"])])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 2 + 5  # header, rule, five versions
    assert "representative" in result.stdout and "repost" in result.stdout and "rewrite" in result.stdout


def test_unknown_story_is_a_usage_error(filled: tuple[str, dict[str, int]]) -> None:
    result = CliRunner().invoke(main, ["stories", "--db", filled[0], "--story", "999"])
    assert result.exit_code == 2 and "no story 999" in result.output


def test_status(filled: tuple[str, dict[str, int]]) -> None:
    result = CliRunner().invoke(main, ["stories", "--db", filled[0], "--status"])
    assert result.exit_code == 0
    assert "indexed: 10" in result.stdout and "outdated: 0" in result.stdout and "stories: 3" in result.stdout


def test_reprocess_stories_rebuilds_the_same_groups(filled: tuple[str, dict[str, int]]) -> None:
    path, labels = filled
    result = CliRunner().invoke(main, ["reprocess", "--db", path, "--sources", str(SAMPLE_SOURCES), "--stories"])
    assert result.exit_code == 0, result.output
    assert "stories: 3" in result.stdout
    store = open_store(path)
    with store.sessions() as session:
        rows = dict(session.execute(select(Article.url, Article.story_id)).all())
    store.close()
    assert groups({url.removeprefix("eval:"): story for url, story in rows.items()}) == groups(labels)
