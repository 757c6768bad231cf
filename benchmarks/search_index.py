"""Search index benchmark: CPU ms per article of FTS5 indexing, the store's table against other FTS5 options.

Where the store worker's full-text index cost goes, and whether another FTS5 option would cut it. Generated
articles (benchmarks/newstext.py, the crawl benchmark's text) are tokenized once with the store's bigrams
(`aggregator.search.search_text`, timed too: the trigger calls it per row), then inserted into in-memory FTS5
tables in index-key order, in groups of 50 in one transaction each, as the store worker writes them:

  store      the store's table (aggregator.store.derived.SQLITE_SEARCH): contentless, unicode61, detail=full
  ascii      the ascii tokenizer instead: our tokens are already lower case and space separated, so it makes
             the same tokens; a rebuild of the index would be needed
  column     detail=column: no positions, so no phrase queries (a word is the phrase of its bigrams)
  none       detail=none: no positions or columns either
  table      the same token text into an ordinary table: writing the bytes, no index (the floor)

Variants alternate, --repeat rounds; each is reported as the median ms per article and its ratio to `store` in
the same run.

Usage: python benchmarks/search_index.py [--articles 3000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator.search import ID_BITS, search_text
from aggregator.store.derived import SQLITE_SEARCH
from benchmarks._common import median, report
from benchmarks.newstext import news_article

GROUP = 50  # articles per transaction, as the store worker commits them
STORE_OPTIONS = "tokenize='unicode61 remove_diacritics 0'"
VARIANTS = {
    "store": SQLITE_SEARCH[0],
    "ascii": SQLITE_SEARCH[0].replace(STORE_OPTIONS, "tokenize='ascii'"),
    "column": SQLITE_SEARCH[0].replace(STORE_OPTIONS, f"{STORE_OPTIONS}, detail=column"),
    "none": SQLITE_SEARCH[0].replace(STORE_OPTIONS, f"{STORE_OPTIONS}, detail=none"),
    "table": "CREATE TABLE articles_fts (rowid INTEGER PRIMARY KEY, title TEXT, body TEXT)",
}


def articles(count: int) -> list[tuple[str, str]]:
    """Title and body of `count` generated articles, article n of day 2025-09-15 minus n % 300 days."""
    out = []
    for n in range(count):
        title, paragraphs = news_article(random.Random(n), date(2025, 9, 15) - timedelta(days=n % 300))
        out.append((title, "\n".join(paragraphs)))
    return out


def tokenize(texts: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], float]:
    """The index text of each article's title and body, and the CPU seconds that took."""
    start = time.process_time()
    tokens = [(search_text(title), search_text(body)) for title, body in texts]
    return tokens, time.process_time() - start


def index(ddl: str, rows: list[tuple[int, str, str]]) -> float:
    """CPU seconds to insert `rows` (key, title tokens, body tokens) into a new in-memory table from `ddl`."""
    connection = sqlite3.connect(":memory:")
    connection.execute(ddl)
    start = time.process_time()
    for first in range(0, len(rows), GROUP):
        with connection:
            connection.executemany("INSERT INTO articles_fts(rowid, title, body) VALUES (?, ?, ?)",
                                   rows[first : first + GROUP])
    elapsed = time.process_time() - start
    connection.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000, help="generated articles to index")
    parser.add_argument("--repeat", type=int, default=5, help="rounds, the variants alternating in each")
    args = parser.parse_args()

    texts = articles(args.articles)
    tokenized = [tokenize(texts)[1] for _ in range(args.repeat)]
    tokens, _ = tokenize(texts)
    # Index-key order (day, then id), as the worker inserts a group: FTS5 writes out what it holds whenever a
    # key is not above the last one.
    keys = [((20000 - n % 300) << ID_BITS) | (n + 1) for n in range(args.articles)]
    rows = sorted((key, title, body) for key, (title, body) in zip(keys, tokens, strict=True))  # key order
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeat):
        for name, ddl in VARIANTS.items():
            seconds[name].append(index(ddl, rows))
    per_article = {name: median(values) * 1000 / args.articles for name, values in seconds.items()}
    body_chars = sum(len(body) for _title, body in tokens) / args.articles
    table = [{"variant": "tokens (search_text)", "ms/article": median(tokenized) * 1000 / args.articles,
              "vs store": median(tokenized) * 1000 / args.articles / per_article["store"]}]
    table += [{"variant": name, "ms/article": ms, "vs store": ms / per_article["store"]}
              for name, ms in per_article.items()]
    note = (f"{args.articles} articles, {body_chars:.0f} characters of body tokens on average, groups of {GROUP}; "
            f"medians of {args.repeat} alternated rounds")
    report("search_index", table, [note])
    return 0


if __name__ == "__main__":
    sys.exit(main())
