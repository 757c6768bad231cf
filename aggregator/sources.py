"""The source registry (data/sources.toml): load, validate, look up."""

from __future__ import annotations

import codecs
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
# Known protections in front of a site: plain HTTP gets a challenge instead of pages (see docs/sources.md).
ANTIBOT = ("ruishu", "jiasule", "waf", "captcha")
REGIONS = ("全国", "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
           "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
           "陕西", "甘肃", "青海", "宁夏", "新疆", "兵团", "香港", "澳门", "台湾")
# Family-specific settings under `options`: name -> kind ("pattern" = a regular expression).
FAMILY_OPTIONS: dict[str, dict[str, str]] = {
    "hanweb": {"proxy": "get|post", "columnid": "int", "unitid": "int", "webid": "int", "webname": "str",
               "perpage": "int", "path": "str"},
    "founder": {"node_pattern": "pattern"},
    "grrb": {},
    "trs": {},
    "peoplecn": {},
    "gdpost": {},
    "workercn": {},
    "generic": {},
    "wechat": {},
}
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_TEMPLATE = re.compile(r"\{([^}]*)\}")


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
    antibot: str | None = None  # a known protection (ruishu, jiasule, waf, captcha): why it is disabled
    spa: bool = False  # lists are rendered by JavaScript: plain HTTP sees no article links

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
    "aliases", "antibot", "spa",
}


def _fail(path: Path, sid: str | None, message: str) -> RegistryError:
    where = f"{path}: source {sid!r}" if sid else f"{path}"
    return RegistryError(f"{where}: {message}")


def _check_pattern(path: Path, sid: str, key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(path, sid, f"key {key!r}: bad pattern {pattern!r}: {exc}") from None


def _check_list_url(path: Path, sid: str, index: int, url: str) -> None:
    """A list URL: http(s), and its {date:FORMAT} placeholders (the only ones there are) must format a date."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _fail(path, sid, f"key 'lists[{index}]': {url!r} is not an http(s) URL")
    for placeholder in _TEMPLATE.findall(url):
        if not placeholder.startswith("date:") or "%" not in placeholder:
            raise _fail(path, sid, f"key 'lists[{index}]': unknown placeholder {{{placeholder}}} "
                                   "(only {date:FORMAT} is known, e.g. {date:%Y-%m/%d})")
        try:
            date(2025, 7, 24).strftime(placeholder[5:])
        except ValueError as exc:
            raise _fail(path, sid, f"key 'lists[{index}]': bad date format {placeholder[5:]!r}: {exc}") from None


def _check_selectors(path: Path, sid: str, selectors: Any) -> None:
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector

    if not isinstance(selectors, dict):
        raise _fail(path, sid, "key 'selectors': must be a table")
    for key, value in selectors.items():
        if key not in SELECTOR_KEYS:
            raise _fail(path, sid, f"unknown key 'selectors.{key}' (known: {', '.join(SELECTOR_KEYS)})")
        values = value if key == "drop" else [value]
        if key == "drop" and not isinstance(value, list):
            raise _fail(path, sid, "key 'selectors.drop': must be a list of CSS selectors")
        for css in values:
            if not isinstance(css, str) or not css.strip():
                raise _fail(path, sid, f"key 'selectors.{key}': must be a CSS selector")
            try:
                CSSSelector(css)
            except SelectorError as exc:
                raise _fail(path, sid, f"key 'selectors.{key}': bad CSS selector {css!r}: {exc}") from None


def _check_options(path: Path, sid: str, family: str, options: Any) -> None:
    if not isinstance(options, dict):
        raise _fail(path, sid, "key 'options': must be a table")
    known = FAMILY_OPTIONS.get(family, {})
    for key, value in options.items():
        kind = known.get(key)
        if kind is None:
            listed = ", ".join(sorted(known)) or "none"
            raise _fail(path, sid, f"unknown key 'options.{key}' for family {family!r} (known: {listed})")
        if kind == "pattern":
            if not isinstance(value, str):
                raise _fail(path, sid, f"key 'options.{key}': must be a regular expression")
            _check_pattern(path, sid, f"options.{key}", value)
        elif kind == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise _fail(path, sid, f"key 'options.{key}': must be a non-negative integer")
        elif kind == "str" and not isinstance(value, str):
            raise _fail(path, sid, f"key 'options.{key}': must be a string")
        elif "|" in kind and value not in kind.split("|"):
            raise _fail(path, sid, f"key 'options.{key}': {value!r} is not one of {kind.replace('|', ', ')}")


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
    for key in ("enabled", "verified", "spa"):
        if key in entry and not isinstance(entry[key], bool):
            raise _fail(path, sid, f"key {key!r}: must be true or false")
    for key in ("note", "home", "encoding", "account", "biz", "region"):
        if key in entry and not isinstance(entry[key], str):
            raise _fail(path, sid, f"key {key!r}: must be a string")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _fail(path, sid, "key 'aliases': must be a list of names")
    enabled = entry.get("enabled", True)
    lists = entry.get("lists", [])
    if not isinstance(lists, list):
        raise _fail(path, sid, "key 'lists': must be a list of http(s) URLs")
    for index, url in enumerate(lists):
        _check_list_url(path, sid, index, url)
    if kind == "site" and enabled and not lists:
        raise _fail(path, sid, "key 'lists': an enabled site needs at least one list URL")
    if kind == "site" and family == "generic" and enabled and "article_pattern" not in entry:
        raise _fail(path, sid, "key 'article_pattern': a generic-family site needs the pattern of its article links")
    if "article_pattern" in entry:
        if not isinstance(entry["article_pattern"], str):
            raise _fail(path, sid, "key 'article_pattern': must be a regular expression")
        _check_pattern(path, sid, "article_pattern", entry["article_pattern"])
    selectors = entry.get("selectors", {})
    _check_selectors(path, sid, selectors)
    _check_options(path, sid, family, entry.get("options", {}))
    for key in ("authority", "max_pages", "window_days"):
        if key in entry and (not isinstance(entry[key], int) or isinstance(entry[key], bool) or entry[key] < 0):
            raise _fail(path, sid, f"key {key!r}: must be a non-negative integer")
    if "home" in entry and not entry["home"].startswith(("http://", "https://")):
        raise _fail(path, sid, f"key 'home': {entry['home']!r} is not an http(s) URL")
    if "encoding" in entry:
        try:
            codecs.lookup(entry["encoding"])
        except LookupError:
            raise _fail(path, sid, f"key 'encoding': unknown encoding {entry['encoding']!r} (e.g. gb18030, utf-8)") from None
    if "region" in entry and entry["region"] not in REGIONS:
        raise _fail(path, sid, f"key 'region': {entry['region']!r} is not a province short name or 全国 (e.g. 江苏)")
    antibot = entry.get("antibot")
    if antibot is not None and antibot not in ANTIBOT:
        raise _fail(path, sid, f"key 'antibot': {antibot!r} is not one of {', '.join(ANTIBOT)}")
    if enabled and (antibot or entry.get("spa")):
        what = f"antibot = {antibot!r}" if antibot else "spa = true"
        raise _fail(path, sid, f"key 'enabled': a site marked {what} cannot be crawled with plain HTTP; set "
                               "enabled = false, or remove the mark once `union-news sources check --live "
                               f"{sid}` shows articles")
    if not enabled and not str(entry.get("note", "")).strip():
        raise _fail(path, sid, "key 'note': a disabled source needs a note saying why")
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
        aliases=tuple(entry.get("aliases", [])), antibot=antibot, spa=entry.get("spa", False),
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
