"""The run pages' SVG charts: labels that fit left of the bars, values and titles kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from truongso.admissions.rounds_charts import Row, hbar_svg, short_label

SVG = "{http://www.w3.org/2000/svg}"


def test_labels_drop_the_common_prefix_and_fit() -> None:
    assert short_label("Trường THPT Quỳnh Côi") == "THPT Quỳnh Côi"
    assert short_label("Trường THPT Chuyên Thái Bình") == "THPT Chuyên Thái Bình"
    assert short_label("Trường THPT Nguyễn Đức Cảnh Thái Thụy") == "THPT Nguyễn Đức Cảnh …"
    assert len(short_label("x" * 40)) == 22


def test_chart_keeps_the_whole_name_in_the_bar_title() -> None:
    svg = hbar_svg(
        chart_id="cutoffs",
        title="Điểm chuẩn",
        desc="Điểm chuẩn từng trường",
        rows=[Row("Trường THPT Nguyễn Đức Cảnh Thái Thụy", (19.5,), ("19,50",))],
    )
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["THPT Nguyễn Đức Cảnh …", "19,50"]
    bar = root.find(f"{SVG}rect")
    assert bar is not None and bar.get("data-value") == "19.5"
    title = bar.find(f"{SVG}title")
    assert title is not None and title.text == "Trường THPT Nguyễn Đức Cảnh Thái Thụy: 19,50"
