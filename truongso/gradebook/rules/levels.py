"""Codes of the levels used in results, with their Vietnamese names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Learning result and conduct (Thông tư 22/2021, Art. 8–9), lowest first.
CHUA_DAT, DAT, KHA, TOT = "chua_dat", "dat", "kha", "tot"
RANKED = (CHUA_DAT, DAT, KHA, TOT)
LEVEL_NAMES = {TOT: _("Good"), KHA: _("Fair"), DAT: _("Pass"), CHUA_DAT: _("Not yet passed")}

# Comment-only subjects (Đạt / Chưa đạt).
PASS_MARK, FAIL_MARK = "Đ", "CĐ"

# Thông tư 27/2020: subject levels, and the year-end result.
HTT, HT, CHT = "HTT", "HT", "CHT"
HTXS_RESULT, HTT_RESULT, HT_RESULT, CHT_RESULT = "htxs", "htt", "ht", "cht"
PRIMARY_RESULTS = (CHT_RESULT, HT_RESULT, HTT_RESULT, HTXS_RESULT)
PRIMARY_NAMES = {
    HTXS_RESULT: _("Completed with excellence"),
    HTT_RESULT: _("Completed well"),
    HT_RESULT: _("Completed"),
    CHT_RESULT: _("Not yet completed"),
}
# Qualities and competences (Thông tư 27/2020): Tốt / Đạt / Cần cố gắng.
Q_GOOD, Q_PASS, Q_EFFORT = "T", "Đ", "C"

# Awards (Thông tư 22/2021, Art. 15).
EXCELLENT, GOOD_STUDENT = "xuat_sac", "gioi"
AWARD_NAMES = {EXCELLENT: _("Excellent student"), GOOD_STUDENT: _("Good student")}

# Year-end decisions.
PROMOTED, RETEST, SUMMER, REPEAT = "promoted", "retest", "summer", "repeat"
DECISION_NAMES = {
    PROMOTED: _("Promoted"),
    RETEST: _("Re-test"),
    SUMMER: _("Summer training"),
    REPEAT: _("Repeats the grade"),
}


def rank(level: str) -> int:
    return RANKED.index(level)
