"""Chinese full-text search over article titles and bodies, on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Why bigrams: SQLite's unicode61 tokenizer makes one token of a whole run of Chinese characters and the trigram
tokenizer cannot find two-character words, so neither finds 工会 inside 江苏省总工会. We index overlapping
character bigrams of every CJK run (plus the run's last character on its own, so single characters can be
found as prefixes) and runs of ASCII letters and digits as words. A query is tokenized the same way; a word
becomes the phrase of its bigrams, so 职工驿站 matches exactly the text 职工驿站.

The index is kept in sync with `articles` by triggers (migration 0006): on SQLite they call the SQL function
`un_search_text()` that the store registers on every connection (see aggregator.store.make_engine); on
PostgreSQL a PL/pgSQL function `un_search_vector()` mirrors `tokens()` below. Either way reprocessing,
updates and deletes keep the index right, whatever path wrote the row.

The SQLite index's rowid is `sort_key(publication day, article id)`, so "newest first" is the index's own order
and the first 20 hits of a word found in half a million articles cost a few page reads, not a sort.
"""

from __future__ import annotations

import json
import re
import shlex
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from operator import add
from typing import Any

import numpy as np
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from aggregator.store.types import SHANGHAI

# CJK ideographs (with extension A and compatibility), kana and hangul: scripts written without spaces.
CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_RUN_RE = re.compile(f"[{CJK_CLASS}]+|[a-z0-9]+")
# Below this many characters the per-run loop is faster than numpy's fixed cost per call (titles, queries).
_VECTOR_MIN = 120
# The sort key: the publication day (Asia/Shanghai) in the high bits, the article id in the low 32 bits. A day,
# not a finer unit: consecutive entries of a posting list then differ by small numbers (compact varints), which
# keeps the index about a third smaller than minute keys did; within a day, newer ids come first.
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
FTS_TABLE = "articles_fts"
SHANGHAI_OFFSET = 8 * 3600  # seconds; China has kept UTC+8 without daylight saving since 1991
# Title hits weigh more than body hits when ranking by relevance.
TITLE_WEIGHT = 5.0


def _kind_table() -> np.ndarray:
    """_RUN_RE's classes over the BMP for numpy: 0 other, 1 CJK, 2 ASCII letter or digit."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for low, high in zip(CJK_CLASS[0::3], CJK_CLASS[2::3], strict=True):  # CJK_CLASS is "a-bc-d..."
        table[ord(low):ord(high) + 1] = 1
    table[ord("a"):ord("z") + 1] = 2
    table[ord("0"):ord("9") + 1] = 2
    return table


# Code points above the BMP are looked up at 0xFFFF, which is "other" like all of them.
_KIND = _kind_table()


class SearchError(ValueError):
    """The query cannot be searched (empty after tokenizing, or malformed); the message says why."""


# Compatibility characters that Chinese text is full of, each with its NFKD form (full-width punctuation,
# the ideographic and the no-break space, the ellipsis). One of them sends a whole text through NFKC's slow
# path (0.13 ms for an article's body, every article stored: the index's trigger normalizes its title and
# body); replaced first, the text usually passes NFKC's quick check instead (0.01 ms). The result is the same
# for any text: NFKC composes the NFKD form, and a character's NFKD form has the character's NFKD form.
_COMPATIBLE = tuple((char, unicodedata.normalize("NFKD", char)) for char in "，：；！？（）％～…\u3000\u00a0")


def normalize(value: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case: the form both index and query use."""
    for char, decomposed in _COMPATIBLE:
        if char in value:
            value = value.replace(char, decomposed)
    return unicodedata.normalize("NFKC", value).lower()


def tokens(value: str | None) -> list[str]:
    """The index tokens of a text: bigrams of each CJK run plus its last character; ASCII words as they are."""
    joined = search_text(value)
    return joined.split(" ") if joined else []  # tokens never hold a space


