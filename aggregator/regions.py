"""Which province (and prefecture-level city) an article is about, from a gazetteer in data/.

The rules an editor applies, in order:
1. An item whose headline names the national federation as the actor (全国总工会党组…, 中华全国总工会主办…) is
   national ("全国"); so is one whose first sentence does, unless the headline names a place as its actor.
2. Otherwise places count: in the headline most (a place after 在/赴/走进… is the venue and counts less than the
   actor: "青岛市…话剧在京展演" is Qingdao's item), then in the first sentences, then in the rest.
3. Names the gazetteer marks ambiguous (朝阳, 长宁, 一师) count only next to their province's own evidence;
   stop phrases (北京时间, 哈密瓜) count nothing.
4. The city is the one the headline names; a headline naming only the province (浙江省总工会…) gets none; a
   headline naming no place takes the first city of the lede.
5. No place at all: the source's region (its registry entry), else None.
"""

from __future__ import annotations

import os
import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from aggregator import settings

NATIONAL = "全国"
# Joins the texts scanned together (one character's width in UTF-32).
_SEPARATOR = b"\0\0\0\0"
# How many low bits of each character of a pair index the pair table (2 ** (2 * _LOW_BITS) entries).
_LOW_BITS = 8
_LOW_MASK = (1 << _LOW_BITS) - 1
# The national federation acting as leader or organiser makes an item national whatever place it names.
_NATIONAL_ACTOR = re.compile(
    r"(?:中华)?全国总工会(?:党组|书记处|主席团|执委会|经审会|领导|主席|副主席|书记处第一书记|党组书记|机关)"
    r"|全总(?:党组|书记处|领导|机关)"
    r"|(?:由|经)?(?:中华)?全国总工会(?:主办|举办|召开|印发|发布|部署|启动|开展|命名|表彰|授予)"
    r"|全总(?:主办|召开|印发|发布|部署)"
)
# A place right after these words is where something happened, not who did it.
_VENUE_WORDS = ("在", "赴", "到", "进", "往", "于", "抵", "临")
_SENTENCE_END = re.compile(r"[。！？!?]")


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry a name points at."""

    province: str  # short name: 江苏, 新疆, 兵团
    city: str | None  # short name of the prefecture-level city (or 师), if the name is that specific


@dataclass(frozen=True, slots=True)
class Region:
    """The region of an article."""

    province: str | None
    city: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A gazetteer name found in text."""

    pos: int
    name: str
    places: tuple[Place, ...]
    needs_context: bool  # ambiguous: counts only next to other evidence for its province


# What a match of a name yields: its places, whether it needs context (ambiguous), and whether it is plain evidence
# (needs no context and names one province only).
_Found = tuple[tuple[Place, ...], bool, bool]
# A match in text: (position, name, what the name yields).
_Match = tuple[int, str, _Found]


