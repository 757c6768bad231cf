"""Every article of the bundled sample gets the region an editor would give its story (province, and city when named)."""

from __future__ import annotations

import tomllib

import pytest

from aggregator.regions import NATIONAL, detect_region
from tests.conftest import SAMPLES

# story prefix -> (province, city or None when the editor would not name one)
EDITOR = {
    "01": (NATIONAL, None), "02": (NATIONAL, None), "03": (NATIONAL, None), "04": ("陕西", None),
    "05": ("山东", "青岛"), "06": ("广东", "广州"), "07": ("浙江", None), "08": ("陕西", None), "09": ("陕西", None),
    "10": ("黑龙江", None), "11": ("上海", "长宁"), "12": ("福建", None), "13": ("山东", None),
    "14": ("河南", "洛阳"), "15": ("江苏", "苏州"), "16": ("重庆", "渝中"), "17": ("兵团", "第八师"),
    "18": ("江苏", None), "19": ("河北", None), "20": ("江苏", "徐州"), "21": ("安徽", "六安"), "22": ("甘肃", "张掖"),
    "23": ("山东", None), "24": ("浙江", "嘉兴"), "25": ("山东", "泰安"),
}
CASES = []
for path in sorted(SAMPLES.glob("content/[0-2][0-9]-*.toml")):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for article in data["article"]:
        CASES.append(pytest.param(path.name[:2], article, id=f"{path.stem[:24]}:{article['outlet']}"))


@pytest.mark.parametrize(("story", "article"), CASES)
def test_region(story: str, article: dict) -> None:
    province, city = EDITOR[story]
    body = "\n".join(article["paragraphs"])
    region = detect_region(article["title"], body)
    assert region.province == province
    if city:
        assert region.city == city
