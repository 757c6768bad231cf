"""The precise check on a candidate pair: same event or not, and why.

Three vetoes come first (cheap, and where most same-topic candidates end): the two texts name different years
("2024年…竞赛" against "2025年…"), are about different cities (neither names the other's main city), or give
different days for the event. Templated county reports and this year's round of last year's contest share
most of their wording and differ exactly there. Then two paths lead to "same story":
- a repost: at least half of the shorter text's shingles are in the longer one, and the figures and people of
  the sparser article are mostly in the other (a template filled with other facts fails here);
- an independent write-up: published within WINDOW_DAYS, some wording in common, and the same facts: shared
  figures, people and quoted names weighing REWRITE_SHARED or more (UNDATED_SHARED when one text gives no day
  for the event), most of the sparser article's facts, and half of the facts of both.
A verbatim copy whose 今天 now points at a later day than the original's is let past the event-day veto when it
is at least COPY_CONTAINMENT of the shorter text and its facts agree. The check is symmetric, so the stories do
not depend on the order articles arrive in. Thresholds were set on tests/data/stories_dev.jsonl (docs/stories.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aggregator.stories.features import Features, quote_weight

REPOST_CONTAINMENT = 0.5  # share of the shorter text's shingles found in the longer one
FACT_AGREEMENT = 0.5  # weight of shared facts over the facts of the sparser article
FEW_FACTS = 1.5  # below this weight of facts, agreement is not measured (nothing to disagree on)
REWRITE_SHARED = 1.5  # weight of shared facts a write-up needs (a person or a three-digit figure weighs 1.0)
UNDATED_SHARED = 4.0  # ... when one of the two does not say on which day the event happened
REWRITE_CONTAINMENT = 0.15  # some wording in common even for a write-up (names, places, the campaign's name)
REWRITE_DICE = 0.5  # shared facts over the facts of both: a write-up is about the same facts, not a few of them
MIN_SHINGLES = 20  # a text shorter than this (a headline over a photo) is not compared as a copy
WINDOW_DAYS = 3  # write-ups of one event are published within this many days of each other
EVENT_TOLERANCE = 1  # days two accounts of one event may disagree on (a late-night post, 昨天 vs the date)
COPY_CONTAINMENT = 0.8  # a copy this close, with agreeing facts, is the same story whatever its 今天 now means


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of the precise check, with the figures that decided it."""

    same: bool
    reason: str  # repost | rewrite | event-day | year | city | window | facts | weak
    containment: float
    shared: float
    agreement: float


def containment(a: Features, b: Features) -> float:
    """Share of the smaller shingle set found in the other (exact, on the stored hashes)."""
    if not len(a.shingles) or not len(b.shingles):
        return 0.0
    common = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    return common / min(a.shingles.size, b.shingles.size)


def fact_overlap(a: Features, b: Features) -> tuple[float, float, float]:
    """(weight of shared figures and people, weight of a's, weight of b's); quoted names are not counted here.

    Quoted names are often the series, not the event (“江城工匠杯” has a final per trade), so they add to the
    evidence for a match but never make two accounts agree whose figures and people differ.
    """
    fa, fb = a.core, b.core
    if len(fb) < len(fa):
        fa, fb = fb, fa
    shared = sum(w for k, w in fa.items() if k in fb)
    return shared, sum(a.core.values()), sum(b.core.values())


def shared_quotes(a: Features, b: Features) -> float:
    """Weight of the quoted names both articles use."""
    return sum(quote_weight(q) for q in a.quotes & b.quotes)


def veto(a: Features, b: Features) -> str | None:
    """Why two articles cannot be about the same event, if the texts say so (the event's day is checked last)."""
    if a.years and b.years and not a.years & b.years:
        return "year"
    if a.city and b.city and a.city not in b.places and b.city not in a.places:
        return "city"
    if a.event_day is not None and b.event_day is not None and abs(a.event_day - b.event_day) > EVENT_TOLERANCE:
        return "event-day"
    return None


def judge(a: Features, b: Features) -> Verdict:
    """Decide whether `a` and `b` report the same event (symmetric in a and b)."""
    why = veto(a, b)
    if why and not (why == "event-day" and (a.event_relative or b.event_relative)):
        return Verdict(False, why, 0.0, 0.0, 0.0)  # the cheap checks first: most same-topic candidates end here
    c = containment(a, b)
    core, wa, wb = fact_overlap(a, b)
    sparse = min(wa, wb)
    agreement = core / sparse if sparse > 0 else 0.0
    agrees = sparse < FEW_FACTS or agreement >= FACT_AGREEMENT  # too few facts to disagree on counts as agreeing
    shared = core + shared_quotes(a, b)
    if why:
        # A day read from 今天/昨天 is the day of publication: a verbatim copy published later keeps the word.
        # Only such a copy, with its facts in agreement, gets past the event-day check.
        if not (c >= COPY_CONTAINMENT and agrees and min(a.shingles.size, b.shingles.size) >= MIN_SHINGLES):
            return Verdict(False, why, c, shared, agreement)
        return Verdict(True, "repost", c, shared, agreement)
    if c >= REPOST_CONTAINMENT and min(a.shingles.size, b.shingles.size) >= MIN_SHINGLES:
        return Verdict(agrees, "repost" if agrees else "facts", c, shared, agreement)
    if a.day and b.day and abs(a.day - b.day) > WINDOW_DAYS:
        return Verdict(False, "window", c, shared, agreement)
    dated = a.event_day is not None and b.event_day is not None  # and, not vetoed, the same day
    balanced = sparse < FEW_FACTS or 2 * core / (wa + wb) >= REWRITE_DICE
    if agrees and balanced and shared >= (REWRITE_SHARED if dated else UNDATED_SHARED) and c >= REWRITE_CONTAINMENT:
        return Verdict(True, "rewrite", c, shared, agreement)
    return Verdict(False, "facts" if not agrees else "weak", c, shared, agreement)


def same_story(a: Features, b: Features) -> bool:
    """True when `a` and `b` report the same event."""
    return judge(a, b).same
