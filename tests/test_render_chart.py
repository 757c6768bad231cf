"""The inline SVG bar charts: one bar per row, scaled to the largest, labelled, escaped, no script."""

from __future__ import annotations

from lxml import etree

from aggregator.render.chart import REST, bar_chart, top_rows

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def test_one_bar_per_row_scaled_to_the_largest() -> None:
    root = parse(bar_chart([("山东", 4), ("江苏", 2), ("浙江", 1)], "各地条目数"))
    bars = root.findall(f".//{SVG}rect")
    widths = [float(b.get("width")) for b in bars]
    assert len(bars) == 3
    assert widths[0] > widths[1] > widths[2]
    assert abs(widths[0] / widths[1] - 2) < 0.01
    assert [b.find(f"{SVG}title").text for b in bars] == ["山东：4条", "江苏：2条", "浙江：1条"]
    assert root.find(f"{SVG}title").text == "各地条目数"
    assert root.find(f"{SVG}desc").text == "山东 4条，江苏 2条，浙江 1条"


def test_labels_are_escaped_and_nothing_runs() -> None:
    svg = bar_chart([("<script>alert(1)</script>", 1)], "t")
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert all(not name.startswith("on") for el in root.iter() for name in el.attrib)


def test_empty_chart_says_so() -> None:
    root = parse(bar_chart([], "各栏目条目数"))
    assert root.findall(f".//{SVG}rect") == []
    assert "无数据" in "".join(root.itertext())


def test_top_rows_sums_the_rest() -> None:
    rows = [(f"省{i}", 10 - i) for i in range(6)]
    assert top_rows(rows, 3) == [("省0", 10), ("省1", 9), ("省2", 8), ("其他", 7 + 6 + 5)]
    assert top_rows(rows, 5) == rows  # one left over: no point summing a single row
    root = parse(bar_chart(top_rows(rows, 3), "t"))
    assert root.findall(f".//{SVG}rect")[-1].get("fill") == REST
