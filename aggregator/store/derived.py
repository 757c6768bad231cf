"""Objects derived from the tables: the full-text index with its triggers, and the analysts' views.

Both dialects get the same names: `articles_fts` (an FTS5 table on SQLite, a tsvector table with a GIN index on
PostgreSQL) and the `v_*` views (documented in docs/schema.md). Created by migration 0006; `ensure_triggers`
puts the index's triggers back if a later table rebuild (Alembic batch mode on SQLite) dropped them.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

from aggregator.search import CJK_CLASS, SQLITE_KEY_SQL

logger = logging.getLogger(__name__)

VIEWS = ("v_article_weeks", "v_articles_by_week_section", "v_articles_by_week_province", "v_articles_by_week_outlet",
         "v_story_sizes", "v_story_size_distribution", "v_source_activity")
SQLITE_TRIGGERS = ("articles_fts_ai", "articles_fts_ad", "articles_fts_au")
PG_TRIGGERS = ("articles_fts_ai", "articles_fts_au")

# -- SQLite ------------------------------------------------------------------------------------------

_NEW = SQLITE_KEY_SQL.format(row="new")
_OLD = SQLITE_KEY_SQL.format(row="old")
SQLITE_SEARCH = [
    # Contentless: the index keeps no copy of the text (articles has it), only the bigram postings.
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, body, content='', "
    "tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_TRIGGER_SQL = {
    "articles_fts_ai": f"""
CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, body)
  VALUES ({_NEW}, un_search_text(new.title), un_search_text(new.body_text));
END""",
    "articles_fts_ad": f"""
CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body)
  VALUES ('delete', {_OLD}, un_search_text(old.title), un_search_text(old.body_text));
END""",
    # Only when an indexed value or the sort key changes: a new section or story leaves the index alone.
    "articles_fts_au": f"""
CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF id, title, body_text, published_at, fetched_at ON articles
WHEN old.title IS NOT new.title OR old.body_text IS NOT new.body_text OR old.published_at IS NOT new.published_at
  OR old.fetched_at IS NOT new.fetched_at OR old.id IS NOT new.id
BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body)
  VALUES ('delete', {_OLD}, un_search_text(old.title), un_search_text(old.body_text));
  INSERT INTO articles_fts(rowid, title, body)
  VALUES ({_NEW}, un_search_text(new.title), un_search_text(new.body_text));
END""",
}

# Shanghai wall time of a stored UTC value (China has kept UTC+8 without daylight saving since 1991).
_SQ_LOCAL = "datetime({col}, '+8 hours')"
_SQ_MONDAY = "date({local}, '-' || ((CAST(strftime('%w', {local}) AS INTEGER) + 6) % 7) || ' days')"
# ISO week label from the week's Monday: the ISO year is the year of the week's Thursday.
_SQ_WEEK = ("strftime('%Y', date({m}, '+3 days')) || '-W' || "
            "printf('%02d', (CAST(strftime('%j', date({m}, '+3 days')) AS INTEGER) - 1) / 7 + 1)")

_local = _SQ_LOCAL.format(col="a.published_at")
SQLITE_VIEWS = {
    "v_article_weeks": f"""
CREATE VIEW v_article_weeks AS
SELECT w.id AS article_id, w.source_id, w.section, w.region, w.city, w.story_id, w.published_local,
       {_SQ_WEEK.format(m='w.week_start')} AS week, w.week_start
FROM (SELECT a.id, a.source_id, a.section, a.region, a.city, a.story_id, {_local} AS published_local,
             {_SQ_MONDAY.format(local=_local)} AS week_start
      FROM articles a
      WHERE a.published_at IS NOT NULL AND a.status IN ('ok', 'truncated')) AS w""",
    "v_articles_by_week_section": """
CREATE VIEW v_articles_by_week_section AS
SELECT week, week_start, section, count(*) AS articles, count(DISTINCT coalesce(story_id, -article_id)) AS stories
FROM v_article_weeks GROUP BY week, week_start, section""",
    "v_articles_by_week_province": """
