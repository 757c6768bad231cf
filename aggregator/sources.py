"""The source registry (data/sources.toml): load, validate, look up."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FAMILIES = ("workercn", "grrb", "trs", "hanweb", "peoplecn", "founder", "gdpost", "generic", "wechat")
KINDS = ("site", "wechat")
MIRROR_FORMATS = ("auto", "rss", "atom", "jsonfeed", "feeddd")
SELECTOR_KEYS = ("title", "published", "author", "origin", "body", "drop")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class RegistryError(ValueError):
    """The registry is invalid; the message names the file, the source and the key."""


@dataclass(frozen=True, slots=True)
class Mirror:
    """A feed that mirrors a WeChat account."""

    url: str
    format: str = "auto"
    name: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One source: a union website (by family) or a WeChat account (through mirrors)."""

    id: str
    name: str
    kind: str = "site"
    family: str = "generic"
    region: str | None = None
    authority: int = 1
    home: str | None = None
    lists: tuple[str, ...] = ()
    article_pattern: str | None = None
    encoding: str | None = None
    selectors: dict[str, Any] = field(default_factory=dict)
    max_pages: int | None = None
    window_days: int | None = None
    enabled: bool = True
    verified: bool = False
    note: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # family-specific settings (hanweb ids, ...)
    account: str | None = None  # WeChat account name
    biz: str | None = None  # WeChat __biz
    mirrors: tuple[Mirror, ...] = ()
    aliases: tuple[str, ...] = ()  # other names the outlet goes by in 来源 lines (中工网: 工人日报)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that identifies this outlet in a 来源 line."""
        return tuple(dict.fromkeys(n for n in (self.name, self.account, *self.aliases) if n))

    @property
    def article_regex(self) -> re.Pattern[str] | None:
        """The compiled article link pattern, if any."""
        return re.compile(self.article_pattern) if self.article_pattern else None

    def list_urls(self, today: date, window_days: int) -> list[str]:
        """List URLs to start from; `{date:%Y-%m/%d}`-style templates expand to each day of the window."""
        urls: list[str] = []
        for template in self.lists:
            if "{date:" not in template:
                urls.append(template)
                continue
            for offset in range(window_days):
                day = today - timedelta(days=offset)
                urls.append(re.sub(r"\{date:([^}]*)\}", lambda m, d=day: d.strftime(m.group(1)), template))
        return urls


_KEYS = {
    "id", "name", "kind", "family", "region", "authority", "home", "lists", "article_pattern", "encoding",
    "selectors", "max_pages", "window_days", "enabled", "verified", "note", "options", "account", "biz", "mirrors",
    "aliases",
}


def _fail(path: Path, sid: str | None, message: str) -> RegistryError:
    where = f"{path}: source {sid!r}" if sid else f"{path}"
    return RegistryError(f"{where}: {message}")


def _check_pattern(path: Path, sid: str, key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(path, sid, f"key {key!r}: bad pattern {pattern!r}: {exc}") from None


def _source_from(path: Path, entry: dict[str, Any]) -> Source:
    sid = entry.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise _fail(path, sid if isinstance(sid, str) else None,
                    "key 'id': required, lower-case letters, digits and _ (e.g. 'jsgh')")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise _fail(path, sid, f"unknown key {unknown[0]!r} (known keys: {', '.join(sorted(_KEYS))})")
    if not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise _fail(path, sid, "key 'name': required")
    kind = entry.get("kind", "site")
    if kind not in KINDS:
        raise _fail(path, sid, f"key 'kind': {kind!r} is not one of {', '.join(KINDS)}")
    family = entry.get("family", "wechat" if kind == "wechat" else "generic")
    if family not in FAMILIES:
        raise _fail(path, sid, f"key 'family': {family!r} is not one of {', '.join(FAMILIES)}")
    lists = entry.get("lists", [])
    if not isinstance(lists, list) or not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in lists):
        raise _fail(path, sid, "key 'lists': must be a list of http(s) URLs")
    if kind == "site" and entry.get("enabled", True) and not lists:
        raise _fail(path, sid, "key 'lists': an enabled site needs at least one list URL")
    if kind == "site" and family == "generic" and entry.get("enabled", True) and "article_pattern" not in entry:
        raise _fail(path, sid, "key 'article_pattern': a generic-family site needs the pattern of its article links")
    if "article_pattern" in entry:
        _check_pattern(path, sid, "article_pattern", entry["article_pattern"])
    selectors = entry.get("selectors", {})
    if not isinstance(selectors, dict):
        raise _fail(path, sid, "key 'selectors': must be a table")
    for key in selectors:
        if key not in SELECTOR_KEYS:
            raise _fail(path, sid, f"unknown key 'selectors.{key}' (known: {', '.join(SELECTOR_KEYS)})")
    for key in ("authority", "max_pages", "window_days"):
        if key in entry and (not isinstance(entry[key], int) or entry[key] < 0):
            raise _fail(path, sid, f"key {key!r}: must be a non-negative integer")
    for key in ("enabled", "verified"):
        if key in entry and not isinstance(entry[key], bool):
            raise _fail(path, sid, f"key {key!r}: must be true or false")
    mirrors: list[Mirror] = []
    for i, raw in enumerate(entry.get("mirrors", [])):
        item = {"url": raw} if isinstance(raw, str) else raw
        if not isinstance(item, dict) or not str(item.get("url", "")).startswith(("http://", "https://")):
            raise _fail(path, sid, f"key 'mirrors[{i}]': needs a url")
        extra = set(item) - {"url", "format", "name"}
        if extra:
            raise _fail(path, sid, f"unknown key 'mirrors[{i}].{sorted(extra)[0]}'")
        fmt = item.get("format", "auto")
        if fmt not in MIRROR_FORMATS:
            raise _fail(path, sid, f"key 'mirrors[{i}].format': {fmt!r} is not one of {', '.join(MIRROR_FORMATS)}")
        mirrors.append(Mirror(url=item["url"], format=fmt, name=item.get("name", "")))
    if kind == "wechat" and entry.get("enabled", True) and not mirrors:
        raise _fail(path, sid, "key 'mirrors': an enabled WeChat account needs at least one mirror feed")
    region = entry.get("region")
    authority = entry.get("authority", 3 if region == "全国" else 2 if kind == "site" else 2)
    return Source(
        id=sid, name=entry["name"].strip(), kind=kind, family=family, region=region, authority=authority,
        home=entry.get("home"), lists=tuple(lists), article_pattern=entry.get("article_pattern"),
        encoding=entry.get("encoding"), selectors=dict(selectors), max_pages=entry.get("max_pages"),
        window_days=entry.get("window_days"), enabled=entry.get("enabled", True),
        verified=entry.get("verified", False), note=entry.get("note", ""), options=dict(entry.get("options", {})),
        account=entry.get("account"), biz=entry.get("biz"), mirrors=tuple(mirrors),
        aliases=tuple(entry.get("aliases", [])),
    )


