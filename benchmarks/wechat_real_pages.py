"""The WeChat parser on the two real mp.weixin.qq.com pages of ../shared/real-pages/wechat/: correctness and speed.

Correctness: every ground-truth field of pages/wechat__N.json (title, author, account, body excerpts, boilerplate
left out) plus what the page itself says about identity and time (the key, and ct against the page's own inline
date). Speed: parse time per page as a ratio against lxml parsing the same text, measured in the same run.

Skips (exit 0) when the real pages are not there: they are for development only and never part of the repository.
Run: .venv/bin/python benchmarks/wechat_real_pages.py   (or `make bench`)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator.clock import crawl_now  # noqa: E402
from aggregator.extract import extract_article  # noqa: E402
from aggregator.extract.generic import extract_generic  # noqa: E402
from aggregator.extract.html import parse_html  # noqa: E402
from aggregator.extract.wechat import clean_content  # noqa: E402
from aggregator.normalize import normalize_record  # noqa: E402
from aggregator.records import Page  # noqa: E402
from aggregator.sanitize import sanitize_html  # noqa: E402
from benchmarks._common import report, timed  # noqa: E402

CANDIDATES = [os.environ.get("UNION_NEWS_REAL_PAGES", ""), str(ROOT.parent / "shared" / "real-pages"),
              str(ROOT.parent.parent / "shared" / "real-pages"), "/work/shared/real-pages"]
REPEAT = 15


def real_pages() -> Path | None:
    """The real-pages folder, when this machine has it."""
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / "wechat").is_dir():
            return Path(candidate)
    return None


def median_seconds(fn: Callable[[], Any], repeat: int = REPEAT) -> float:
    """Median seconds per call of `fn` after one warm-up call."""
    return statistics.median(timed(fn, repeat=repeat))


def checks(name: str, html: bytes, truth: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) for one page."""
    record = extract_article(Page(url=truth["url"], body=html))
    record = normalize_record(record, None, crawl_now("2020-02-14T12:00:00+08:00"))
    text = html.decode("utf-8")
    body = record.body_text
    # The page's own inline date (the script that renders 昨天/前天 from ct): t="now",n="ct",s="YYYY-MM-DD"
    shown = re.search(r'n="(\d{10})",s="(\d{4}-\d{2}-\d{2})"', text)
    out = [
        ("title", record.title == truth["title"], record.title),
        ("author", record.author == truth["author"], str(record.author)),
        ("account", record.wechat_account == truth["outlet"].split("(")[-1].rstrip(")"), str(record.wechat_account)),
        ("body_first", truth["body_first"] in body, body[:40]),
        ("body_mid", truth["body_mid"] in body, ""),
        ("body_last", truth["body_last"] in body, body[-40:]),
        ("key", record.wechat_key is not None, str(record.wechat_key)),
        ("not the temporary link", "signature=" not in record.url and "src=11" not in record.url, record.url),
        ("status", record.status == "ok", record.status),
        ("published = ct", bool(shown) and record.published_at is not None
         and int(record.published_at.timestamp()) == int(shown.group(1)), str(record.published_at)),
        ("published date = page's date", bool(shown) and record.published_at is not None
         and record.published_at.strftime("%Y-%m-%d") == shown.group(2), shown.group(2) if shown else "none"),
        ("images load without referer", all("referrerpolicy" in tag for tag in re.findall(r"<img[^>]+>", record.body_html))
         and "data-src" not in record.body_html, f"{len(record.images)} images"),
    ]
    out += [(f"leaves out {junk!r}", junk not in body, "") for junk in truth.get("boilerplate", [])]
    return out


def main() -> int:
    folder = real_pages()
    if folder is None:
        print("skipped: no real-pages folder (set UNION_NEWS_REAL_PAGES); the project does not need it")
        return 0
    failures = 0
    rows = []
    for html_path in sorted((folder / "wechat").glob("*.html")):
        number = html_path.stem.rsplit("_", 1)[-1]
        truth = json.loads((folder / "pages" / f"wechat__{number}.json").read_text(encoding="utf-8"))
        html = html_path.read_bytes()
        print(f"\n{html_path.name} ({len(html) // 1024} KB, {truth['url'][:60]}…)")
        for check, passed, detail in checks(html_path.name, html, truth):
            failures += not passed
            print(f"  {'ok  ' if passed else 'FAIL'} {check:32} {detail[:70]}")
        text = html.decode("utf-8")
        baseline = median_seconds(lambda: parse_html(text, truth["url"]))
        ours = median_seconds(lambda: extract_article(Page(url=truth["url"], body=html)))
        generic = median_seconds(lambda: extract_generic(parse_html(text, truth["url"]), truth["url"]))
        content = parse_html(text, truth["url"]).get_element_by_id("js_content")
        clean_content(content)
        fragment = lxml.html.tostring(content, encoding="unicode")
        sanitize = median_seconds(lambda: sanitize_html(fragment, truth["url"]))
        rows.append((html_path.name, baseline, ours, generic, sanitize))
    table = [{"page": name, "lxml_parse_ms": baseline * 1000, "wechat_parser_ms": ours * 1000,
              "ratio": ours / baseline, "of_which_sanitize_ms": sanitize * 1000,
              "generic_extractor_ms": generic * 1000, "generic_ratio": generic / baseline}
             for name, baseline, ours, generic, sanitize in rows]
    print()
    report("wechat_real_pages", table, [
        f"median of {REPEAT} runs each, same process; ratio = time / lxml parsing the same page (the baseline)",
        "wechat parser = extract_article on the page bytes (decode, parse, script variables, body, sanitize)",
        f"correctness: {'all checks passed' if not failures else f'{failures} check(s) failed'}"])
    print(f"\n{'all checks passed' if not failures else f'{failures} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
