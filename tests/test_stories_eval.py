"""The clustering measured through the eval code path (`union-news stories --eval`) on labelled sets."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from aggregator.stories.evaluate import EvalDataError, Item, bcubed, evaluate, pairwise, parse_item, read_items

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "data" / "samples" / "content"


def sample_items() -> list[Item]:
    """The bundled demo's stories (our own texts): every outlet's version, labelled by story file."""
    lines = []
    for path in sorted(SAMPLES.glob("*.toml")):
        story = tomllib.loads(path.read_text(encoding="utf-8"))
        for n, article in enumerate(story["article"]):
            text = "\n".join(([article["byline"]] if article.get("byline") else []) + article["paragraphs"])
            lines.append(json.dumps({"id": f"{path.stem}#{n}", "title": article["title"], "text": text,
                                     "published": article["published"], "outlet": article["outlet"],
                                     "cluster": path.stem}, ensure_ascii=False))
    return [parse_item(line, f"sample {n}") for n, line in enumerate(lines)]


@pytest.mark.parametrize("name", ["stories_labeled.jsonl", "stories_dev.jsonl"])
def test_labelled_sets_meet_the_targets(name: str) -> None:
    """Pairwise precision at least 0.95 and recall at least 0.90 (stories_dev.jsonl is the set tuned on)."""
    items = read_items(DATA / name)
    result = evaluate(items)
    assert result["items"] == len(items)
    assert result["pairwise"]["precision"] >= 0.95, result
    assert result["pairwise"]["recall"] >= 0.90, result
    assert result["bcubed"]["precision"] >= 0.95 and result["bcubed"]["recall"] >= 0.90, result


def test_the_test_set_has_what_the_issue_asks_for() -> None:
    items = read_items(DATA / "stories_labeled.jsonl")
    sizes: dict[str, int] = {}
    for item in items:
        sizes[item.cluster] = sizes.get(item.cluster, 0) + 1
    assert sum(1 for n in sizes.values() if n > 1) >= 15  # multi-outlet stories
    assert sum(1 for n in sizes.values() if n == 1) >= 30  # hard negatives
    assert sum(1 for item in items if item.id.endswith("-rw")) >= 10  # independent write-ups


def test_demo_sample_stories_cluster_right() -> None:
    result = evaluate(sample_items())
    assert result["pairwise"]["precision"] >= 0.95 and result["pairwise"]["recall"] >= 0.90, result


GOLD = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}


@pytest.mark.parametrize(("predicted", "pair_p", "pair_r", "b3_p", "b3_r"), [
    ({"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}, 1.0, 1.0, 1.0, 1.0),
    ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}, 1.0, 0.0, 1.0, 0.5),  # all apart: no pair claimed
    ({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1}, 0.2667, 1.0, 0.3889, 1.0),  # all together
    ({"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 3}, 0.5, 0.5, 0.7778, 0.7778),  # (1+1+1/3+2/3+2/3+1)/6
])
def test_metrics_on_a_small_table(predicted: dict[str, int], pair_p: float, pair_r: float, b3_p: float,
                                  b3_r: float) -> None:
    p = pairwise(predicted, GOLD)
    b = bcubed(predicted, GOLD)
    assert (p["precision"], p["recall"]) == (pair_p, pair_r)
    assert (b["precision"], b["recall"]) == (b3_p, b3_r)
    if pair_p + pair_r:
        assert p["f1"] == pytest.approx(2 * pair_p * pair_r / (pair_p + pair_r), abs=1e-3)


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "not JSON"),
    ("[1, 2]", "expected an object"),
    ('{"id": "x", "title": "t", "text": "b"}', "'cluster'"),
    ('{"id": "x", "title": "", "text": "b", "cluster": "c"}', "'title'"),
    ('{"id": "x", "title": "t", "text": "b", "cluster": "c", "published": "someday"}', "cannot read the date"),
])
def test_bad_lines_are_reported_with_their_place(line: str, message: str) -> None:
    with pytest.raises(EvalDataError, match=message) as error:
        parse_item(line, "f.jsonl:3")
    assert "f.jsonl:3" in str(error.value)


def test_optional_fields_and_duplicate_ids(tmp_path: Path) -> None:
    item = parse_item('{"id": 7, "title": "t", "text": "b", "cluster": "c"}', "x")
    assert (item.id, item.published, item.outlet) == ("7", None, None)
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "a", "title": "t", "text": "b", "cluster": "c"}\n\n'
                    '{"id": "a", "title": "t", "text": "b", "cluster": "c"}\n', encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"dup.jsonl:3: id 'a' appears twice"):
        read_items(path)