CREATE VIEW v_articles_by_week_province AS
SELECT week, week_start, coalesce(region, '未知') AS province, count(*) AS articles,
       count(DISTINCT coalesce(story_id, -article_id)) AS stories, count(DISTINCT source_id) AS outlets
FROM v_article_weeks GROUP BY week, week_start, coalesce(region, '未知')""",
    "v_articles_by_week_outlet": """
CREATE VIEW v_articles_by_week_outlet AS
SELECT w.week, w.week_start, w.source_id, s.name AS outlet, s.kind, s.region, count(*) AS articles,
       count(DISTINCT coalesce(w.story_id, -w.article_id)) AS stories
FROM v_article_weeks w LEFT JOIN sources s ON s.id = w.source_id
GROUP BY w.week, w.week_start, w.source_id, s.name, s.kind, s.region""",
    "v_story_sizes": f"""
CREATE VIEW v_story_sizes AS
SELECT st.id AS story_id, count(a.id) AS articles, count(DISTINCT a.source_id) AS outlets, r.title AS title,
       r.section AS section, min({_local}) AS first_published, max({_local}) AS last_published
FROM stories st JOIN articles a ON a.story_id = st.id LEFT JOIN articles r ON r.id = st.representative_id
GROUP BY st.id, r.title, r.section""",
    "v_story_size_distribution": """
CREATE VIEW v_story_size_distribution AS
SELECT articles AS size, count(*) AS stories FROM v_story_sizes GROUP BY articles""",
    "v_source_activity": f"""
CREATE VIEW v_source_activity AS
SELECT s.id AS source_id, s.name, s.kind, s.family, s.region, s.enabled, s.verified,
       coalesce(c.articles, 0) AS articles, coalesce(c.new_7d, 0) AS new_7d, coalesce(c.new_30d, 0) AS new_30d,
       {_SQ_LOCAL.format(col='c.last_published')} AS last_published,
       {_SQ_LOCAL.format(col='c.last_fetched')} AS last_fetched,
       {_SQ_LOCAL.format(col='s.last_success_at')} AS last_success,
       s.consecutive_failures, s.consecutive_empty, s.layout_warning, s.last_run_id, r.status AS last_run_status,
       r.message AS last_run_message
FROM sources s
LEFT JOIN (SELECT source_id, count(*) AS articles,
                  sum(CASE WHEN fetched_at >= datetime('now', '-7 days') THEN 1 ELSE 0 END) AS new_7d,
                  sum(CASE WHEN fetched_at >= datetime('now', '-30 days') THEN 1 ELSE 0 END) AS new_30d,
                  max(published_at) AS last_published, max(fetched_at) AS last_fetched
           FROM articles GROUP BY source_id) AS c ON c.source_id = s.id
LEFT JOIN crawl_run_sources r ON r.run_id = s.last_run_id AND r.source_id = s.id""",
}

# -- PostgreSQL --------------------------------------------------------------------------------------

PG_SEARCH = [
    # Mirrors aggregator.search.tokens(): NFKC, lower case, CJK runs as bigrams plus the last character, ASCII words.
    f"""