def search_text(value: str | None) -> str:
    """The tokens joined by spaces: what goes into the FTS5 table (its unicode61 tokenizer splits on spaces)."""
    if not value:
        return ""
    text = normalize(value)
    # Runs every article's title and body as they are stored: bodies go through numpy, not a Python loop.
    return _vector_tokens(text) if len(text) >= _VECTOR_MIN else _run_tokens(text)


def _run_tokens(text: str) -> str:
    """search_text() of normalized text, one run at a time (the bigrams of a run by one map in C)."""
    out: list[str] = []
    for run in _RUN_RE.findall(text):
        if run.isascii():
            out.append(run)
        else:
            out.extend(map(add, run, run[1:]))
            out.append(run[-1])
    return " ".join(out)


def _vector_tokens(text: str) -> str:
    """search_text() of normalized text, all characters at once in numpy (no Python code per character)."""
    # Each character offers three slots (itself, the next character, a space) and a mask keeps the ones its
    # token uses: 工会a gives [工会␠][会␠][a␠]. A space after the text gives the last character a "next" one;
    # surrogates (from undecodable arguments) pass through as "other" rather than failing.
    codes = np.frombuffer((text + " ").encode("utf-32-le", "surrogatepass"), dtype="<u4")
    kind = _KIND[np.minimum(codes, 0xFFFF)]
    cjk, word = kind == 1, kind == 2
    slots = np.empty((len(text), 3), dtype="<u4")
    slots[:, 0] = codes[:-1]
    slots[:, 1] = codes[1:]
    slots[:, 2] = ord(" ")
    keep = np.empty((len(text), 3), dtype=bool)
    keep[:, 0] = kind[:-1] != 0  # a CJK character or a word's letter
    keep[:, 1] = cjk[:-1] & cjk[1:]  # the bigram's second character
    keep[:, 2] = cjk[:-1] | (word[:-1] & ~word[1:])  # the space after each CJK token and each word's end
    return slots[keep].tobytes().decode("utf-32-le")[:-1]  # the last token's space


