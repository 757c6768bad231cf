"""Lexicon.score's key-character prefilter gives what searching every term gives."""

from __future__ import annotations

import random
from pathlib import Path

from aggregator.classify import LABELS, Lexicon, data_paths
from aggregator.classify.data import read_training
from aggregator.classify.lexicon import LexiconScores, _key_buckets
from aggregator.classify.taxonomy import NONE

PATHS = data_paths()


def full_scan(lexicon: Lexicon, title: str, head: str) -> LexiconScores:
    """The scoring before the prefilter: every term searched for, in table order."""
    scores = [0.0] * len(LABELS)
    evidence: dict[str, list[str]] = {}
    both = f"{title}\x00{head}"
    for term, index, weight in [entry for entry in lexicon._table if entry[0] in both]:
        hits = (lexicon.title_weight if term in title else 0.0) + (1.0 if term in head else 0.0)
        if hits:
            scores[index] += weight * hits
            evidence.setdefault(LABELS[index], []).append(term)
    if not lexicon.has_union_marker(title) and not lexicon.has_union_marker(head):
        scores[LABELS.index(NONE)] += lexicon.no_marker_score
        evidence.setdefault(NONE, []).insert(0, "no union marker")
    return LexiconScores(scores, evidence)


def test_key_buckets_key_each_term_by_one_of_its_characters() -> None:
    terms = ["工会", "总工会", "工匠", "", "会员"]
    buckets, always = _key_buckets(terms)
    assert always == [3]
    positions = sorted(i for _char, bucket in buckets for i in bucket)
    assert positions == [0, 1, 2, 4]
    for char, bucket in buckets:
        assert all(char in terms[i] for i in bucket)
    # The key is the least shared character: 总 (one term) for 总工会, not 工 or 会.
    assert next(char for char, bucket in buckets if 1 in bucket) == "总"


def test_score_equals_the_full_scan_on_the_shipped_lexicon() -> None:
    lexicon = Lexicon(PATHS["lexicon"])
    examples = read_training(PATHS["labels"])
    rng = random.Random(7)
    terms = [term for term, _index, _weight in lexicon._table]
    for example in examples:
        assert lexicon.score(example.title, example.text) == full_scan(lexicon, example.title, example.text)
    for _ in range(300):  # texts made of terms, their halves and markers: many overlaps and repeats
        vocabulary = terms + [t[: len(t) // 2 + 1] for t in terms] + list(lexicon.union_markers) + ["，"]
        pieces = rng.choices(vocabulary, k=12)
        title, head = "".join(pieces[:3]), "".join(pieces[3:])
        assert lexicon.score(title, head) == full_scan(lexicon, title, head)


def test_score_keeps_table_order_and_the_empty_term(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text('version = "t"\nunion_markers = ["工会"]\n'
                    '[[section]]\nname = "工作动态"\nterms = { "会议" = 1.5, "" = 0.25, "工会会议" = 2.0, "议" = 0.5 }\n'
                    '[none]\nterms = { "股市" = 3.0 }\n', encoding="utf-8")
    lexicon = Lexicon(path)
    for title, head in [("工会会议", "会议"), ("", ""), ("股市", "会议 议"), ("x", "工会\x00会议")]:
        assert lexicon.score(title, head) == full_scan(lexicon, title, head)
    assert lexicon.score("工会会议", "").evidence["工作动态"] == ["会议", "", "工会会议", "议"]
