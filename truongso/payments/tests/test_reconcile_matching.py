"""Reading codes in memos, as a property: however a code is mangled, the scan finds it or
(truncated onto another invoice's prefix) calls it ambiguous; it never names another one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from truongso.payments.codes import ALPHABET, check_char
from truongso.payments.matching import MemoryCodeIndex, candidates, scan_memo

BODY = st.text(alphabet=ALPHABET, min_size=7, max_size=7)
WORDS = st.lists(
    st.sampled_from(["nop", "hoc phi", "chau", "An", "lop 6A1", "CT tu", "MBVCB.3278907", "THPT"]),
    max_size=3,
)
SEPARATORS = st.sampled_from(["", " ", ".", "-", "  "])
LOOKALIKES = {"0": "O", "1": "I"}


def code_of(body: str) -> str:
    return "HP" + body + check_char(body)


@st.composite
def mangled(draw: st.DrawFn, code: str) -> str:
    text = code
    if draw(st.booleans()):
        text = "".join(LOOKALIKES.get(ch, ch) if draw(st.booleans()) else ch for ch in text)
    if draw(st.booleans()):
        text = text.lower()
    cut = draw(st.integers(min_value=8, max_value=10))
    text = text[:cut]
    pieces = [text[:2], text[2:6], text[6:]]
    joined = draw(SEPARATORS).join(pieces)
    before, after = draw(WORDS), draw(WORDS)
    return " ".join([*before, joined, *after])


@settings(max_examples=300, derandomize=True)
@given(st.data(), BODY, st.lists(BODY, max_size=40))
def test_a_mangled_code_is_found_or_ambiguous_never_wrong(
    data: st.DataObject, body: str, others: list[str]
) -> None:
    code = code_of(body)
    codes = {code, *(code_of(b) for b in others)}
    index = MemoryCodeIndex(codes, codes)
    memo = data.draw(mangled(code))
    scan = scan_memo(memo, index)
    found = [hit for hit, _how in scan.found]
    assert found in ([code], []), (memo, found)
    if not found:
        assert scan.ambiguous, memo


@settings(max_examples=200, derandomize=True)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ĐđăâêôơưÁÀẢÃẠ0123456789.,-", max_size=80))
def test_memos_without_hp_name_nothing(memo: str) -> None:
    index = MemoryCodeIndex([code_of("3K0QX1M")], [code_of("3K0QX1M")])
    if "hp" not in memo.lower():
        assert scan_memo(memo, index).found == []


def test_candidates_follow_every_hp() -> None:
    # "THPT hp" squashes to "THPTHP…": a noise candidate the index then ignores.
    code = code_of("3K0QX1M")
    memo = f"THPT hp 3k0q-x1m{code[-1].lower()} va HP7YT2W9P"
    assert candidates(memo) == ["THP3K0QX", code[2:], "7YT2W9P"]
    scan = scan_memo(memo, MemoryCodeIndex([code], [code]))
    assert ([hit for hit, _how in scan.found], scan.unknown) == ([code], [])
