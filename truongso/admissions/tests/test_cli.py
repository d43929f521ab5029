"""``manage.py admission_simulate`` on real files: results, cut-off table, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SCHOOLS = "school_code,quota\nA,2\nB,1\nC,0\n"
APPLICANTS = (
    "applicant_id,score,pref1,pref2,pref3\n"
    "HS01,26,A,B,\n"
    "HS02,25.5,A,,\n"
    "HS03,27.25,C,A,B\n"
    "HS04,25,A,B,\n"
    "HS05,20,,,\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def simulate(tmp_path: Path, applicants: str | Path, schools: str = SCHOOLS, *args: str) -> str:
    a = applicants if isinstance(applicants, Path) else write(tmp_path / "A.csv", applicants)
    s = write(tmp_path / "S.csv", schools)
    out: list[str] = []

    class Capture:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command(
        "admission_simulate", "--applicants", str(a), "--schools", str(s),
        "--out", str(tmp_path / "R.csv"), *args, stdout=Capture(),
    )  # fmt: skip
    return "".join(out)


def refused(tmp_path: Path, applicants: str | Path, schools: str = SCHOOLS, *args: str) -> str:
    with pytest.raises(CommandError) as caught:
        simulate(tmp_path, applicants, schools, *args)
    assert not (tmp_path / "R.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    return str(caught.value)


def test_assigns_and_prints_the_cutoffs(tmp_path: Path) -> None:
    printed = simulate(tmp_path, APPLICANTS, SCHOOLS, "--explain", "HS04")
    assert (tmp_path / "R.csv").read_text(encoding="utf-8") == (
        "applicant_id,school_code,preference\nHS01,A,1\nHS02,,\nHS03,A,2\nHS04,B,2\nHS05,,\n"
    )
    lines = printed.splitlines()
    assert lines[0].split() == [
        "Trường", "Chỉ", "tiêu", "Trúng", "tuyển", "NV1", "NV2", "NV3", "Điểm", "chuẩn",
        "Điểm", "NV2", "Điểm", "NV3", "Điểm", "thấp", "nhất", "Bằng", "điểm", "chuẩn",
        "Vượt", "chỉ", "tiêu",
    ]  # fmt: skip
    assert lines[2].split() == ["A", "2", "2", "1", "1", "0", "26,00", "27,00", "28,00", "26,00",
                                "1", "0"]  # fmt: skip
    assert lines[3].split() == ["B", "1", "1", "0", "1", "0", "24,00", "25,00", "26,00", "25,00",
                                "1", "0"]  # fmt: skip
    assert lines[4].split() == ["C", "0", "0", "0", "0", "0", "–", "–", "–", "–", "–", "0"]
    assert lines[5].startswith(
        "5 thí sinh: 3 trúng tuyển, 1 không trúng tuyển, 0 bị loại, 1 không đăng ký nguyện vọng. "
        "Bằng điểm: tuyển tất cả thí sinh bằng điểm chuẩn."
    )
    assert lines[6:] == [
        "HS04: trúng tuyển vào B ở NV2.",
        "  NV1 A: điểm 25,00 − 0,00 = 25,00, thấp hơn điểm chuẩn 26,00 "
        "(ở nguyện vọng này cần 26,00).",
        "  NV2 B: trúng tuyển (điểm 25,00 − 1,00 = 24,00).",
    ]


def test_penalties_and_tie_rule_options(tmp_path: Path) -> None:
    applicants = (
        "applicant_id,score,pref1,pref2,excluded,tie1\n"
        "1,25,A,,,8\n2,25,A,,0,9.5\n3,26,B,A,,0\n4,29,A,,1,0\n"
    )
    simulate(tmp_path, applicants, "school_code,quota\nA,1\nB,0\n", "--tie", "tiebreak")
    assert (tmp_path / "R.csv").read_text().splitlines()[1:] == ["1,,", "2,A,1", "3,,", "4,,"]
    simulate(tmp_path, applicants, "school_code,quota\nA,1\nB,0\n", "--penalties", "1")
    assert (tmp_path / "R.csv").read_text().splitlines()[1:] == ["1,A,1", "2,A,1", "3,A,2", "4,,"]
    simulate(tmp_path, applicants, "school_code,quota\nA,1\nB,0\n", "--penalties", "0.5")
    assert (tmp_path / "R.csv").read_text().splitlines()[1:] == ["1,,", "2,,", "3,A,2", "4,,"]


def test_excel_files_bom_semicolons_and_utf16(tmp_path: Path) -> None:
    semicolons = "\ufeffapplicant_id;score;pref1;pref2;pref3\r\nHS01;26,5;A;;\r\n\r\n"
    simulate(tmp_path, semicolons)
    assert (tmp_path / "R.csv").read_text().splitlines() == [
        "applicant_id,school_code,preference", "HS01,A,1"
    ]  # fmt: skip
    utf16 = write(tmp_path / "A16.csv", "\ufeff" + APPLICANTS, "utf-16-le")
    simulate(tmp_path, utf16)
    assert len((tmp_path / "R.csv").read_text().splitlines()) == 6


def test_malformed_files_are_refused_by_line_and_column(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        "applicant_id,score,pref1,pref2,pref3\n"
        "HS01,26,A,B,\n"
        "HS02,abc,A,Z,\n"
        "HS03,1,2\n"
        "HS04,25.125,A,,\n",
    )
    assert message.splitlines() == [
        "Chưa ghi gì. Các lỗi:",
        "A.csv, dòng 3, cột score: “abc” không phải là số có tối đa hai chữ số thập phân.",
        "A.csv, dòng 3, cột pref2: không có mã trường “Z”.",
        "A.csv, dòng 4: có 3 giá trị trong khi dòng tiêu đề có 5 cột.",
        "A.csv, dòng 5, cột score: “25.125” không phải là số có tối đa hai chữ số thập phân.",
    ]


def test_inconsistent_rows_are_refused_with_file_lines(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        "applicant_id,score,pref1,pref2,pref3\n"
        "HS01,26,A,B,\n"
        "HS01,25.5,A,A,\n"
        "HS04,65,A,B,\n"
        "HS05,20,,B,\n",
        "school_code,quota\nA,2\nB,-1\nA,3\n",
    )
    assert message.splitlines()[1:] == [
        "A.csv, dòng 3, cột pref2: Trùng trường với NV1: mỗi trường chỉ được chọn một lần.",
        "A.csv, dòng 3, cột applicant_id: Thí sinh HS01 bị lặp: đã có ở dòng 2.",
        "A.csv, dòng 4, cột score: Điểm 65 nằm ngoài khoảng 0–60.",
        "A.csv, dòng 5, cột pref2: Có NV2 nhưng NV1 bỏ trống: nguyện vọng phải điền theo thứ tự.",
        "S.csv, dòng 3, cột quota: Chỉ tiêu không được âm (-1).",
        "S.csv, dòng 4, cột school_code: Trường A bị lặp: đã có ở dòng 2.",
    ]


def test_headers_encoding_and_options_are_checked(tmp_path: Path) -> None:
    assert refused(tmp_path, "applicant_id,score,pref2,name\n1,2,A,x\n").splitlines()[1:] == [
        "A.csv, dòng 1, cột name: cột không hợp lệ; cần có: applicant_id, score, pref1.",
        "A.csv, dòng 1, cột pref1: thiếu cột này.",
    ]
    latin = write(tmp_path / "L.csv", "applicant_id,score,pref1\nLê Hà,26,A\n", "latin-1")
    assert refused(tmp_path, latin).splitlines()[1:] == [
        "L.csv, dòng 2: tệp không phải văn bản UTF-8; "
        "hãy lưu lại dưới dạng “CSV UTF-8” rồi thử lại."
    ]
    assert refused(tmp_path, "").splitlines()[1:] == [
        "A.csv, dòng 1: tệp trống (không có dòng tiêu đề)."
    ]
    assert refused(tmp_path, APPLICANTS, "school_code,quota\nA,2.5\n").splitlines()[1:] == [
        "S.csv, dòng 2, cột quota: “2.5” không phải là số nguyên."
    ]
    assert refused(tmp_path, APPLICANTS, SCHOOLS, "--penalties", "2,1").splitlines()[1:] == [
        "--penalties, cột penalties: "
        "Mức chênh điểm không được giảm dần theo thứ tự nguyện vọng (NV2 ≤ NV3 …)."
    ]


def test_a_refused_run_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    (tmp_path / "R.csv").write_text("previous\n")
    with pytest.raises(CommandError):
        simulate(tmp_path, "applicant_id,score,pref1\n1,x,A\n")
    assert (tmp_path / "R.csv").read_text() == "previous\n"


def test_flags_and_tie_keys_are_checked(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        "applicant_id,score,pref1,excluded,tie1\n1,26,A,x,8\n2,25,A,1,\n3,,A,0,9;5\n",
    )
    assert message.splitlines()[1:] == [
        "A.csv, dòng 2, cột excluded: ghi 1 (bị loại) hoặc 0 / để trống.",
        "A.csv, dòng 3, cột tie1: “” không phải là số.",
        "A.csv, dòng 4, cột score: “” không phải là số có tối đa hai chữ số thập phân.",
        "A.csv, dòng 4, cột tie1: “9;5” không phải là số.",
    ]


def test_explanations_of_a_lost_tie_an_exclusion_and_an_unknown_id(tmp_path: Path) -> None:
    applicants = "applicant_id,score,pref1,excluded\nHS1,25,A,\nHS2,25,A,\nHS3,29,A,1\n"
    printed = simulate(
        tmp_path, applicants, "school_code,quota\nA,1\n",
        "--tie", "tiebreak", "--explain", "HS2", "--explain", "HS3",
    )  # fmt: skip
    assert printed.splitlines()[-3:] == [
        "HS2: không trúng tuyển: dưới điểm chuẩn ở mọi nguyện vọng.",
        "  NV1 A: điểm 25,00 − 0,00 = 25,00, bằng điểm chuẩn 25,00; "
        "thí sinh cùng điểm khác được ưu tiên theo tiêu chí xét bằng điểm.",
        "HS3: không trúng tuyển: bị loại (ví dụ có bài thi điểm 0).",
    ]
    (tmp_path / "R.csv").unlink()
    with pytest.raises(CommandError, match=r"^--explain: không có thí sinh HS9\.$"):
        simulate(tmp_path, applicants, "school_code,quota\nA,1\n", "--explain", "HS9")
    assert not (tmp_path / "R.csv").exists()
