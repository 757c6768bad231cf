"""Extraction quality and speed: union-news vs trafilatura vs GNE on pages with ground truth, in the same run.

Pages: a directory of NAME.html with NAME.json beside each, the format of ../shared/real-pages/pages/ (title,
published, body_first, body_mid, body_last, boilerplate, url). Default: that directory when it exists, else the
project's own fixture pages (tests/fixtures/pages/).

Figures, with the definitions of the reference scorer (../shared/tools/score_extraction.py):
  title     the extracted title equals the truth, whitespace ignored
  date      the extracted published time has the truth's day
  time      ... and its hour and minute, over the pages whose truth shows a time
  body      body_first, body_mid and body_last all appear in the extracted text, whitespace ignored
  leak      at least one boilerplate string appears in the extracted text (lower is better)
  pages/s   pages per second of the extractor alone, best of --repeat passes (each pass runs every extractor
            once, interleaved, so that load on the machine hits them alike); x GNE is the ratio to GNE's

union-news is measured in-process: extract_article + normalize_record, what a crawl runs per page. Its text is
the byline followed by body_text (the record keeps the byline in a field of its own; the ground truth counts it
as the first paragraph). trafilatura (bare_extraction with metadata) and GNE (GeneralNewsExtractor on the text
decoded as UTF-8) are called exactly as the reference scorer calls them. Install them with
`pip install -e '.[bench]'`; an extractor that is not installed is reported and skipped.

Run: .venv/bin/python benchmarks/extraction.py [DIR] [--repeat 3] [--show-failures]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import report

# ../shared/real-pages/pages next to the checkout (or next to a folder holding worktrees).
REAL_PAGES = next((p / "shared" / "real-pages" / "pages" for p in (ROOT.parent, ROOT.parent.parent)
                   if (p / "shared" / "real-pages" / "pages").is_dir()), ROOT.parent / "shared" / "real-pages" / "pages")
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
DATE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})(?:\D{1,3}(\d{1,2}):(\d{2}))?")

Extractor = Callable[[Path, str | None], dict[str, Any]]


def squash(text: str | None) -> str:
    """Text without any whitespace (the comparisons ignore it)."""
    return WS.sub("", text or "")


def date_ok(truth: str, got: str | None, with_time: bool = False) -> bool:
    """The day (and with_time: the hour and minute) of `got` equal the truth's."""
    t, g = DATE.search(truth), DATE.search(str(got or ""))
    if not t or not g:
        return False
    if tuple(int(x) for x in t.groups()[:3]) != tuple(int(x) for x in g.groups()[:3]):
        return False
    if not with_time:
        return True
    return g.group(4) is not None and (int(t.group(4)), int(t.group(5))) == (int(g.group(4)), int(g.group(5)))


