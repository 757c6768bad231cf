"""The taxonomy in data/sections.toml: sections with definitions, boundary rules, the classifier's settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTIONS = ("工作动态", "思想引领", "建功立业", "维权服务", "构建和谐劳动关系", "组织建设")
NONE = "none"
LABELS = SECTIONS + (NONE,)
SCOPES = ("title", "lead", "head")


class TaxonomyError(ValueError):
    """data/sections.toml (or a lexicon, a label file, a model) is not what the classifier needs; says what to fix."""


@dataclass(frozen=True, slots=True)
class Example:
    """A headline + lede with its section (a training line, a boundary rule's worked example)."""

    title: str
    text: str
    label: str
    origin: str = ""  # where it came from: file:line, manual:<article id>, boundary:<id>


@dataclass(frozen=True, slots=True)
class Section:
    """One digest section (or `none`) and what belongs in it."""

    name: str
    definition: str
    summary: str
    examples: tuple[str, ...] = ()


def scope_texts(title: str, lead: str, head: str) -> dict[str, str]:
    """The text a rule reads in each scope: the headline; headline + first sentence; headline + lede."""
    return {"title": title, "lead": f"{title} {lead}", "head": f"{title} {head}"}


@dataclass(slots=True)
class BoundaryRule:
    """A written rule between neighbouring sections; with a matcher it decides before the lexicon and the model."""

    id: str
    section: str
    rule: str
    scope: str = "head"
    all: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    examples: tuple[Example, ...] = ()

    @property
    def decides(self) -> bool:
        """True when the rule has a matcher (else the model learns it from the training data)."""
        return bool(self.all)

    def match(self, title: str, lead: str, head: str, title_only: bool = False) -> list[str] | None:
        """The matched strings when the rule applies (in its scope, or in the headline alone), else None."""
        return self.match_text(scope_texts(title, lead, head)["title" if title_only else self.scope])

    def match_text(self, text: str) -> list[str] | None:
        """The matched strings when the rule applies to `text`, the text of its scope (title, title + lead, ...)."""
        if not self.all:
            return None
        found: list[str] = []
        for pattern in self.all:
            hit = pattern.search(text)
            if hit is None:
                return None
            found.append(hit.group(0))
        if any(pattern.search(text) for pattern in self.unless):
            return None
        return found


@dataclass(slots=True)
class Taxonomy:
    """Sections in digest order, `none`, boundary rules and settings, as read from data/sections.toml."""

    version: str
    sections: tuple[Section, ...]
    none: Section
    boundaries: tuple[BoundaryRule, ...]
    classifier: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        """The six section names in digest order, then `none`."""
        return tuple(s.name for s in self.sections) + (NONE,)

    @property
    def deciding_rules(self) -> tuple[BoundaryRule, ...]:
        """Boundary rules with a matcher, in the order they are tried."""
        return tuple(b for b in self.boundaries if b.decides)

    def setting(self, key: str) -> Any:
        """A [classifier] setting (KeyError names the file's table)."""
        try:
            return self.classifier[key]
        except KeyError:
            raise TaxonomyError(f"data/sections.toml: [classifier] lacks {key!r}") from None


def _compile(path: Path, where: str, patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """Compile a rule's regular expressions, naming the rule when one is broken."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise TaxonomyError(f"{path}: {where}: bad regular expression {pattern!r}: {exc}") from None
    return tuple(compiled)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and check data/sections.toml (names and order must be the digest's six sections, then none)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read the taxonomy: {exc}") from None
    sections = []
    for entry in data.get("section", []):
        if not entry.get("definition"):
            raise TaxonomyError(f"{path}: section {entry.get('name')!r} has no definition")
        sections.append(Section(entry["name"], entry["definition"], entry.get("summary", ""),
                                tuple(entry.get("examples", ()))))
    names = tuple(s.name for s in sections)
    if names != SECTIONS:
        raise TaxonomyError(f"{path}: sections must be, in this order, {', '.join(SECTIONS)}; found {', '.join(names)}")
    none_entry = data.get("none") or {}
    if not none_entry.get("definition"):
        raise TaxonomyError(f"{path}: [none] needs a definition")
    none = Section(NONE, none_entry["definition"], none_entry.get("summary", ""), tuple(none_entry.get("examples", ())))
    boundaries = []
    seen: set[str] = set()
    for entry in data.get("boundary", []):
        rule_id = entry.get("id", "")
        where = f"boundary {rule_id!r}"
        if not rule_id or rule_id in seen:
            raise TaxonomyError(f"{path}: every [[boundary]] needs a unique id (got {rule_id!r})")
        seen.add(rule_id)
        if entry.get("section") not in LABELS:
            raise TaxonomyError(f"{path}: {where}: section {entry.get('section')!r} is not one of {', '.join(LABELS)}")
        scope = entry.get("scope", "head")
        if scope not in SCOPES:
            raise TaxonomyError(f"{path}: {where}: scope {scope!r} is not one of {', '.join(SCOPES)}")
        examples = []
        for i, ex in enumerate(entry.get("examples", []), 1):
            if ex.get("section") not in LABELS or not ex.get("title"):
                raise TaxonomyError(f"{path}: {where}: example {i} needs a title and a section among {', '.join(LABELS)}")
            examples.append(Example(ex["title"], ex.get("text", ""), ex["section"], f"boundary:{rule_id}:{i}"))
        if not examples:
            raise TaxonomyError(f"{path}: {where}: a boundary rule needs at least one worked example")
        boundaries.append(BoundaryRule(rule_id, entry["section"], entry.get("rule", ""), scope,
                                       _compile(path, where, entry.get("all", [])),
                                       _compile(path, where, entry.get("unless", [])), tuple(examples)))
    return Taxonomy(data.get("version", "sections"), tuple(sections), none, tuple(boundaries),
                    dict(data.get("classifier", {})), dict(data.get("model", {})))