class Gazetteer:
    """Names of provinces, cities and counties, and a scanner that finds them in text."""

    def __init__(self, path: str | Path) -> None:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        ambiguous = set(data.get("ambiguous_shorts", []))
        self.names: dict[str, list[Place]] = {}
        self.context: dict[str, list[Place]] = {}
        self.stops: frozenset[str] = frozenset(data.get("stop_phrases", []))
        self.provinces: list[str] = []
        self.province_names: dict[str, str] = {}
        for prov in data["province"]:
            pshort = prov["short"]
            self.provinces.append(pshort)
            self.province_names[pshort] = prov["name"]
            for name in {prov["name"], pshort, *prov.get("aliases", [])}:
                if name:
                    # A province's own short form is the province even when a city shares it (吉林, 海南).
                    self._add(self.names, name, Place(pshort, None))
            xpcc = prov.get("kind") == "xpcc"
            for city in prov.get("city", []):
                cshort = city["short"]
                place = Place(pshort, cshort)
                # 兵团 divisions are named 第八师…: "第一师范学院" is a college, so they need 兵团 nearby.
                own = self.context if xpcc else self.names
                self._add(own, city["name"], place)
                for name in city.get("aliases", []):
                    self._add(self.context if name in ambiguous else self.names, name, place)
                for name in city.get("context_aliases", []):
                    self._add(self.context, name, place)
                if len(cshort) >= 2 and cshort != city["name"]:
                    self._add(self.context if (cshort in ambiguous or xpcc) else self.names, cshort, place)
                for district in city.get("districts", []):
                    if len(district) >= 3:  # 荔湾区, 舒城县: full names only, short forms are too ambiguous
                        self._add(self.names, district, place)
        # A name listed both plainly and as ambiguous is ambiguous (a province's own names excepted).
        for name in list(self.names):
            if name in ambiguous and name not in self.province_names.values() and name not in self.provinces:
                for place in self.names.pop(name):
                    self._add(self.context, name, place)
        # What a match of each name yields, built once (see _Found), or None for a stop phrase.
        self._by_first: dict[str, list[tuple[str, _Found | None]]] = {}
        entries: list[tuple[str, _Found | None]] = [
            (n, (tuple(self.names[n]), False, len({p.province for p in self.names[n]}) == 1)) for n in self.names
        ] + [(n, (tuple(self.context[n]), True, False)) for n in self.context if n not in self.names] + [
            (n, None) for n in self.stops
        ]
        for name, found in sorted(entries, key=lambda e: len(e[0]), reverse=True):
            self._by_first.setdefault(name[0], []).append((name, found))
        # The same lists by first two characters (still longest first): a candidate position tries the few names
        # that start with its pair, not the dozens that start with its first character.
        self._by_pair: dict[str, list[tuple[str, _Found | None]]] = {}
        for entry in (e for first in self._by_first.values() for e in first if len(e[0]) >= 2):
            self._by_pair.setdefault(entry[0][:2], []).append(entry)
        # Every name's first two characters, and a table of their low bytes that numpy looks all positions up in
        # at once: only positions whose pair passes (a few per article, some false) are tried in Python.
        self._pairs = frozenset(n[:2] for n, _found in entries if len(n) >= 2)
        self._pair_table = np.zeros(1 << (2 * _LOW_BITS), dtype=bool)
        for pair in self._pairs:
            self._pair_table[((ord(pair[0]) & _LOW_MASK) << _LOW_BITS) | (ord(pair[1]) & _LOW_MASK)] = True
        self._single_chars = any(len(n) == 1 for n, _found in entries)

    @staticmethod
    def _add(index: dict[str, list[Place]], name: str, place: Place) -> None:
        places = index.setdefault(name, [])
        if place not in places:
            places.append(place)

    def scan(self, text: str) -> list[Hit]:
        """Every gazetteer name in `text` (longest match wins at each position; stop phrases hide what they hold)."""
        return self.scan_all((text,))[0]

    def scan_all(self, texts: Sequence[str]) -> list[list[Hit]]:
        """scan() of each text, with one search for candidate positions in all of them (numpy calls cost)."""
        return [[Hit(pos, name, found[0], found[1]) for pos, name, found in matches]
                for matches in self._matches_all(texts)]

    def _matches_all(self, texts: Sequence[str]) -> list[list[_Match]]:
        """scan_all() as plain tuples, for detect_region: a frozen dataclass costs a microsecond to build."""
        per_text = self._candidates(texts)
        return [self._scan(text, candidates) for text, candidates in zip(texts, per_text, strict=True)]

    def _scan(self, text: str, candidates: Iterable[int]) -> list[_Match]:
        """The matches in `text`, trying only the candidate positions (ascending; every position a name starts at)."""
        found: list[_Match] = []
        end = 0  # positions before `end` are inside the last match
        if self._single_chars:  # a one-character name has no pair: look names up by their first character
            index, width = self._by_first, 1
        else:
            index, width = self._by_pair, 2
        for i in candidates:
            if i < end:
                continue
            # No entry: a false candidate of the pair table (another pair with the same low bytes) or the text's
            # last character.
            for name, hit in index.get(text[i : i + width], ()):
                if text.startswith(name, i):
                    if hit is not None:
                        found.append((i, name, hit))
                    end = i + len(name)
                    break
        return found

    def _candidates(self, texts: Sequence[str]) -> list[Sequence[int]]:
        """Per text, ascending positions where some name may start: every position a name's first two characters
        stand at, and a few more (false hits of the pair table, which _scan's lookup by pair drops)."""
        if self._single_chars:
            return [range(len(text)) for text in texts]  # a one-character name may start anywhere
        # The texts joined by a separator, each adjacent character pair's low bytes looked up in the table (in C);
        # surrogatepass keeps a stray surrogate a character, as str indexing sees it.
        joined = _SEPARATOR.join(text.encode("utf-32-le", "surrogatepass") for text in texts)
        low = np.frombuffer(joined, dtype=np.uint32) & _LOW_MASK
        maybe = self._pair_table[(low[:-1] << _LOW_BITS) | low[1:]].nonzero()[0].tolist()  # flatnonzero, as a method
        per_text: list[Sequence[int]] = []
        start = first = 0
        for text in texts:
            stop = bisect_left(maybe, start + len(text), first)
            # Positions in this text (a pair across a join starts at its last character, which no name starts at).
            per_text.append([pos - start for pos in maybe[first:stop]] if start else maybe[first:stop])
            start, first = start + len(text) + 1, stop
        return per_text


