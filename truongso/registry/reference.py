"""Reference lists of the education database: levels, grades, ethnic groups, positions.

Ethnic-group codes follow the General Statistics Office list (Quyết định 121-TCTK/PPCĐ,
02/03/1979), which the Ministry's learner templates use. Citizen-ID province codes follow
Thông tư 07/2016/TT-BCA, Art. 7 (unchanged for IDs already issued after the 2025 merger of
provinces).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department of Education (Sở)")
    BUREAU = "bureau", _("Education bureau (Phòng)")
    SCHOOL = "school", _("School")


# Which kinds may sit directly under which. Since 1 July 2025 districts are abolished and
# many provinces attach schools directly to the Sở, so a school may hang under a Sở too.
ALLOWED_PARENT_KINDS: dict[str, set[str]] = {
    OrgKind.MINISTRY: set(),
    OrgKind.DEPARTMENT: {OrgKind.MINISTRY},
    OrgKind.BUREAU: {OrgKind.DEPARTMENT},
    OrgKind.SCHOOL: {OrgKind.DEPARTMENT, OrgKind.BUREAU},
}


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "mam_non", _("Preschool (mầm non)")
    PRIMARY = "tieu_hoc", _("Primary (tiểu học)")
    LOWER_SECONDARY = "thcs", _("Lower secondary (THCS)")
    UPPER_SECONDARY = "thpt", _("Upper secondary (THPT)")
    MULTI_LEVEL = "lien_cap", _("Multi-level (liên cấp)")
    CONTINUING = "gdtx", _("Continuing education (GDTX)")


# Default grade span of each level; a multi-level school states its own span.
LEVEL_GRADES: dict[str, tuple[int, int]] = {
    SchoolLevel.PRESCHOOL: (0, 0),
    SchoolLevel.PRIMARY: (1, 5),
    SchoolLevel.LOWER_SECONDARY: (6, 9),
    SchoolLevel.UPPER_SECONDARY: (10, 12),
    SchoolLevel.MULTI_LEVEL: (1, 12),
    SchoolLevel.CONTINUING: (6, 12),
}

GRADES = list(range(1, 13))
# Plain numbers: labels are language-independent, so migrations do not depend on the locale.
GRADE_CHOICES = [(g, str(g)) for g in GRADES]


def level_of_grade(grade: int) -> str:
    """Level whose assessment rules apply to a grade (TT27 for 1–5, TT22 for 6–12)."""
    if grade <= 5:
        return SchoolLevel.PRIMARY
    if grade <= 9:
        return SchoolLevel.LOWER_SECONDARY
    return SchoolLevel.UPPER_SECONDARY


class Ownership(models.TextChoices):
    PUBLIC = "cong_lap", _("Public (công lập)")
    PRIVATE = "tu_thuc", _("Private (tư thục)")
    PEOPLE_FOUNDED = "dan_lap", _("People-founded (dân lập)")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class AssessmentType(models.TextChoices):
    """How a subject is assessed (Thông tư 22/2021, Art. 5; Thông tư 27/2020, Art. 6–7)."""

    COMMENT = "comment", _("Comment only (Đạt / Chưa đạt)")
    SCORED = "scored", _("Comment and score")
    PRIMARY_COMMENT = "primary_comment", _("Primary: levels only")
    PRIMARY_TESTED = "primary_tested", _("Primary: levels and periodic tests")


class Position(models.TextChoices):
    PRINCIPAL = "hieu_truong", _("Principal")
    VICE_PRINCIPAL = "pho_hieu_truong", _("Vice-principal")
    TEAM_LEADER = "to_truong", _("Subject team leader")
    TEACHER = "giao_vien", _("Teacher")
    ACCOUNTANT = "ke_toan", _("Accountant")
    CLERK = "van_thu", _("Clerk")
    LIBRARIAN = "thu_vien", _("Librarian")
    EQUIPMENT = "thiet_bi", _("Equipment officer")
    MEDICAL = "y_te", _("School nurse")
    OFFICER = "chuyen_vien", _("Education officer")
    OTHER = "khac", _("Other staff")


class Employment(models.TextChoices):
    PERMANENT = "bien_che", _("Civil servant (biên chế)")
    CONTRACT = "hop_dong", _("Contract (hợp đồng)")


class Relation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    GUARDIAN = "guardian", _("Legal guardian")


ETHNIC_GROUPS: list[tuple[str, str]] = [
    ("01", "Kinh"),
    ("02", "Tày"),
    ("03", "Thái"),
    ("04", "Hoa"),
    ("05", "Khơ-me"),
    ("06", "Mường"),
    ("07", "Nùng"),
    ("08", "HMông"),
    ("09", "Dao"),
    ("10", "Gia-rai"),
    ("11", "Ngái"),
    ("12", "Ê-đê"),
    ("13", "Ba-na"),
    ("14", "Xơ-đăng"),
    ("15", "Sán Chay"),
    ("16", "Cơ-ho"),
    ("17", "Chăm"),
    ("18", "Sán Dìu"),
    ("19", "Hrê"),
    ("20", "Mnông"),
    ("21", "Ra-glai"),
    ("22", "Xtiêng"),
    ("23", "Bru-Vân Kiều"),
    ("24", "Thổ"),
    ("25", "Giáy"),
    ("26", "Cơ-tu"),
    ("27", "Gié-Triêng"),
    ("28", "Mạ"),
    ("29", "Khơ-mú"),
    ("30", "Co"),
    ("31", "Tà-ôi"),
    ("32", "Chơ-ro"),
    ("33", "Kháng"),
    ("34", "Xinh-mun"),
    ("35", "Hà Nhì"),
    ("36", "Chu-ru"),
    ("37", "Lào"),
    ("38", "La Chí"),
    ("39", "La Ha"),
    ("40", "Phù Lá"),
    ("41", "La Hủ"),
    ("42", "Lự"),
    ("43", "Lô Lô"),
    ("44", "Chứt"),
    ("45", "Mảng"),
    ("46", "Pà Thẻn"),
    ("47", "Cờ Lao"),
    ("48", "Cống"),
    ("49", "Bố Y"),
    ("50", "Si La"),
    ("51", "Pu Péo"),
    ("52", "Brâu"),
    ("53", "Ơ-đu"),
    ("54", "Rơ-măm"),
    ("55", "Người nước ngoài"),
]
ETHNICITY_NAMES = dict(ETHNIC_GROUPS)

# Thông tư 07/2016/TT-BCA, Art. 7: first three digits of the 12-digit personal ID number.
CITIZEN_ID_PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}
