"""Benchmark of `union-news demo`: wall time and peak memory, against a bare Scrapy crawl of the same pages.

Usage: python benchmarks/demo.py [--runs 3]

The baseline is measured in the same run: a Scrapy process that fetches every page of the bundled sample through the
same local server and does nothing with them. The ratio is what the whole pipeline (parsing, normalization,
deduplication, classification, the store, the digest and the feeds) costs on top of fetching.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import median, report, run_process  # noqa: E402

BARE = r'''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from aggregator.sampleserver import SampleServer, sample_root
urls = json.loads(sys.argv[1])
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, dont_filter=True)
    def parse(self, response):
        return None
with SampleServer(sample_root()) as server:
    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "CONCURRENT_ITEMS": 10,
        "DOWNLOAD_HANDLERS": {"http": "aggregator.crawl.hostmap.HostMapDownloadHandler",
                              "https": "aggregator.crawl.hostmap.HostMapDownloadHandler"},
        "UNION_NEWS_HOSTMAP": {"*": server.address}, "TELNETCONSOLE_ENABLED": False})
    process.crawl(Bare)
    process.start()
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    expected = json.loads((root / "data" / "samples" / "expected.json").read_text(encoding="utf-8"))
    urls = sorted(expected["pages"])
    demo_walls, demo_rss, bare_walls, bare_rss = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            wall, rss, done = run_process([sys.executable, "-m", "aggregator.cli", "demo", "--out", f"{tmp}/out"], cwd=root)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
            demo_walls.append(wall)
            demo_rss.append(rss)
        wall, rss, done = run_process([sys.executable, "-c", BARE, json.dumps(urls)], cwd=root)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        bare_walls.append(wall)
        bare_rss.append(rss)
    rows = [
        {"what": "bare Scrapy fetch of the sample's article pages (baseline)", "wall_s": median(bare_walls),
         "peak_rss_mb": max(bare_rss), "ratio": 1.0},
        {"what": "union-news demo (crawl + pipelines + digest + feeds)", "wall_s": median(demo_walls),
         "peak_rss_mb": max(demo_rss), "ratio": median(demo_walls) / median(bare_walls)},
    ]
    report("demo", rows, [f"median of {args.runs} runs each, interleaved; {len(urls)} article pages in the sample"])


if __name__ == "__main__":
    main()
