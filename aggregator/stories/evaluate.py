"""Measure the clustering on labelled data: `union-news stories --eval FILE.jsonl`.

Each line is {"id", "title", "text", "published"?, "outlet"?, "cluster"}. The items go one by one, in file
order, into a throw-away store through the same code the pipeline uses (assign_story), and the resulting
stories are compared with the labels: pairwise precision/recall/F1 over pairs of items, and B-cubed
precision/recall/F1 averaged over items.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from aggregator.dates import parse_date
from aggregator.store import Store, open_store
from aggregator.store.models import Article, Source
from aggregator.store.types import SHANGHAI
from aggregator.stories.cluster import assign_story


class EvalDataError(ValueError):
    """A line of the labelled file is not usable; the message names the line and the field."""


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled article."""

    id: str
    title: str
    text: str
    cluster: str
    published: datetime | None = None
    outlet: str | None = None


def parse_item(line: str, where: str) -> Item:
    """One JSON line into an Item, with a clear error naming `where` when a field is missing or wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise EvalDataError(f"{where}: expected an object with id, title, text, cluster")
    for name in ("id", "title", "text", "cluster"):
        if not isinstance(data.get(name), str | int) or data.get(name) in ("", None):
            raise EvalDataError(f"{where}: field {name!r} is missing or empty")
    published = None
    if data.get("published"):
        parsed = parse_date(str(data["published"]), now=datetime(2100, 1, 1, tzinfo=SHANGHAI))
        if parsed is None:
            raise EvalDataError(f"{where}: cannot read the date {data['published']!r} (use YYYY-MM-DD HH:MM)")
        published = parsed.value
    outlet = str(data["outlet"]) if data.get("outlet") else None
    return Item(str(data["id"]), str(data["title"]), str(data["text"]), str(data["cluster"]), published, outlet)


def read_items(path: str | Path) -> list[Item]:
    """Read a labelled JSONL file (blank lines skipped); ids must be unique."""
    items: list[Item] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            item = parse_item(line, f"{path}:{number}")
            if item.id in seen:
                raise EvalDataError(f"{path}:{number}: id {item.id!r} appears twice")
            seen.add(item.id)
            items.append(item)
    if not items:
        raise EvalDataError(f"{path}: no items")
    return items


def insert_items(store: Store, items: Iterable[Item], prefix: str = "eval") -> dict[str, int]:
    """Insert items one by one into `store` as articles, each matched on arrival; returns item id -> article id."""
    ids: dict[str, int] = {}
    with store.session() as session:
        known = {s.name: s.id for s in session.scalars(select(Source))}
        fetched = datetime(2000, 1, 1, tzinfo=SHANGHAI)
        for item in items:
            outlet = item.outlet or "unknown"
            if outlet not in known:
                known[outlet] = f"{prefix}-{len(known)}"
                session.add(Source(id=known[outlet], name=outlet, kind="site", family="generic", config={}))
            article = Article(url=f"{prefix}:{item.id}", source_id=known[outlet], title=item.title, body_text=item.text,
                              published_at=item.published, fetched_at=fetched, status="ok", extra={})
            session.add(article)
            session.flush()
            assign_story(session, article)
            ids[item.id] = article.id
    return ids


def stories_of(store: Store, article_ids: dict[str, int]) -> dict[str, int]:
    """Story id of each item (item id -> story id) as the store has it now."""
    with store.sessions() as session:
        rows = dict(session.execute(select(Article.id, Article.story_id).where(Article.id.in_(article_ids.values()))).all())
    return {item_id: rows[article_id] for item_id, article_id in article_ids.items()}


def cluster_items(items: Iterable[Item], store: Store | None = None) -> dict[str, int]:
    """Story id of every item, found by inserting the items one by one into `store` (default: a temporary one)."""
    items = list(items)
    if store is not None:
        return stories_of(store, insert_items(store, items))
    with tempfile.TemporaryDirectory(prefix="union-news-eval-") as folder:
        temporary = open_store(str(Path(folder) / "eval.db"))
        try:
            return stories_of(temporary, insert_items(temporary, items))
        finally:
            temporary.close()


def _prf(precision: float, recall: float) -> dict[str, float]:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def pairwise(predicted: dict[str, Any], gold: dict[str, Any]) -> dict[str, float]:
    """Precision/recall/F1 over pairs of items put together (1.0 when there is no pair on that side)."""
    def pairs(labels: dict[str, Any]) -> Counter[tuple[Any, Any]]:
        return Counter((labels[i], gold[i]) for i in gold)

    joint = pairs(predicted)  # items per (predicted, gold) cell
    by_pred = Counter(predicted[i] for i in gold)
    by_gold = Counter(gold[i] for i in gold)
    both = sum(n * (n - 1) // 2 for n in joint.values())
    pred_pairs = sum(n * (n - 1) // 2 for n in by_pred.values())
    gold_pairs = sum(n * (n - 1) // 2 for n in by_gold.values())
    return _prf(both / pred_pairs if pred_pairs else 1.0, both / gold_pairs if gold_pairs else 1.0)


def bcubed(predicted: dict[str, Any], gold: dict[str, Any]) -> dict[str, float]:
    """B-cubed precision/recall/F1: per item, the share of its cluster that is right, averaged over items."""
    joint = Counter((predicted[i], gold[i]) for i in gold)
    by_pred = Counter(predicted[i] for i in gold)
    by_gold = Counter(gold[i] for i in gold)
    precision = sum(joint[predicted[i], gold[i]] / by_pred[predicted[i]] for i in gold) / len(gold)
    recall = sum(joint[predicted[i], gold[i]] / by_gold[gold[i]] for i in gold) / len(gold)
    return _prf(precision, recall)


def evaluate(items: list[Item]) -> dict[str, Any]:
    """Cluster `items` and score the result against their labels."""
    predicted = cluster_items(items)
    gold = {item.id: item.cluster for item in items}
    return {
        "pairwise": pairwise(predicted, gold),
        "bcubed": bcubed(predicted, gold),
        "clusters": len(set(predicted.values())),
        "items": len(items),
    }


def disagreements(items: list[Item], predicted: dict[str, int]) -> dict[str, list[list[str]]]:
    """Where the clustering and the labels differ: stories that mix labels, labels split over stories."""
    gold = {item.id: item.cluster for item in items}
    by_pred: dict[int, list[str]] = defaultdict(list)
    by_gold: dict[str, list[str]] = defaultdict(list)
    for item_id, story in predicted.items():
        by_pred[story].append(item_id)
        by_gold[gold[item_id]].append(item_id)
    merged = [sorted(ids) for ids in by_pred.values() if len({gold[i] for i in ids}) > 1]
    split = [sorted(ids) for ids in by_gold.values() if len({predicted[i] for i in ids}) > 1]
    return {"merged": sorted(merged), "split": sorted(split)}