def sort_key(when: datetime | str | None, article_id: int) -> int:
    """The index rowid of an article: publication day (Asia/Shanghai) then id, so rowid order is date order."""
    day = 0
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    if when is not None:
        if when.tzinfo is None:  # SQLite hands back UTC wall time
            when = when.replace(tzinfo=timezone.utc)
        day = max(int((when.timestamp() + SHANGHAI_OFFSET) // 86400), 0)
    return (day << ID_BITS) | (article_id & ID_MASK)


# -- queries ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class Term:
    """One query term: the tokens of a word or quoted phrase, negated or not, its last token a prefix or not."""

    tokens: list[str]
    text: str
    negate: bool = False
    prefix: bool = False


def query_tokens(word: str) -> tuple[list[str], bool]:
    """A word's tokens as a phrase to look for, and whether its last token is a prefix.

    The index adds a run's last character after its bigrams, which a longer text does not have at that spot:
    a word ending in a CJK run drops that character (职工驿站 -> 职工 工驿 驿站 also matches 职工驿站的), and a
    word ending in a single CJK character looks it up as a prefix (站 matches 站 and every bigram 站x).
    """
    toks = tokens(word)
    if not toks or toks[-1].isascii():
        return toks, False
    if len(toks) >= 2 and len(toks[-2]) == 2 and toks[-2][1] == toks[-1]:
        return toks[:-1], False
    return toks, True


def parse_query(query: str) -> list[list[Term]]:
    """Split a user query into OR-groups of AND-ed terms.

    Words separated by spaces must all occur; `OR` between words makes alternatives; a leading `-` excludes a
    word; quotes keep a phrase with spaces together.
    """
    try:
        parts = shlex.split(query)
    except ValueError as exc:
        raise SearchError(f"cannot read the query {query!r}: {exc}") from None
    groups: list[list[Term]] = [[]]
    for part in parts:
        if part == "OR":
            if groups[-1]:
                groups.append([])
            continue
        negate = part.startswith("-") and len(part) > 1
        word = part[1:] if negate else part
        toks, prefix = query_tokens(word)
        if toks:
            groups[-1].append(Term(toks, normalize(word).strip(), negate, prefix))
    groups = [g for g in groups if any(not t.negate for t in g)]
    if not groups:
        raise SearchError(f"the query {query!r} has no word to search for (Chinese characters, letters or digits)")
    return groups


def fts5_query(query: str) -> str:
    """The FTS5 MATCH expression of a user query."""
    ors = []
    for group in parse_query(query):
        positive = [t for t in group if not t.negate]
        expr = " AND ".join(_fts5_term(t) for t in positive)
        for term in (t for t in group if t.negate):
            expr = f"({expr}) NOT {_fts5_term(term)}"
        ors.append(f"({expr})")
    return " OR ".join(ors)


def _fts5_term(term: Term) -> str:
    phrase = '"' + " ".join(term.tokens) + '"'  # tokens never contain quotes
    return phrase + "*" if term.prefix else phrase


def tsquery(query: str) -> str:
    """The PostgreSQL tsquery (literal syntax, no parser involved) of a user query."""
    ors = []
    for group in parse_query(query):
        ands = []
        for term in group:
            parts = [f"'{tok}'" for tok in term.tokens]
            if term.prefix:
                parts[-1] += ":*"
            expr = f"({' <-> '.join(parts)})" if len(parts) > 1 else parts[0]
            ands.append(f"!{expr}" if term.negate else expr)
        ors.append("(" + " & ".join(ands) + ")")
    return " | ".join(ors)


# -- searching -------------------------------------------------------------------------------------

@dataclass(slots=True)
class Hit:
    """One search result."""

    id: int
    title: str
    url: str
    source_id: str
    source_name: str | None
    section: str | None
    region: str | None
    published_at: str | None
    snippet: str

    def to_json(self) -> dict[str, Any]:
        """The hit as JSON-ready data."""
        return asdict(self)


@dataclass(slots=True)
class Filters:
    """Optional restrictions of a search."""

    section: str | None = None
    region: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def snippet(body: str, query: str | list[list[Term]], width: int = 60) -> str:
    """A stretch of the body around the first occurrence of a query word (the FTS index keeps no text)."""
    groups = parse_query(query) if isinstance(query, str) else query
    needles = [t.text for g in groups for t in g if not t.negate]
    flat = re.sub(r"\s+", " ", body or "").strip()
    # Most text is already in normal form: look in it as it is, then lower-cased, and only then NFKC it
    # (which keeps Chinese text the same length, so a position found there holds in `flat`).
    positions = [p for n in needles if (p := flat.find(n)) >= 0]
    if not positions:
        lowered = flat.lower()
        positions = [p for n in needles if (p := lowered.find(n)) >= 0]
    if not positions:
        folded = normalize(flat)
        positions = [p for n in needles if (p := folded.find(n)) >= 0]
    start = max(min(positions, default=0) - width // 3, 0)
    cut = flat[start:start + width]
    return ("…" if start > 0 else "") + cut + ("…" if start + width < len(flat) else "")


def search(session: Session | Connection, query: str, filters: Filters | None = None, limit: int = 20,
           order: str = "newest") -> list[Hit]:
    """Articles matching `query`, newest first (or by relevance), at most `limit`."""
    if order not in ("newest", "relevance"):
        raise SearchError(f"unknown order {order!r}: use newest or relevance")
    filters = filters or Filters()
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    if dialect == "sqlite":
        rows = _search_sqlite(session, query, filters, limit, order)
    elif dialect == "postgresql":
        rows = _search_postgres(session, query, filters, limit, order)
    else:
        raise SearchError(f"full-text search supports SQLite and PostgreSQL, not {dialect}")
    terms = parse_query(query)
    return [Hit(id=r.id, title=r.title, url=r.url, source_id=r.source_id, source_name=r.source_name, section=r.section,
                region=r.region, published_at=_local(r.published_at), snippet=snippet(r.body_text, terms))
            for r in rows]


def _local(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(SHANGHAI).isoformat(timespec="minutes")


def _utc_text(value: datetime) -> str:
    """A bound value comparable with SQLite's stored UTC wall time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


_COLUMNS = ("a.id, a.title, a.url, a.source_id, s.name AS source_name, a.section, a.region, a.published_at, "
            "a.body_text")


def _where(filters: Filters, params: dict[str, Any], sqlite: bool) -> list[str]:
    clauses = []
    if filters.section:
        clauses.append("a.section = :section")
        params["section"] = filters.section
    if filters.region:
        clauses.append("a.region = :region")
        params["region"] = filters.region
    if filters.source:
        clauses.append("a.source_id = :source")
        params["source"] = filters.source
    if filters.since:
        clauses.append("a.published_at >= :since")
        params["since"] = _utc_text(filters.since) if sqlite else filters.since
    if filters.until:
        clauses.append("a.published_at < :until")
        params["until"] = _utc_text(filters.until) if sqlite else filters.until
    return clauses


def _search_sqlite(session: Session | Connection, query: str, filters: Filters, limit: int, order: str) -> list[Any]:
    params: dict[str, Any] = {"q": fts5_query(query), "limit": limit}
    clauses = ["f.articles_fts MATCH :q", *_where(filters, params, sqlite=True)]
    # The rowid range narrows the index walk itself; the exact dates are checked on the article.
    if filters.since:
        clauses.append("f.rowid >= :lo")
        params["lo"] = sort_key(filters.since, 0)
    if filters.until:
        clauses.append("f.rowid <= :hi")
        params["hi"] = sort_key(filters.until, ID_MASK)
    order_by = "f.rowid DESC" if order == "newest" else f"bm25(articles_fts, {TITLE_WEIGHT}, 1.0)"
    # CROSS JOIN keeps the index as the outer loop, so its rowid order serves ORDER BY and LIMIT stops early.
    sql = (f"SELECT {_COLUMNS} FROM articles_fts AS f CROSS JOIN articles AS a ON a.id = (f.rowid & {ID_MASK}) "
           f"LEFT JOIN sources AS s ON s.id = a.source_id WHERE {' AND '.join(clauses)} "
           f"ORDER BY {order_by} LIMIT :limit")
    try:
        return list(session.execute(text(sql), params))
    except Exception as exc:
        if "fts5" in str(exc).lower() or "no such table: articles_fts" in str(exc):
            raise SearchError(f"the search index cannot answer {query!r}: {exc}") from exc
        raise


def _search_postgres(session: Session | Connection, query: str, filters: Filters, limit: int, order: str) -> list[Any]:
    params: dict[str, Any] = {"q": tsquery(query), "limit": limit}
    clauses = ["f.vector @@ CAST(:q AS tsquery)", *_where(filters, params, sqlite=False)]
    if filters.since:
        clauses.append("f.sort_at >= :since")  # the index's own range; the exact dates are checked on the article
    if filters.until:
        clauses.append("f.sort_at < :until")
    order_by = ("f.sort_at DESC, f.article_id DESC" if order == "newest"
                else "ts_rank(f.vector, CAST(:q AS tsquery)) DESC, a.id DESC")
    sql = (f"SELECT {_COLUMNS} FROM articles_fts AS f JOIN articles AS a ON a.id = f.article_id "
           f"LEFT JOIN sources AS s ON s.id = a.source_id WHERE {' AND '.join(clauses)} "
           f"ORDER BY {order_by} LIMIT :limit")
    # PostgreSQL's planner does not count the cost of reading TOASTed tsvectors, so it may walk the date index
    # for a rare word (reading most vectors) or sort every hit of a common one. We choose from its own row
    # estimate: walking reads about limit * N / hits vectors, the GIN index about `hits` rows.
    # The driver prepares statements it sees often and the server may then reuse a generic plan made for
    # another word: each strategy gets its own statement text, and plans are made for the word at hand.
    settings: tuple[str, ...] = ()
    if order == "newest":
        hits, total = _pg_estimate(session, params["q"])
        walk = hits * hits > 4 * limit * total
        settings = ("enable_seqscan", "enable_bitmapscan") if walk else ("enable_seqscan", "enable_indexscan")
        sql += " /* walk the date index */" if walk else " /* gin index, then sort */"
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    for setting in settings:
        session.execute(text(f"SET LOCAL {setting} = off"))
    try:
        return list(session.execute(text(sql), params))
    finally:
        for setting in (*settings, "plan_cache_mode"):
            session.execute(text(f"SET LOCAL {setting} TO DEFAULT"))


def _pg_estimate(session: Session | Connection, tsq: str) -> tuple[float, float]:
    """The planner's estimate of matching rows, and the index's row count (exact when never analyzed)."""
    plan = session.execute(text("EXPLAIN (FORMAT JSON) SELECT 1 FROM articles_fts WHERE vector @@ CAST(:q AS tsquery)"),
                           {"q": tsq}).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    total = float(session.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'articles_fts'::regclass")).scalar_one())
    if total < 0:  # never analyzed yet
        total = float(session.execute(text("SELECT count(*) FROM articles_fts")).scalar_one())
    return float(plan[0]["Plan"]["Plan Rows"]), max(total, 1.0)


def count(session: Session | Connection, query: str) -> int:
    """How many articles match `query` (no filters)."""
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    if dialect == "sqlite":
        return int(session.execute(text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :q"),
                                   {"q": fts5_query(query)}).scalar_one())
    return int(session.execute(text("SELECT count(*) FROM articles_fts WHERE vector @@ CAST(:q AS tsquery)"),
                               {"q": tsquery(query)}).scalar_one())


# -- the index's upkeep ------------------------------------------------------------------------------

def rebuild_index(connection: Connection) -> int:
    """Empty the search index and index every article again (after a bulk load or a tokenizer change)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')"))
        connection.execute(text(
            f"INSERT INTO articles_fts(rowid, title, body) SELECT {SQLITE_KEY_SQL.format(row='articles')}, "
            # In key order: FTS5 writes out what it holds whenever a key is not above the last one.
            "un_search_text(title), un_search_text(body_text) FROM articles ORDER BY 1"))
        connection.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')"))
    else:
        connection.execute(text("DELETE FROM articles_fts"))
        connection.execute(text("INSERT INTO articles_fts(article_id, sort_at, vector) SELECT id, "
                                "coalesce(published_at, fetched_at), un_search_vector(title, body_text) FROM articles"))
    return int(connection.execute(text("SELECT count(*) FROM articles")).scalar_one())


def check_index(connection: Connection) -> None:
    """Raise when the index is damaged (SQLite's FTS5 integrity check; on PostgreSQL, counts must agree)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 0)"))
        # A contentless index cannot compare itself with the text: count what it holds against the articles.
        indexed = connection.execute(text("SELECT count(*) FROM articles_fts")).scalar_one()
        stored = connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
        if indexed != stored:
            raise RuntimeError(f"the search index holds {indexed} articles, the store {stored}: "
                               "run `union-news db reindex`")
        return
    missing = connection.execute(text(
        "SELECT count(*) FROM articles a LEFT JOIN articles_fts f ON f.article_id = a.id WHERE f.article_id IS NULL"
    )).scalar_one()
    if missing:
        raise RuntimeError(f"{missing} articles are missing from the search index: run `union-news db reindex`")


# SQL computing an article row's sort key on SQLite (published_at, else fetched_at; Shanghai day; id).
SQLITE_KEY_SQL = (
    f"((max(CAST(strftime('%s', coalesce({{row}}.published_at, {{row}}.fetched_at)) AS INTEGER) + {SHANGHAI_OFFSET}, 0)"
    f" / 86400) << 32 | ({{row}}.id & {ID_MASK}))"
)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Make the index's SQL functions available on a SQLite connection (the triggers need them)."""
    dbapi_connection.create_function("un_search_text", 1, search_text, deterministic=True)
    dbapi_connection.create_function("un_fts_query", 1, _safe_fts5_query, deterministic=True)


def _safe_fts5_query(query: str | None) -> str:
    """un_fts_query(q) for analysts: a MATCH expression, or one that matches nothing for an empty query."""
    try:
        return fts5_query(query or "")
    except SearchError:
        return '"\u0000"'
