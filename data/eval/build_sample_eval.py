"""Write sections_sample.jsonl: the bundled sample's articles as a second held-out set for the classifier.

The sample's texts (data/samples/content/) were written by a different author from the training data and are never
trained on. Items of the reference digest take its section; the others take the section an editor would give them
(OTHERS below; `none` for news that is not union work). Run: python data/eval/build_sample_eval.py
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTENT = HERE.parent / "samples" / "content"
# Sample stories outside the digest: their section by the rules in data/sections.toml.
OTHERS = {
    "901": "none", "902": "none", "903": "none", "904": "none", "905": "none", "906": "none", "907": "none",
    "914": "none",
    "908": "工作动态",  # national federation leaders' 送清凉 visit (2024)
    "909": "维权服务",  # stations open longer for outdoor workers
    "910": "维权服务",  # job fair for platform workers
    "911": "工作动态",  # a national contest organised by the federation
    "912": "维权服务",  # a city union's 送清凉
    "913": "维权服务",  # high-temperature allowance rights guide
    "915": "维权服务",  # 疗休养 for model workers
}


def main() -> None:
    lines = []
    for path in sorted(CONTENT.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        label = data["section"] if data["belongs"] else OTHERS[path.name.split("-")[0]]
        for article in data["article"]:
            lede = (article.get("byline", "") + article["paragraphs"][0])[:220]
            lines.append({"title": article["title"], "text": lede, "label": label,
                          "outlet_kind": "wechat" if article["outlet"].startswith("wx_") else "media",
                          "note": f"sample {path.stem} ({article['outlet']}, {article['role']})"})
    (HERE / "sections_sample.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    print(f"wrote {len(lines)} items")


if __name__ == "__main__":
    main()
