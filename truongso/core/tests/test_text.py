from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from truongso.core.text import fold, normalize_name

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)


def test_fold_vietnamese():
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("ĐẶNG  Thị   Ánh") == "dang thi anh"
    assert fold("Trường THCS Quỳnh Hải") == "truong thcs quynh hai"


def test_normalize_name_composes_and_trims():
    decomposed = "Nguye\u0302\u0303n"  # NFD "Nguyễn"
    assert normalize_name(f"  {decomposed}   Văn ") == "Nguyễn Văn"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet=VIETNAMESE_LETTERS))
def test_fold_of_vietnamese_is_ascii(text):
    assert fold(text).isascii()
