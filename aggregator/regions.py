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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from aggregator import settings

NATIONAL = "全国"
# How many low bits of each character of a pair index the pair table (2 ** (2 * _LOW_BITS) entries, 1 MB):
# with 8 bits 1 entry in 24 was marked and most candidates were false; with 10, 1 in 350.
_LOW_BITS = 10
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
        self._nul_in_names = any("\0" in n for n, _found in entries)

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
        if self._nul_in_names:  # a name could match across the joins of the texts: one text at a time
            return [self._scan_joined((text,))[0] for text in texts]
        return self._scan_joined(texts)

    def _scan_joined(self, texts: Sequence[str]) -> list[list[_Match]]:
        """The matches in each text, found in one loop over the texts joined by NUL (which no name holds, so
        no match crosses a join), positions made relative to their own text."""
        joined = "\0".join(texts)
        per_text: list[list[_Match]] = [[] for _text in texts]
        if not joined:
            return per_text
        if self._single_chars:  # a one-character name has no pair: look names up by their first character
            index, width = self._by_first, 1
            candidates: Iterable[int] = range(len(joined))
        else:
            index, width = self._by_pair, 2
            candidates = self._candidates(joined)
        # Where each text starts in `joined`, and past the last one a bound no candidate reaches.
        starts = [0]
        for text in texts:
            starts.append(starts[-1] + len(text) + 1)
        k, start, next_start = 0, 0, starts[1]
        found = per_text[0]
        end = 0  # positions before `end` are inside the last match
        for i in candidates:
            if i < end:
                continue
            # No entry: a false candidate of the pair table (another pair with the same low bits), a pair with
            # the separator, or the last character.
            entries = index.get(joined[i : i + width])
            if entries is None:
                continue
            for name, hit in entries:
                if joined.startswith(name, i):
                    if hit is not None:
                        while i >= next_start:  # the first match in a later text
                            k += 1
                            start, next_start = next_start, starts[k + 1]
                            found = per_text[k]
                        found.append((i - start, name, hit))
                    end = i + len(name)
                    break
        return per_text

    def _candidates(self, joined: str) -> list[int]:
        """Ascending positions in `joined` where some name may start: every position a name's first two
        characters stand at, and a few more (false hits of the pair table, which the lookup by pair drops)."""
        # Each adjacent character pair's low bits looked up in the table (in C); surrogatepass keeps a stray
        # surrogate a character, as str indexing sees it.
        low = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) & _LOW_MASK
        maybe: list[int] = self._pair_table[(low[:-1] << _LOW_BITS) | low[1:]].nonzero()[0].tolist()
        return maybe


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


def _venue_at(title: str, pos: int) -> bool:
    """title[:pos] ends with a venue word: what re.search("(?:在|赴|…)$", title[:pos]) finds, without a regex
    search from every position ($ matches before a final newline too) or a copy of the prefix."""
    return title.endswith(_VENUE_WORDS, 0, pos) or (
        pos > 0 and title[pos - 1] == "\n" and title.endswith(_VENUE_WORDS, 0, pos - 1))


def detect_region(title: str, text: str, fallback: str | None = None, gazetteer: Gazetteer | None = None) -> Region:
    """Region of an article: national actors first, then places in the title, then in the text, else `fallback`."""
    gaz = gazetteer or default_gazetteer()
    # The national federation as actor in the headline decides before any place is looked for.
    if _NATIONAL_ACTOR.search(title):
        return Region(NATIONAL)
    lede = _first_sentences(text)
    # Matches are (position, name, (places, needs_context, plain)) tuples, and whether a name is plain evidence
    # (needs no context, one province) was decided when the gazetteer was read: this runs for every article.
    title_hits, lede_hits, rest_hits = gaz._matches_all((title, lede, text[len(lede) : 2500]))
    title_weights = [3.0 if _venue_at(title, pos) else 6.0 for pos, _name, _found in title_hits]
    actor_in_title = any(not found[1] and weight == 6.0
                         for (_pos, _name, found), weight in zip(title_hits, title_weights, strict=True))
    if not actor_in_title:
        # The national federation as actor is usually named in the lede's first or second sentence (a
        # scene-setting opener such as 大暑节气刚过 comes first).
        ends = _SENTENCE_END.finditer(text, 0, 400)
        second = next(ends, None) and next(ends, None)
        first_sentence = text[: second.end()] if second else _first_sentences(text, 1)
        if _NATIONAL_ACTOR.search(first_sentence):
            return Region(NATIONAL)

    # Unambiguous evidence first (in the order title, lede, rest: the sums are the same floats as before);
    # names that are ambiguous or shared by several provinces then join the provinces that already have some,
    # at half weight. Only the title's and the lede's resolved places name the city.
    scores: dict[str, float] = {}
    shared: list[tuple[float, int, tuple[Place, ...], str]] = []
    for hits, weights, where in ((title_hits, title_weights, "title"),
                                 (lede_hits, [3.0 if pos < 40 else 2.0 for pos, _n, _f in lede_hits], "lede"),
                                 (rest_hits, [0.5] * len(rest_hits), "rest")):
        for (pos, _name, (places, _context, plain)), weight in zip(hits, weights, strict=True):
            if plain:
                province = places[0].province
                scores[province] = scores.get(province, 0.0) + weight
            else:
                shared.append((weight, pos, places, where))
    if not scores:  # no plain evidence: no shared name can join a province either
        return Region(fallback)
    joined: dict[tuple[int, str], Place] = {}  # (position, where) -> the place a shared name resolved to
    for weight, pos, places, where in shared:
        known = [p for p in places if p.province in scores]
        if len({p.province for p in known}) == 1:
            scores[known[0].province] += weight * 0.5
            joined[pos, where] = known[0]
    province = max(scores, key=lambda p: (scores[p], -len(p)))
    return Region(province, _city(province, title_hits, lede_hits, joined))


def _resolved(hits: list[_Match], where: str,
              joined: dict[tuple[int, str], Place]) -> Iterable[tuple[int, Place]]:
    """(position, place) of each hit that counted, in order: a plain name's, a shared name's resolved one."""
    for pos, _name, (places, _context, plain) in hits:
        place = places[0] if plain else joined.get((pos, where))
        if place is not None:
            yield pos, place


def _city(province: str, title_hits: list[_Match], lede_hits: list[_Match],
          joined: dict[tuple[int, str], Place]) -> str | None:
    """The title's first city in `province`; None if it names only the province; else the lede's first."""
    in_title = [place for _pos, place in _resolved(title_hits, "title", joined) if place.province == province]
    if in_title:
        # The headline names the province only: a province-level item.
        return next((place.city for place in in_title if place.city), None)
    return next((place.city for _pos, place in _resolved(lede_hits, "lede", joined)
                 if place.province == province and place.city), None)
