"""The SVG renderer: well-formed XML, labelled for screen readers, bars proportional to the
counts, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from truongso.gradebook.charts import HEIGHT, Bar, Chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own output, as the brief asks


def test_bars_match_the_counts_and_parse():
    chart = Chart(
        "c1", "Kết quả học tập", "Tốt 2, Khá 4", [Bar("Tốt", 2), Bar("Khá", 4), Bar("Đạt", 0)]
    )
    root = parse(chart)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Kết quả học tập"
    assert root.find(f"{SVG}title").get("id") == "c1-title"
    assert root.find(f"{SVG}desc").text == "Tốt 2, Khá 4"
    rects = root.findall(f".//{SVG}rect")
    assert [int(r.get("data-value")) for r in rects] == [2, 4, 0]
    heights = [float(r.get("height")) for r in rects]
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    # The tallest bar fills the plot; every bar stands on the same base line.
    assert all(float(r.get("y")) + float(r.get("height")) == HEIGHT - 34 for r in rects)
    labels = [g.findall(f"{SVG}text")[1].text for g in root.findall(f"{SVG}g")]
    assert labels == ["Tốt", "Khá", "Đạt"]
    hover = [g.find(f"{SVG}title").text for g in root.findall(f"{SVG}g")]
    assert hover == ["Tốt: 2", "Khá: 4", "Đạt: 0"]
    assert chart.total == 6


def test_text_is_escaped_and_an_empty_chart_still_parses():
    chart = Chart('x"><script>', "<b>&", "d", [Bar("<5", 3, "50,0%")])
    root = parse(chart)
    assert root.find(f"{SVG}title").text == "<b>&"
    assert "<script>" not in str(chart.svg)
    assert root.find(f".//{SVG}g/{SVG}title").text == "<5: 3 (50,0%)"
    empty = parse(Chart("e", "t", "d", []))
    assert empty.findall(f".//{SVG}rect") == []