@dataclass(frozen=True, slots=True)
class Registry:
    """All sources of one registry file, by id."""

    path: Path
    sources: dict[str, Source]

    def enabled(self, only: list[str] | None = None) -> list[Source]:
        """Enabled sources (optionally only the given ids, which must exist)."""
        if only:
            missing = [sid for sid in only if sid not in self.sources]
            if missing:
                raise RegistryError(f"{self.path}: unknown source id(s): {', '.join(missing)}")
            return [self.sources[sid] for sid in only]
        return [s for s in self.sources.values() if s.enabled]

    def __getitem__(self, sid: str) -> Source:
        return self.sources[sid]


def load_registry(path: str | Path | list[str | Path], _chain: tuple[Path, ...] = ()) -> Registry:
    """Load and validate a registry file; raise RegistryError naming the file, source and key on any problem.

    Also takes a list of files, and follows a top-level `include = [...]` (see _merge_registries below).
    """
    if isinstance(path, (list, tuple)):
        return _merge_registries([load_registry(p) for p in path])
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such file (set UNION_NEWS_SOURCES or pass --sources)") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"source", "include"})
    if unknown:
        raise _fail(path, None, f"unknown top-level key {unknown[0]!r} (sources are [[source]] tables)")
    sources: dict[str, Source] = {}
    for entry in data.get("source", []):
        source = _source_from(path, entry)
        if source.id in sources:
            raise _fail(path, source.id, "duplicate id")
        sources[source.id] = source
    return _with_includes(Registry(path=path, sources=sources), data.get("include", []), _chain)


# -- several registry files (added for the WeChat accounts in data/sources_wechat.toml) --------------------
def _merge_registries(registries: list[Registry]) -> Registry:
    """One registry of several files; a source id may appear in only one of them."""
    if not registries:
        raise RegistryError("no registry file given (set UNION_NEWS_SOURCES or pass --sources)")
    merged: dict[str, Source] = {}
    origin: dict[str, Path] = {}
    for registry in registries:
        for sid, source in registry.sources.items():
            if sid in merged:
                raise _fail(registry.path, sid, f"duplicate id (also in {origin[sid]})")
            merged[sid], origin[sid] = source, registry.path
    return Registry(path=registries[0].path, sources=merged)


def _with_includes(registry: Registry, includes: Any, chain: tuple[Path, ...]) -> Registry:
    """The registry plus the files its top-level `include = ["other.toml"]` names (relative to it)."""
    if not isinstance(includes, list) or not all(isinstance(i, str) and i for i in includes):
        raise _fail(registry.path, None, "key 'include': must be a list of registry file paths (relative to this file)")
    if not includes:
        return registry
    chain = (*chain, registry.path.resolve())
    others = []
    for name in includes:
        other = registry.path.parent / name
        if other.resolve() in chain:
            raise _fail(registry.path, None, f"key 'include': {name!r} includes itself")
        if not other.exists():
            raise _fail(registry.path, None, f"key 'include': no such file {other}")
        others.append(load_registry(other, chain))
    return _merge_registries([registry, *others])
