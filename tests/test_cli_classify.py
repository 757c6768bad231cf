"""classify, label, train, review on the command line (click's CliRunner)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from aggregator.classify import LABELS, default_classifier
from aggregator.cli import main
from aggregator.dates import SHANGHAI
from aggregator.store import open_store
from aggregator.store.models import Article, ManualLabel
from tests.test_classify_editing import add_article


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store with one sure and one unsure article."""
    path = str(tmp_path / "cli.db")
    store = open_store(path)
    with store.session() as session:
        add_article(session, "https://b.example/1", "扬州市总工会为环卫工人送清凉", "扬州市总工会近日为环卫工人送去防暑药品。",
                    datetime(2025, 7, 22, 9, tzinfo=SHANGHAI), section="维权服务", section_confidence=0.95,
                    section_origin="model", needs_review=False)
        add_article(session, "https://b.example/2", "某地工会开展活动", "某地工会近日开展活动。",
                    datetime(2025, 7, 23, 9, tzinfo=SHANGHAI), section="思想引领", section_confidence=0.42,
                    section_origin="model", needs_review=True, extra={"section_evidence": ["model: 活动 +0.10"]})
    store.close()
    return path


@pytest.mark.parametrize("command", ["classify", "label", "train", "review"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output


def test_classify_one_item_prints_section_confidence_and_evidence() -> None:
    result = run("classify", "--title", "徐留平带队在北京开展送清凉调研慰问",
                 "--text", "全国总工会党组书记、副主席徐留平带队来到基层单位，为一线职工送清凉。")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "section: 工作动态"
    assert lines[1].startswith("confidence: 0.")
    assert f"({default_classifier().version})" in lines[2]
    assert any(line.strip().startswith("rule national-leaders:") for line in lines)


def test_classify_one_item_as_json_shows_model_features() -> None:
    result = run("classify", "--json", "--title", "苏州市餐饮行业开展工资专项集体协商",
                 "--text", "苏州市餐饮行业工会联合会与行业协会开展工资集体协商，签订专项集体合同。")
    decision = json.loads(result.stdout)
    assert decision["section"] == "构建和谐劳动关系"
    assert set(decision["probabilities"]) == set(LABELS)
    assert any(line.startswith("model: ") for line in decision["evidence"])
    assert decision["model"] == default_classifier().version


@pytest.mark.parametrize("args", [[], ["--title", "x", "--cv", "5"]], ids=["none", "two"])
def test_classify_needs_exactly_one_mode(args: list[str]) -> None:
    result = run("classify", *args)
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_classify_eval_prints_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "few.jsonl"
    rows = [{"title": "本周末全市有大雨", "text": "市气象台预报本周末有大到暴雨。", "label": "none"},
            {"title": "无锡市成立外卖配送行业工会联合会", "text": "无锡市外卖配送行业工会联合会近日成立，骑手集中入会。",
             "label": "组织建设"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run("classify", "--eval", str(path))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["accuracy"] == 1.0 and figures["macro_f1"] == 1.0
    assert figures["per_section"]["组织建设"]["support"] == 1
    assert len(figures["confusion"]["matrix"]) == len(LABELS)


def test_classify_eval_of_a_broken_file_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "x", "label": "其他"}\n', encoding="utf-8")
    result = run("classify", "--eval", str(path))
    assert result.exit_code == 2 and f"{path}:1" in result.output


def test_classify_eval_with_the_lexicon_alone(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "明天有雷阵雨", "text": "气象台预报。", "label": "none"}), encoding="utf-8")
    result = run("classify", "--only", "lexicon", "--eval", str(path))
    assert json.loads(result.stdout)["accuracy"] == 1.0
    assert "classifier: lexicon-2" in result.stderr


def test_label_review_and_remove(db: str) -> None:
    listed = run("review", "--db", db)
    assert listed.exit_code == 0
    assert "某地工会开展活动" in listed.stdout and "扬州市" not in listed.stdout
    article_id = listed.stdout.splitlines()[2].split()[0]
    labelled = run("label", article_id, "工作动态", "--db", db, "--editor", "编辑", "--note", "全总")
    assert labelled.exit_code == 0 and "思想引领 -> 工作动态 (manual)" in labelled.stdout
    assert run("review", "--db", db).stdout.strip() == "nothing to review"
    store = open_store(db)
    with store.sessions() as session:
        label = session.scalars(select(ManualLabel)).one()
        assert (label.section, label.editor, label.note) == ("工作动态", "编辑", "全总")
    store.close()
    removed = run("label", article_id, "--remove", "--db", db)
    assert removed.exit_code == 0 and "label removed" in removed.stdout


def test_review_as_json_lines(db: str) -> None:
    lines = run("review", "--db", db, "--json", "--week", "2025-W30").stdout.splitlines()
    assert [json.loads(line)["url"] for line in lines] == ["https://b.example/2"]
    assert json.loads(lines[0])["evidence"] == ["model: 活动 +0.10"]
    assert run("review", "--db", db, "--week", "2025-W31").stdout.strip() == "nothing to review"


@pytest.mark.parametrize("args,message", [
    (["https://b.example/1", "体育"], "unknown section"),
    (["https://nowhere.example/", "none"], "no stored article"),
])
def test_label_errors_are_exit_2_and_say_what_to_do(db: str, args: list[str], message: str) -> None:
    result = run("label", *args, "--db", db)
    assert result.exit_code == 2 and message in result.output


def test_label_needs_a_section_or_remove(db: str) -> None:
    assert run("label", "1", "--db", db).exit_code == 2


def test_reclassify_the_store(db: str) -> None:
    result = run("classify", "--reclassify", "--db", db)
    assert result.exit_code == 0 and result.stdout.startswith("articles: 2;")
    store = open_store(db)
    with store.sessions() as session:
        assert {a.section_model for a in session.scalars(select(Article))} == {default_classifier().version}
    store.close()


def test_train_writes_the_same_model_twice_and_reads_manual_labels(db: str, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert run("train", "--no-store", "--out", str(first)).exit_code == 0
    assert run("label", "https://b.example/2", "工作动态", "--db", db).exit_code == 0
    result = run("train", "--db", db, "--out", str(second))
    assert result.exit_code == 0, result.output
    assert "+ 1 manual labels" in result.stdout
    [shipped] = first.glob("*.json.gz")
    assert shipped.name == (Path(default_classifier().model.name + ".json.gz")).name  # type: ignore[union-attr]
    [with_label] = second.glob("*.json.gz")
    assert with_label.name != shipped.name
    again = tmp_path / "three"
    assert run("train", "--db", db, "--out", str(again)).exit_code == 0
    assert (again / with_label.name).read_bytes() == with_label.read_bytes()


def test_a_named_model_that_cannot_be_read_is_exit_2(tmp_path: Path) -> None:
    result = run("classify", "--title", "标题", "--model", str(tmp_path))
    assert result.exit_code == 2 and "no CURRENT file" in result.output and "union-news train" in result.output
