"""Generated news text with a realistic vocabulary, for benchmarks that need many distinct articles.

The vocabulary is cut from the project's own texts under data/ (labelled items, held-out evaluation items, the
sample sites' articles, the section definitions), segmented into words without a dictionary package: candidate
words are the character n-grams that recur there, the section lexicon's terms and the gazetteer's names; a
unigram segmentation (Viterbi) picks the likeliest split of each run of Chinese characters, and the counts are
re-estimated from that split. What comes out is some 8,000 words whose counts fall off with rank as
word counts do (Zipf-like): 的, 和, 在, 开展, 职工 recur in every article, most content words in few. Articles drawn from it
word by word share common words and short phrases as unrelated news articles do, and little else.

Each article also carries the facts real reports have and the story matcher looks at: the event's date, a city
from the gazetteer, a person with a role, a few figures. Everything is a pure function of the random generator
passed in, so random.Random(n) gives article n the same text in every process.
"""

from __future__ import annotations

import json
import math
import random
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
_RUN = re.compile(r"[\u4e00-\u9fff]+")  # runs of Chinese characters: digits, Latin, punctuation end words
_MIN_COUNT = 3  # an n-gram seen this often is a candidate word; rarer ones are mostly chance neighbours
_LONGEST = 8  # characters of the longest candidate word (longer lexicon terms and place names are rare)


@dataclass(frozen=True)
class Vocabulary:
    """The words with their counts, most frequent first, and the cities the articles take place in."""

    words: tuple[str, ...]
    counts: tuple[int, ...]
    cities: tuple[str, ...]
    # Each word repeated as often as it was counted: a uniform draw from it is a draw by frequency, several
    # times faster than random.choices with weights (the site's server renders every page on the fly).
    table: tuple[str, ...]


def corpus() -> list[str]:
    """The project's own Chinese texts in a fixed order: labelled items, sample articles, sections."""
    texts: list[str] = []
    for path in sorted(DATA.glob("labels/*.jsonl")) + sorted(DATA.glob("eval/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                texts += [item["title"], item["text"]]
    for path in sorted((DATA / "samples" / "content").glob("*.toml")):
        for article in tomllib.loads(path.read_text(encoding="utf-8"))["article"]:
            texts += [article["title"], *article["paragraphs"], *article.get("image_captions", [])]
    for section in tomllib.loads((DATA / "sections.toml").read_text(encoding="utf-8"))["section"]:
        texts += [section.get("definition", ""), *section.get("examples", [])]
    return texts


def _known_terms() -> list[str]:
    """Words the project lists itself: the section lexicon's terms and markers, the gazetteer's names."""
    from aggregator.regions import default_gazetteer

    lexicon = tomllib.loads((DATA / "lexicons" / "sections.toml").read_text(encoding="utf-8"))
    terms = list(lexicon["union_markers"]) + [t for s in lexicon["section"] for t in s["terms"]]
    terms += list(lexicon.get("none", {}).get("terms", {}))
    terms += list(default_gazetteer().names)
    return sorted({t for t in terms if 2 <= len(t) <= _LONGEST and _RUN.fullmatch(t)})


def _segment(run: str, cost: dict[str, float]) -> list[str]:
    """The split of `run` into known words with the least total cost (-log probability)."""
    best = [0.0] + [math.inf] * len(run)
    back = [1] * (len(run) + 1)
    for end in range(1, len(run) + 1):
        for size in range(1, min(_LONGEST, end) + 1):
            word_cost = cost.get(run[end - size : end])
            if word_cost is not None and best[end - size] + word_cost < best[end]:
                best[end], back[end] = best[end - size] + word_cost, size
    words: list[str] = []
    end = len(run)
    while end:
        words.append(run[end - back[end] : end])
        end -= back[end]
    return words[::-1]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The words of the project's texts with their counts (built once per process, about a second)."""
    from aggregator.regions import default_gazetteer

    runs = [run for text in corpus() for run in _RUN.findall(text)]
    counts: Counter[str] = Counter()
    for run in runs:
        for size in range(1, _LONGEST + 1):
            for start in range(len(run) - size + 1):
                counts[run[start : start + size]] += 1
    # Candidates: every character (so every run can be split), n-grams that recur, and the listed terms.
    candidates = {w: c for w, c in counts.items() if len(w) == 1 or c >= _MIN_COUNT}
    for term in _known_terms():
        candidates.setdefault(term, 1)
    for _ in range(2):  # re-estimate: counts of the words the segmentation actually uses
        total = sum(candidates.values())
        cost = {w: math.log(total / c) for w, c in candidates.items()}
        used: Counter[str] = Counter()
        for run in runs:
            used.update(_segment(run, cost))
        candidates = {w: used[w] for w in candidates if used[w]}
        for char in (w for w in counts if len(w) == 1):  # keep every character splittable
            candidates.setdefault(char, 1)
    ranked = sorted(candidates.items(), key=lambda wc: (-wc[1], wc[0]))
    cities = sorted({name for name, places in default_gazetteer().names.items()
                     if name.endswith("市") and len(name) >= 3 and all(p.city for p in places)})
    return Vocabulary(tuple(w for w, _ in ranked), tuple(c for _, c in ranked), tuple(cities),
                      tuple(w for w, c in ranked for _ in range(c)))


def words(rng: random.Random, k: int) -> str:
    """`k` words drawn by their frequency in the project's texts, run together as Chinese is written."""
    return "".join(rng.choices(vocabulary().table, k=k))


def sentences(rng: random.Random, k: int) -> str:
    """`k` words as clauses of two to seven words, separated by commas and ended by full stops."""
    drawn = rng.choices(vocabulary().table, k=k)
    parts: list[str] = []
    start = 0
    while start < k:
        end = min(k, start + rng.randint(2, 7))
        parts.append("".join(drawn[start:end]) + ("。" if end == k or rng.random() < 0.3 else "，"))
        start = end
    return "".join(parts)


def news_article(rng: random.Random, day: date, paragraphs: int = 8) -> tuple[str, list[str]]:
    """(title, paragraphs) of one generated report published on `day`.

    The event's date, city and a person with a role lead; figures and a quote follow; the rest is drawn word
    by word from the vocabulary.
    """
    from benchmarks.stories import GIVEN, ROLES, SURNAMES

    vocab = vocabulary()
    city = rng.choice(vocab.cities)
    when = day - timedelta(days=rng.choice((0, 0, 1)))
    person = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
    title = city + words(rng, rng.randint(5, 10))
    body = [f"{when.month}月{when.day}日，{city}{words(rng, rng.randint(3, 6))}，{rng.choice(ROLES)}{person}"
            f"{words(rng, rng.randint(2, 5))}。{sentences(rng, rng.randint(30, 70))}"]
    figures = [f"{rng.randint(12, 9800)}万元", f"{rng.randint(21, 9900)}名职工", f"{rng.randint(11, 480)}个站点",
               f"{rng.randint(101, 99999)}人次"]
    for i in range(1, paragraphs):
        text = sentences(rng, rng.randint(40, 90))
        if i <= len(figures) and rng.random() < 0.6:  # figures in a few paragraphs, as reports give them
            text = f"{words(rng, rng.randint(2, 4))}{figures[i - 1]}，" + text
        if i == paragraphs // 2:
            text += f"“{sentences(rng, rng.randint(8, 16))}”{person}说。"
        body.append(text)
    return title, body