@lru_cache(maxsize=4)
def load_gazetteer(path: str) -> Gazetteer:
    """The gazetteer at `path`, parsed once per process."""
    return Gazetteer(path)


def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer (data/gazetteer.toml)."""
    # Read per call (tests and tools point settings elsewhere), but without pathlib: this runs for every article.
    return load_gazetteer(os.path.join(settings.UNION_NEWS_DATA_DIR, "gazetteer.toml"))


def _first_sentences(text: str, limit: int = 160) -> str:
    """The lede: the first sentence, extended to the next ones while under `limit` characters."""
    head = text[: limit + 80]
    cut = 0
    for match in _SENTENCE_END.finditer(head):
        if cut and match.end() > limit:
            break
        cut = match.end()
    return head[:cut] if cut else text[: max(limit, 160)]


def _venue_before(prefix: str) -> bool:
    """`prefix` ends with a venue word: what re.search("(?:在|赴|…)$", prefix) finds, without a regex search
    from every position ($ matches before a final newline too)."""
    return prefix.endswith(_VENUE_WORDS) or (prefix.endswith("\n") and prefix[:-1].endswith(_VENUE_WORDS))


def detect_region(title: str, text: str, fallback: str | None = None, gazetteer: Gazetteer | None = None) -> Region:
    """Region of an article: national actors first, then places in the title, then in the text, else `fallback`."""
    gaz = gazetteer or default_gazetteer()
    lede = _first_sentences(text)
    # The national federation as actor is usually named in the lede's first or second sentence (a scene-setting
    # opener such as 大暑节气刚过 comes first).
    ends = [m.end() for m in _SENTENCE_END.finditer(text[:400])]
    first_sentence = text[: ends[1]] if len(ends) > 1 else _first_sentences(text, 1)
    # Matches are (position, name, (places, needs_context, plain)) tuples, and whether a name is plain evidence
    # (needs no context, one province) was decided when the gazetteer was read: this runs for every article.
    title_hits, lede_hits, rest_hits = gaz._matches_all((title, lede, text[len(lede) : 2500]))
    title_venues = [_venue_before(title[:pos]) for pos, _name, _found in title_hits]
    actor_in_title = any(not found[1] and not venue
                         for (_pos, _name, found), venue in zip(title_hits, title_venues, strict=True))
    if _NATIONAL_ACTOR.search(title) or (_NATIONAL_ACTOR.search(first_sentence) and not actor_in_title):
        return Region(NATIONAL)

    weighted: list[tuple[float, int, _Found, str]] = []
    for (pos, _name, found), venue in zip(title_hits, title_venues, strict=True):
        weighted.append((3.0 if venue else 6.0, pos, found, "title"))
    for pos, _name, found in lede_hits:
        weighted.append((2.0 * (1.5 if pos < 40 else 1.0), pos, found, "lede"))
    for pos, _name, found in rest_hits:
        weighted.append((0.5, pos, found, "rest"))

    scores: dict[str, float] = {}
    # Unambiguous evidence first; ambiguous names and names shared by several provinces then join the
    # provinces that already have some.
    for weight, _pos, (places, _context, plain), _where in weighted:
        if plain:
            scores[places[0].province] = scores.get(places[0].province, 0.0) + weight
    resolved: list[tuple[float, int, str, Place, bool]] = []
    for weight, pos, (places, _context, plain), where in weighted:
        if plain:
            resolved.append((weight, pos, where, places[0], plain))
            continue
        known = [p for p in places if p.province in scores]
        if len({p.province for p in known}) == 1:
            resolved.append((weight, pos, where, known[0], plain))
    if not resolved:
        return Region(fallback)
    for weight, _pos, _where, place, plain in resolved:
        if not plain:
            scores[place.province] = scores.get(place.province, 0.0) + weight * 0.5
    province = max(scores, key=lambda p: (scores[p], -len(p)))
    return Region(province, _city(province, resolved))


def _city(province: str, resolved: list[tuple[float, int, str, Place, bool]]) -> str | None:
    in_title = [(pos, pl) for _w, pos, where, pl, _plain in resolved if where == "title" and pl.province == province]
    cities = [pl.city for _pos, pl in sorted(in_title, key=lambda e: e[0]) if pl.city]
    if cities:
        return cities[0]
    if in_title:
        return None  # the headline names the province only: a province-level item
    lede = [(pos, pl) for _w, pos, where, pl, _plain in resolved
            if where == "lede" and pl.province == province and pl.city]
    return min(lede, key=lambda e: e[0])[1].city if lede else None