def load_pages(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(html path, truth) for every NAME.json with a NAME.html beside it."""
    pages = []
    for truth_path in sorted(root.glob("*.json")):
        html = truth_path.with_suffix(".html")
        if html.exists():
            pages.append((html, json.loads(truth_path.read_text(encoding="utf-8"))))
    return pages


def ours() -> Extractor:
    """union-news: the page parser and the normalizer, as a crawl runs them."""
    from aggregator.clock import crawl_now
    from aggregator.extract import extract_article
    from aggregator.normalize import normalize_record
    from aggregator.records import Page

    now = crawl_now()

    def run(html: Path, url: str | None) -> dict[str, Any]:
        record = extract_article(Page(url=url or html.resolve().as_uri(), body=html.read_bytes()))
        normalize_record(record, None, now)
        text = f"{record.byline}\n{record.body_text}" if record.byline else record.body_text
        return {"title": record.title, "published": record.published_at.isoformat() if record.published_at else None,
                "body_text": text}

    return run


def trafilatura_extractor() -> Extractor:
    """trafilatura.bare_extraction on the page's bytes, with metadata (as the reference scorer runs it)."""
    import trafilatura

    def run(html: Path, url: str | None) -> dict[str, Any]:
        doc = trafilatura.bare_extraction(html.read_bytes(), url=url or None, with_metadata=True)
        if doc is None:
            return {}
        d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        return {"title": d.get("title"), "published": d.get("date"), "body_text": d.get("text")}

    return run


def gne_extractor() -> Extractor:
    """GNE's GeneralNewsExtractor on the page decoded as UTF-8 (as the reference scorer runs it)."""
    from gne import GeneralNewsExtractor

    def run(html: Path, url: str | None) -> dict[str, Any]:
        text = html.read_bytes().decode("utf-8", errors="replace")
        d = GeneralNewsExtractor().extract(text)
        return {"title": d.get("title"), "published": d.get("publish_time"), "body_text": d.get("content")}

    return run


def score(pages: list[tuple[Path, dict[str, Any]]], results: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one extractor over the pages (the reference scorer's definitions)."""
    n = dict.fromkeys(("title", "date", "time", "body", "leak"), 0)
    ok = dict.fromkeys(("title", "date", "time", "body", "leak"), 0)
    failures: list[str] = []
    for (path, truth), got in zip(pages, results, strict=True):
        body = squash(got.get("body_text"))
        miss: list[str] = []
        if truth.get("title"):
            n["title"] += 1
            if squash(got.get("title")) == squash(truth["title"]):
                ok["title"] += 1
            else:
                miss.append("title")
        if truth.get("published"):
            n["date"] += 1
            if date_ok(truth["published"], got.get("published")):
                ok["date"] += 1
            else:
                miss.append("date")
            shown = DATE.search(truth["published"])
            if shown and shown.group(4):
                n["time"] += 1
                if date_ok(truth["published"], got.get("published"), with_time=True):
                    ok["time"] += 1
                elif "date" not in miss:
                    miss.append("time")
        parts = [truth.get(k) for k in ("body_first", "body_mid", "body_last") if truth.get(k)]
        if parts:
            n["body"] += 1
            if all(squash(x) in body for x in parts):
                ok["body"] += 1
            else:
                miss.append("body")
        if truth.get("boilerplate"):
            n["leak"] += 1
            if any(squash(x) in body for x in truth["boilerplate"]):
                ok["leak"] += 1
                miss.append("leak")
        if miss or "_error" in got:
            failures.append(f"{path.name}: {','.join(miss)} {got.get('_error', '')}".strip())
    figures = {k: ok[k] / n[k] if n[k] else None for k in ok}
    figures["failures"] = failures
    return figures


def _safe(extractor: Extractor) -> Extractor:
    def run(html: Path, url: str | None) -> dict[str, Any]:
        try:
            return extractor(html, url)
        except Exception as exc:  # noqa: BLE001 (a crash on one page is a miss, not the end of the benchmark)
            return {"_error": f"{type(exc).__name__}: {exc}"[:200]}

    return run


def main(argv: list[str] | None = None) -> int:
    """Score every available extractor on DIR and print the table (saved as benchmarks/results/extraction.json)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="?", type=Path, help="directory of NAME.html + NAME.json")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per extractor (best one counts)")
    parser.add_argument("--only", default="ours,trafilatura,gne", help="comma-separated extractors to run")
    parser.add_argument("--show-failures", action="store_true", help="list each extractor's missed pages")
    args = parser.parse_args(argv)
    root = args.pages or (REAL_PAGES if REAL_PAGES.is_dir() else FIXTURE_PAGES)
    pages = load_pages(root)
    if not pages:
        print(f"no NAME.html + NAME.json pages in {root}", file=sys.stderr)
        return 2

    factories = {"ours": ("union-news", ours), "trafilatura": ("trafilatura", trafilatura_extractor),
                 "gne": ("GNE", gne_extractor)}
    extractors: dict[str, Extractor] = {}
    notes = [f"{len(pages)} pages from {root}; best of {args.repeat} interleaved passes"]
    for key in args.only.split(","):
        label, factory = factories[key.strip()]
        try:
            extractors[label] = _safe(factory())
        except ImportError as exc:
            notes.append(f"{label} skipped: {exc} (pip install -e '.[bench]')")

    warnings.filterwarnings("ignore")
    # One untimed pass each: imports, the gazetteer, lxml's and the regex caches.
    results = {label: [fn(html, truth.get("url")) for html, truth in pages] for label, fn in extractors.items()}
    best: dict[str, float] = {}
    for _ in range(max(args.repeat, 1)):
        for label, fn in extractors.items():
            start = time.perf_counter()
            for html, truth in pages:
                fn(html, truth.get("url"))
            elapsed = time.perf_counter() - start
            best[label] = min(best.get(label, elapsed), elapsed)

    rows = []
    failures: dict[str, list[str]] = {}
    gne_speed = len(pages) / best["GNE"] if "GNE" in best else None
    for label in extractors:
        figures = score(pages, results[label])
        failures[label] = figures.pop("failures")
        speed = len(pages) / best[label]
        rows.append({"extractor": label, **{k: round(v, 3) if v is not None else None for k, v in figures.items()},
                     "pages/s": round(speed, 1), "x GNE": round(speed / gne_speed, 2) if gne_speed else None})
    report("extraction", rows, notes)
    if args.show_failures:
        for label, missed in failures.items():
            print(f"\n{label}: {len(missed)} pages with a miss")
            for line in missed:
                print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