CREATE OR REPLACE FUNCTION un_search_tokens(value text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  m text[];
  run text;
  n integer;
  result text[] := ARRAY[]::text[];
BEGIN
  IF value IS NULL THEN
    RETURN result;
  END IF;
  FOR m IN SELECT regexp_matches(lower(normalize(value, NFKC)), '([{CJK_CLASS}]+)|([a-z0-9]+)', 'g') LOOP
    IF m[2] IS NOT NULL THEN
      result := result || m[2];
    ELSE
      run := m[1];
      n := char_length(run);
      FOR i IN 1 .. n - 1 LOOP
        result := result || substr(run, i, 2);
      END LOOP;
      result := result || substr(run, n, 1);
    END IF;
  END LOOP;
  RETURN result;
END
$fn$""",
    # Positions are token ordinals, as in FTS5, so a phrase is consecutive positions (<->). tsvector caps a
    # position at 16383: phrases are found in the first 16383 tokens of a field, single words anywhere.
    """
CREATE OR REPLACE FUNCTION un_tokens_vector(toks text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(string_agg('''' || tok || ''':' || least(ord, 16383), ' ')::tsvector, ''::tsvector)
  FROM unnest(toks) WITH ORDINALITY AS u(tok, ord)
$fn$""",
    """
CREATE OR REPLACE FUNCTION un_search_vector(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT setweight(un_tokens_vector(un_search_tokens(title)), 'A') || un_tokens_vector(un_search_tokens(body))
$fn$""",
    # sort_at (publication time, else fetch time) with its own index lets "newest first" walk the index for
    # common words (stopping after the first hits) while the GIN index serves rare ones; the planner picks.
    """
CREATE TABLE IF NOT EXISTS articles_fts (
  article_id integer PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  sort_at timestamptz NOT NULL,
  vector tsvector NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS ix_articles_fts_vector ON articles_fts USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS ix_articles_fts_sort ON articles_fts (sort_at DESC, article_id DESC)",
    """
CREATE OR REPLACE FUNCTION un_articles_fts_sync() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.title IS NOT DISTINCT FROM NEW.title
     AND OLD.body_text IS NOT DISTINCT FROM NEW.body_text THEN
    UPDATE articles_fts SET sort_at = coalesce(NEW.published_at, NEW.fetched_at) WHERE article_id = NEW.id;
    RETURN NULL;
  END IF;
  INSERT INTO articles_fts(article_id, sort_at, vector)
  VALUES (NEW.id, coalesce(NEW.published_at, NEW.fetched_at), un_search_vector(NEW.title, NEW.body_text))
  ON CONFLICT (article_id) DO UPDATE SET sort_at = EXCLUDED.sort_at, vector = EXCLUDED.vector;
  RETURN NULL;
END
$fn$""",
]
PG_TRIGGER_SQL = {
    "articles_fts_ai": """
CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION un_articles_fts_sync()""",
    "articles_fts_au": """
CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, body_text, published_at, fetched_at ON articles FOR EACH ROW
WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body_text IS DISTINCT FROM NEW.body_text
      OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.fetched_at IS DISTINCT FROM NEW.fetched_at)
EXECUTE FUNCTION un_articles_fts_sync()""",
}

_PG_LOCAL = "({col} AT TIME ZONE 'Asia/Shanghai')"
_pl = _PG_LOCAL.format(col="a.published_at")
PG_VIEWS = {
    "v_article_weeks": f"""
CREATE VIEW v_article_weeks AS
SELECT a.id AS article_id, a.source_id, a.section, a.region, a.city, a.story_id, {_pl} AS published_local,
       to_char(date_trunc('week', {_pl}), 'IYYY-"W"IW') AS week, date_trunc('week', {_pl})::date AS week_start
FROM articles a
WHERE a.published_at IS NOT NULL AND a.status IN ('ok', 'truncated')""",
    "v_articles_by_week_section": SQLITE_VIEWS["v_articles_by_week_section"],
    "v_articles_by_week_province": SQLITE_VIEWS["v_articles_by_week_province"],
    "v_articles_by_week_outlet": SQLITE_VIEWS["v_articles_by_week_outlet"],
    "v_story_sizes": f"""
CREATE VIEW v_story_sizes AS
SELECT st.id AS story_id, count(a.id) AS articles, count(DISTINCT a.source_id) AS outlets, r.title AS title,
       r.section AS section, min({_pl}) AS first_published, max({_pl}) AS last_published
FROM stories st JOIN articles a ON a.story_id = st.id LEFT JOIN articles r ON r.id = st.representative_id
GROUP BY st.id, r.title, r.section""",
    "v_story_size_distribution": SQLITE_VIEWS["v_story_size_distribution"],
    "v_source_activity": f"""
CREATE VIEW v_source_activity AS
SELECT s.id AS source_id, s.name, s.kind, s.family, s.region, s.enabled, s.verified,
       coalesce(c.articles, 0) AS articles, coalesce(c.new_7d, 0) AS new_7d, coalesce(c.new_30d, 0) AS new_30d,
       {_PG_LOCAL.format(col='c.last_published')} AS last_published,
       {_PG_LOCAL.format(col='c.last_fetched')} AS last_fetched,
       {_PG_LOCAL.format(col='s.last_success_at')} AS last_success,
       s.consecutive_failures, s.consecutive_empty, s.layout_warning, s.last_run_id, r.status AS last_run_status,
       r.message AS last_run_message
FROM sources s
LEFT JOIN (SELECT source_id, count(*) AS articles,
                  count(*) FILTER (WHERE fetched_at >= now() - interval '7 days') AS new_7d,
                  count(*) FILTER (WHERE fetched_at >= now() - interval '30 days') AS new_30d,
                  max(published_at) AS last_published, max(fetched_at) AS last_fetched
           FROM articles GROUP BY source_id) AS c ON c.source_id = s.id
LEFT JOIN crawl_run_sources r ON r.run_id = s.last_run_id AND r.source_id = s.id""",
}


def create_search(connection: Connection) -> None:
    """Create the full-text index and its triggers, and index the articles already stored."""
    from aggregator.search import rebuild_index

    statements = SQLITE_SEARCH if connection.dialect.name == "sqlite" else PG_SEARCH
    for statement in statements:
        connection.execute(text(statement))
    ensure_triggers(connection)
    rebuild_index(connection)


def drop_search(connection: Connection) -> None:
    """Drop the index, its triggers and (PostgreSQL) its functions."""
    if connection.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        connection.execute(text("DROP TABLE IF EXISTS articles_fts"))
        return
    for name in PG_TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON articles"))
    connection.execute(text("DROP TABLE IF EXISTS articles_fts"))
    for fn in ("un_articles_fts_sync()", "un_search_vector(text, text)", "un_tokens_vector(text[])",
               "un_search_tokens(text)"):
        connection.execute(text(f"DROP FUNCTION IF EXISTS {fn}"))


def missing_triggers(connection: Connection) -> list[str]:
    """The index triggers that do not exist (empty when the index is kept in sync)."""
    if connection.dialect.name == "sqlite":
        have = set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        return [t for t in SQLITE_TRIGGERS if t not in have]
    have = set(connection.execute(text(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'articles'::regclass AND NOT tgisinternal")).scalars())
    return [t for t in PG_TRIGGERS if t not in have]


def ensure_triggers(connection: Connection) -> list[str]:
    """Create any missing index trigger; return the names created (a table rebuild drops a table's triggers)."""
    missing = missing_triggers(connection)
    sql = SQLITE_TRIGGER_SQL if connection.dialect.name == "sqlite" else PG_TRIGGER_SQL
    for name in missing:
        connection.execute(text(sql[name]))
    return missing


def has_search(connection: Connection) -> bool:
    """True when the store has the full-text index (migration 0006 applied)."""
    if connection.dialect.name == "sqlite":
        return connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'")).first() is not None
    return connection.execute(text("SELECT to_regclass('articles_fts')")).scalar() is not None


def create_views(connection: Connection) -> None:
    """Create the analysts' views (replacing older definitions)."""
    drop_views(connection)
    views = SQLITE_VIEWS if connection.dialect.name == "sqlite" else PG_VIEWS
    for name in VIEWS:
        connection.execute(text(views[name]))


def drop_views(connection: Connection) -> None:
    """Drop the analysts' views (dependent views first)."""
    for name in reversed(VIEWS):
        connection.execute(text(f"DROP VIEW IF EXISTS {name}"))
