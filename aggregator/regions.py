"""Which province (and prefecture-level city) an article is about, from a gazetteer in data/."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NATIONAL = "全国"
# The national federation acting as leader or organiser makes an item national whatever place it names.
_NATIONAL_ACTOR = re.compile(
    r"(?:中华)?全国总工会(?:党组|书记处|主席团|执委会|领导|主席|副主席|书记处第一书记|党组书记)|全总(?:党组|书记处|领导)"
    r"|(?:由)?(?:中华)?全国总工会(?:主办|举办|召开|印发|发布|部署)|全总(?:主办|召开|印发)"
)


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


class Gazetteer:
    """Names of provinces, cities and counties, and a scanner that finds them in text."""

    def __init__(self, path: str | Path) -> None:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        ambiguous = set(data.get("ambiguous_shorts", []))
        self.names: dict[str, list[Place]] = {}
        self.provinces: list[str] = []
        for prov in data["province"]:
            pshort = prov["short"]
            self.provinces.append(pshort)
            for name in {prov["name"], pshort, *prov.get("aliases", [])}:
                if name and (name not in ambiguous or name == prov["name"] or name == pshort):
                    self._add(name, Place(pshort, None))
            for city in prov.get("city", []):
                cshort = city["short"]
                place = Place(pshort, cshort)
                for name in {city["name"], *city.get("aliases", [])}:
                    self._add(name, place)
                if cshort not in ambiguous and len(cshort) >= 2:
                    self._add(cshort, place)
                for district in city.get("districts", []):
                    if len(district) >= 3:  # 荔湾区, 舒城县: full names only, short forms are too ambiguous
                        self._add(district, place)
        self._by_first: dict[str, list[str]] = {}
        for name in sorted(self.names, key=len, reverse=True):
            self._by_first.setdefault(name[0], []).append(name)

    def _add(self, name: str, place: Place) -> None:
        places = self.names.setdefault(name, [])
        if place not in places:
            places.append(place)

    def scan(self, text: str) -> list[tuple[int, str, list[Place]]]:
        """Every gazetteer name in `text` (longest match wins at each position), with its position."""
        found: list[tuple[int, str, list[Place]]] = []
        i, n = 0, len(text)
        while i < n:
            for name in self._by_first.get(text[i], ()):
                if text.startswith(name, i):
                    found.append((i, name, self.names[name]))
                    i += len(name)
                    break
            else:
                i += 1
        return found


@lru_cache(maxsize=4)
def load_gazetteer(path: str) -> Gazetteer:
    """The gazetteer at `path`, parsed once per process."""
    return Gazetteer(path)


def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer (data/gazetteer.toml)."""
    from aggregator.settings import UNION_NEWS_DATA_DIR

    return load_gazetteer(str(Path(UNION_NEWS_DATA_DIR) / "gazetteer.toml"))


def detect_region(title: str, text: str, fallback: str | None = None, gazetteer: Gazetteer | None = None) -> Region:
    """Region of an article: national actors first, then places in the title, then in the text, else `fallback`."""
    gaz = gazetteer or default_gazetteer()
    lede = text[:160]
    if _NATIONAL_ACTOR.search(title) or _NATIONAL_ACTOR.search(lede):
        return Region(NATIONAL)
    scores: dict[str, float] = {}
    cities: dict[tuple[str, str], float] = {}
    for weight, chunk in ((5.0, title), (2.0, lede), (1.0, text[160:2000])):
        for pos, _name, places in gaz.scan(chunk):
            if len(places) > 1 and len({p.province for p in places}) > 1:
                continue  # a name shared by two provinces says nothing on its own
            place = places[0]
            w = weight * (1.5 if pos < 30 else 1.0)
            scores[place.province] = scores.get(place.province, 0.0) + w
            if place.city:
                cities[(place.province, place.city)] = cities.get((place.province, place.city), 0.0) + w
    if not scores:
        return Region(fallback)
    province = max(scores, key=lambda p: (scores[p], -len(p)))
    in_province = {c: s for (p, c), s in cities.items() if p == province}
    city = max(in_province, key=in_province.__getitem__) if in_province else None
    return Region(province, city)
