"""Student pages: list, search, profile, admission, corrections and guardians, per role."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.models import (
    Guardian,
    RegisterEntry,
    Student,
    StudentGuardian,
)
from truongso.registry.services import students as student_services
from truongso.testing.live import client_login

LIST = "/students/"


def detail_url(student: Student) -> str:
    return reverse("registry:student_detail", args=[student.pk])


def names_on(response) -> set[str]:
    """Student names linked from a list page (table rows or parent cards)."""
    html = response.content.decode()
    return set(re.findall(r'href="/students/\d+/"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+?)\s*<', html))


def admit(school_class, name, learner_id="", birth="01/01/2014", gender="F"):
    return student_services.student_admit(
        actor=SYSTEM,
        school_class=school_class,
        admitted_on=school_class.school_year.start_date,
        data={"full_name": name, "birth_date": birth, "gender": gender, "learner_id": learner_id},
    )


def row_counts() -> tuple[int, ...]:
    return (
        Student.objects.count(),
        Guardian.objects.count(),
        StudentGuardian.objects.count(),
        RegisterEntry.objects.count(),
        AuditEntry.objects.count(),
    )


# --- The list -----------------------------------------------------------------------------

LIST_SEES = {
    "principal": {"Nguyễn Văn An", "Đỗ Thị Bình", "Hoàng Thị Chi"},
    "vice": {"Nguyễn Văn An", "Đỗ Thị Bình", "Hoàng Thị Chi"},
    "clerk": {"Nguyễn Văn An", "Đỗ Thị Bình", "Hoàng Thị Chi"},
    "bureau": {"Nguyễn Văn An", "Đỗ Thị Bình", "Hoàng Thị Chi"},
    "teacher": {"Nguyễn Văn An", "Đỗ Thị Bình"},
    "homeroom": {"Hoàng Thị Chi"},
    "parent": {"Nguyễn Văn An"},
    "student": {"Nguyễn Văn An"},
    "principal_c": {"Vũ Tiến Dũng"},
    "other_bureau": {"Vũ Tiến Dũng"},
    "nobody": set(),
}


@pytest.mark.parametrize("role", sorted(LIST_SEES))
def test_list_shows_exactly_the_students_in_scope(client, world, role):
    client_login(client, world.users[role])
    response = client.get(LIST)
    assert response.status_code == 200
    assert names_on(response) == LIST_SEES[role]


def test_list_requires_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_search_without_diacritics_finds_the_student(client, world):
    client_login(client, world.principal)
    response = client.get(LIST, {"q": "nguyen van an"})
    assert names_on(response) == {"Nguyễn Văn An"}
    html = response.content.decode()
    assert "3407000001" in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["3407000001", "12/03/2014", "Nam", "6A1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("3407000002", {"Đỗ Thị Bình"}),
        ("340700000", {"Nguyễn Văn An", "Đỗ Thị Bình", "Hoàng Thị Chi"}),
        ("do thi binh", {"Đỗ Thị Bình"}),
        ("HOANG chi", {"Hoàng Thị Chi"}),
        ("dung", set()),  # Dũng is at school C, outside the principal's scope
        ("zzz", set()),
    ],
)
def test_search_by_name_and_id(client, world, query, expected):
    client_login(client, world.principal)
    assert names_on(client.get(LIST, {"q": query})) == expected


def test_search_by_temporary_code(client, world):
    pupil = admit(world.class_6a1, "Lò Văn Pó")
    assert pupil.temp_code == "TS34070001-00001"
    client_login(client, world.clerk)
    response = client.get(LIST, {"q": "ts34070001-0000"})
    assert names_on(response) == {"Lò Văn Pó"}
    assert "TS34070001-00001" in response.content.decode()


def test_filters_class_grade_and_status(client, world):
    client_login(client, world.principal)
    by_class = client.get(LIST, {"class": world.class_6a2.pk})
    assert names_on(by_class) == {"Hoàng Thị Chi"}
    assert names_on(client.get(LIST, {"grade": 7})) == set()
    assert len(names_on(client.get(LIST, {"grade": 6}))) == 3
    binh = world.students["binh"]
    from truongso.registry.services import enrolment

    enrolment.student_exit(
        actor=SYSTEM, student=binh, kind="left", date=world.year.start_date, reason="Gia đình"
    )
    assert "Đỗ Thị Bình" not in names_on(client.get(LIST))
    assert names_on(client.get(LIST, {"status": "left"})) == {"Đỗ Thị Bình"}
    assert "Đỗ Thị Bình" in names_on(client.get(LIST, {"status": "all"}))


def test_bad_filter_values_never_fail(client, world):
    client_login(client, world.principal)
    for params in (
        {"class": "abc"},
        {"class": world.class_c.pk},  # a class of another school is not a choice
        {"grade": "99"},
        {"status": "<script>"},
        {"school": "NOPE"},
        {"page": "9999"},
        {"q": "x" * 500},
    ):
        response = client.get(LIST, params)
        assert response.status_code == 200, params


def test_school_filter_only_for_several_schools(client, world):
    client_login(client, world.principal)
    assert 'name="school"' not in client.get(LIST).content.decode()
    client_login(client, world.bureau)
    page = client.get(LIST).content.decode()
    assert 'name="school"' in page
    options = set(re.findall(r'<option value="(\d{8})"', page))
    assert options == {"34070001", "34070002"}  # the two schools of Quỳnh Phụ, not Đông Hợp
    assert names_on(client.get(LIST, {"school": "34070002"})) == set()
    assert len(names_on(client.get(LIST, {"school": "34070001"}))) == 3


def test_htmx_request_returns_only_the_results(client, world):
    client_login(client, world.teacher)
    response = client.get(LIST, {"q": "nguyen van an"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="student-results"' not in html  # the inside of the region, swapped in place
    assert html.lstrip().startswith('<div class="card mb-3">')
    assert "<html" not in html and "navbar" not in html and 'name="q"' not in html
    assert names_on(response) == {"Nguyễn Văn An"}
    assert "HX-Request" in response.headers["Vary"]


def test_full_page_has_live_search_and_works_without_js(client, world):
    client_login(client, world.teacher)
    html = client.get(LIST).content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-get="/students/"' in html
    assert '<form method="get" action="/students/"' in html
    assert 'id="student-results"' in html


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client_login(client, world.principal)
    client.get(LIST)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for number in range(22):
        admit(world.class_6a1, f"Phạm Thị Mai {chr(65 + number)}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(names_on(response)) == 25
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        client.get(LIST, {"page": 2})


def test_add_button_only_for_those_who_may_admit(client, world):
    for role, shown in (
        ("clerk", True),
        ("principal", True),
        ("teacher", False),
        ("parent", False),
    ):
        client_login(client, world.users[role])
        assert ("/students/new/" in client.get(LIST).content.decode()) is shown, role


def test_parent_sees_his_children_as_cards_at_several_schools(client, world):
    # The parent's second child studies at school C (another district).
    student_services.guardian_link(
        actor=SYSTEM,
        student=world.students["dung"],
        relation="father",
        data={"full_name": "Nguyễn Văn Cha", "phone": "0912345678"},
    )
    client_login(client, world.parent)
    response = client.get(LIST)
    html = response.content.decode()
    assert names_on(response) == {"Nguyễn Văn An", "Vũ Tiến Dũng"}
    assert "Con của tôi" in html
    assert html.count('class="card h-100') == 2
    assert "Trường THCS An Bài" in html and "Trường THCS Đông Hợp" in html
    assert ">6A1</dd>" in html and ">6C</dd>" in html
    assert 'name="q"' not in html  # no staff search form for a parent


def test_secondary_columns_hidden_on_small_screens(client, world):
    client_login(client, world.principal)
    html = client.get(LIST).content.decode()
    assert 'class="d-none d-sm-table-cell"' in html
    assert 'class="d-none d-md-table-cell"' in html
    assert "table-responsive" in html


# --- The profile --------------------------------------------------------------------------

DETAIL_ALLOWED = [
    ("principal", "an"),
    ("vice", "an"),
    ("clerk", "chi"),
    ("bureau", "binh"),
    ("teacher", "an"),
    ("homeroom", "chi"),
    ("parent", "an"),
    ("student", "an"),
    ("principal_c", "dung"),
]
DETAIL_DENIED = [
    ("principal_c", "an"),
    ("other_bureau", "an"),
    ("nobody", "an"),
    ("teacher", "chi"),
    ("homeroom", "an"),
    ("parent", "binh"),
    ("student", "binh"),
    ("principal", "dung"),
]


@pytest.mark.parametrize(("role", "key"), DETAIL_ALLOWED)
def test_profile_for_allowed_roles(client, world, role, key):
    student = world.students[key]
    client_login(client, world.users[role])
    response = client.get(detail_url(student))
    assert response.status_code == 200
    html = response.content.decode()
    assert student.full_name in html and student.learner_id in html
    assert "Quá trình học tập" in html


@pytest.mark.parametrize(("role", "key"), DETAIL_DENIED)
def test_profile_out_of_scope_is_404(client, world, role, key):
    client_login(client, world.users[role])
    response = client.get(detail_url(world.students[key]))
    assert response.status_code == 404
    assert world.students[key].full_name not in response.content.decode()


def test_profile_shows_identity_guardians_history_and_register(client, world):
    client_login(client, world.clerk)
    html = client.get(detail_url(world.students["an"])).content.decode()
    for text in (
        "3407000001",
        "12/03/2014",
        "Nam",
        "Kinh",
        "Thái Bình",
        "6A1",
        "Trường THCS An Bài",
        "Nguyễn Văn Cha",
        'href="tel:0912345678"',
        "Nhập học",
        "05/09/2025",
    ):
        assert text in html, text
    assert f"/students/{world.students['an'].pk}/edit/" in html
    assert f"/students/{world.students['an'].pk}/transfer/" in html


def test_profile_links_the_register_for_those_who_may_read_it(client, world):
    an = world.students["an"]
    register = f'href="/schools/{world.school_a.pk}/register/?q=1"'
    client_login(client, world.clerk)
    assert register in client.get(detail_url(an)).content.decode()
    client_login(client, world.teacher)
    page = client.get(detail_url(an)).content.decode()
    assert register not in page and "Trường THCS An Bài" in page


def test_parent_profile_is_read_only(client, world):
    client_login(client, world.parent)
    html = client.get(detail_url(world.students["an"])).content.decode()
    assert "Nguyễn Văn Cha" in html and "3407000001" in html
    for action in ("edit/", "guardians/new/", "transfer/", "exit/", "class/", "learner-id/"):
        assert f"/students/{world.students['an'].pk}/{action}" not in html, action


def test_teacher_profile_has_no_actions(client, world):
    client_login(client, world.teacher)
    html = client.get(detail_url(world.students["an"])).content.decode()
    assert "/edit/" not in html and "/transfer/" not in html


def test_homeroom_teacher_may_correct_but_not_move(client, world):
    client_login(client, world.homeroom)
    html = client.get(detail_url(world.students["chi"])).content.decode()
    pk = world.students["chi"].pk
    assert f"/students/{pk}/edit/" in html
    assert f"/students/{pk}/transfer/" not in html


# --- Admission ----------------------------------------------------------------------------

NEW = "/students/new/"


def admit_form(world, **overrides):
    data = {
        "class": world.class_6a2.pk,
        "admitted_on": "2025-09-10",
        "learner_id": "",
        "full_name": "H'Hen Niê",
        "birth_date": "15/08/2014",
        "gender": "F",
        "ethnicity": "12",
        "citizen_id": "",
        "nationality": "Việt Nam",
        "birthplace": "Đắk Lắk",
        "hometown": "",
        "permanent_address": "Buôn Ma Thuột",
        "current_address": "",
        "from_school_name": "",
        "decision_no": "",
    }
    data.update(overrides)
    return data


def test_admit_form_offers_only_classes_the_user_manages(client, world):
    client_login(client, world.clerk)
    html = client.get(NEW, {"class": world.class_6a1.pk}).content.decode()
    assert "6A1" in html and "6A2" in html and "6C" not in html
    assert f'<option value="{world.class_6a1.pk}" selected>' in html


def test_admit_creates_student_with_temporary_code_and_register_line(client, world):
    client_login(client, world.clerk)
    response = client.post(NEW, admit_form(world))
    student = Student.objects.get(full_name="H'Hen Niê")
    assert response.status_code == 302 and response.url == detail_url(student)
    assert student.temp_code == "TS34070001-00001" and student.learner_id is None
    assert student.ethnicity == "12" and student.school == world.school_a
    line = RegisterEntry.objects.get(student=student)
    assert (line.number, line.admitted_class_name) == (4, "6A2")
    page = client.get(response.url).content.decode()
    assert "đã được tiếp nhận" in page
    assert "TS34070001-00001" in page


def test_admit_from_a_school_outside_records_a_transfer_in(client, world):
    client_login(client, world.clerk)
    client.post(
        NEW,
        admit_form(world, learner_id="3407000099", from_school_name="Trường THCS Lê Lợi, Hà Nội"),
    )
    line = RegisterEntry.objects.get(student__learner_id="3407000099")
    assert line.admission_kind == "transfer_in"
    assert line.from_school_name == "Trường THCS Lê Lợi, Hà Nội"


def test_admit_bad_input_shows_vietnamese_errors_at_the_fields(client, world):
    client_login(client, world.clerk)
    before = row_counts()
    response = client.post(
        NEW,
        admit_form(
            world,
            full_name="<script>alert(1)</script>",
            birth_date="31/02/2015",
            learner_id="12345",
            citizen_id="999123456789",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.findall(r'invalid-feedback d-block">([^<]*)<', html)
    assert errors == [
        "Mã định danh học sinh phải gồm đúng 10 chữ số (nhận được 12345).",
        "Họ tên chỉ được chứa chữ cái, dấu cách, dấu nháy đơn và dấu gạch nối "
        "(nhận được “&lt;script&gt;alert(1)&lt;/script&gt;”).",
        "“31/02/2015” không phải là ngày hợp lệ (ghi theo dạng dd/mm/yyyy, ví dụ 05/09/2015).",
        "Số định danh 999123456789 bắt đầu bằng 999, không phải mã tỉnh/thành phố.",
    ]
    assert "<script>alert" not in html
    assert row_counts() == before


def test_admit_duplicate_learner_id_is_refused_at_the_field(client, world):
    client_login(client, world.clerk)
    before = row_counts()
    response = client.post(NEW, admit_form(world, learner_id="3407000001"))
    assert response.status_code == 200
    assert "3407000001" in response.content.decode()
    assert "Đã có học sinh khác" in response.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize("role", ["teacher", "homeroom", "parent", "student", "nobody"])
def test_admit_denied_roles_get_403(client, world, role):
    client_login(client, world.users[role])
    before = row_counts()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, admit_form(world)).status_code == 403
    assert row_counts() == before


def test_admit_into_another_schools_class_is_refused(client, world):
    client_login(client, world.principal_c)
    before = row_counts()
    response = client.post(NEW, admit_form(world, **{"class": world.class_6a1.pk}))
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert row_counts() == before


# --- Corrections --------------------------------------------------------------------------


def test_clerk_corrects_the_record_and_the_learner_id_stays(client, world):
    an = world.students["an"]
    client_login(client, world.clerk)
    url = reverse("registry:student_edit", args=[an.pk])
    form = client.get(url).content.decode()
    assert 'value="12/03/2014"' in form and 'value="Nguyễn Văn An"' in form
    data = admit_form(world, full_name="Nguyễn Văn An", birth_date="12/03/2014", gender="M")
    data.update(ethnicity="01", birthplace="Thái Bình", permanent_address="Xã An Bài, Thái Bình")
    response = client.post(url, data)
    assert response.status_code == 302
    an.refresh_from_db()
    assert an.permanent_address == "Xã An Bài, Thái Bình"
    assert an.learner_id == "3407000001"
    entry = AuditEntry.objects.filter(action="student.update", object_id=str(an.pk)).get()
    assert entry.after == {"permanent_address": "Xã An Bài, Thái Bình"}
    assert entry.actor == world.clerk


def test_edit_bad_date_shows_error_and_changes_nothing(client, world):
    an = world.students["an"]
    client_login(client, world.clerk)
    url = reverse("registry:student_edit", args=[an.pk])
    data = admit_form(world, full_name="Nguyễn Văn An 2", birth_date="32/13/2014", gender="M")
    response = client.post(url, data)
    assert response.status_code == 200
    an.refresh_from_db()
    assert an.full_name == "Nguyễn Văn An"
    assert not AuditEntry.objects.filter(action="student.update").exists()


@pytest.mark.parametrize(
    ("role", "key", "status"),
    [
        ("teacher", "an", 403),
        ("parent", "an", 403),
        ("student", "an", 403),
        ("accountant", "an", 403),
        ("bureau", "an", 403),
        ("homeroom", "an", 404),
        ("principal_c", "an", 404),
        ("other_bureau", "an", 404),
        ("nobody", "an", 404),
    ],
)
def test_edit_denied(client, world, role, key, status):
    student = world.students[key]
    client_login(client, world.users[role])
    url = reverse("registry:student_edit", args=[student.pk])
    assert client.get(url).status_code == status
    data = admit_form(world, full_name="Tên Bị Sửa", birth_date="12/03/2014", gender="M")
    assert client.post(url, data).status_code == status
    student.refresh_from_db()
    assert student.full_name == world.students[key].full_name
    assert not AuditEntry.objects.filter(action="student.update").exists()


def test_homeroom_teacher_corrects_her_pupil(client, world):
    chi = world.students["chi"]
    client_login(client, world.homeroom)
    url = reverse("registry:student_edit", args=[chi.pk])
    data = admit_form(world, full_name="Hoàng Thị Chi", birth_date="12/03/2014", gender="F")
    data.update(ethnicity="01", birthplace="Thái Bình", current_address="Thôn Đông")
    assert client.post(url, data).status_code == 302
    chi.refresh_from_db()
    assert chi.current_address == "Thôn Đông"


def test_learner_id_is_recorded_once(client, world):
    pupil = admit(world.class_6a1, "Lò Thị Xuân")
    client_login(client, world.clerk)
    url = reverse("registry:student_learner_id", args=[pupil.pk])
    bad = client.post(url, {"learner_id": "12AB"})
    assert bad.status_code == 200 and "10 chữ số" in bad.content.decode()
    taken = client.post(url, {"learner_id": "3407000001"})
    assert taken.status_code == 200 and "Đã có học sinh khác" in taken.content.decode()
    assert client.post(url, {"learner_id": "3407 000 777"}).status_code == 302
    pupil.refresh_from_db()
    assert pupil.learner_id == "3407000777" and pupil.temp_code == "TS34070001-00001"
    again = client.get(url)
    assert again.status_code == 302  # already has one: back to the profile


def test_teacher_cannot_record_a_learner_id(client, world):
    pupil = admit(world.class_6a1, "Lò Thị Xuân")
    client_login(client, world.teacher)
    url = reverse("registry:student_learner_id", args=[pupil.pk])
    assert client.post(url, {"learner_id": "3407000777"}).status_code == 403
    pupil.refresh_from_db()
    assert pupil.learner_id is None


# --- Guardians ----------------------------------------------------------------------------


def guardian_form(**overrides):
    data = {
        "full_name": "Trần Thị Mẹ",
        "relation": "mother",
        "phone": "+84 98 765 4321",
        "email": "",
        "citizen_id": "",
        "occupation": "Nông dân",
    }
    data.update(overrides)
    return data


def test_add_guardian_and_sibling_shares_it(client, world):
    an, binh = world.students["an"], world.students["binh"]
    client_login(client, world.clerk)
    response = client.post(reverse("registry:guardian_add", args=[an.pk]), guardian_form())
    assert response.status_code == 302
    mother = Guardian.objects.get(full_name="Trần Thị Mẹ")
    assert mother.phone == "0987654321"
    client.post(reverse("registry:guardian_add", args=[binh.pk]), guardian_form())
    assert Guardian.objects.filter(full_name="Trần Thị Mẹ").count() == 1
    assert set(mother.students.all()) == {an, binh}
    html = client.get(detail_url(binh)).content.decode()
    assert 'href="tel:0987654321"' in html and "Mẹ" in html


def test_add_guardian_bad_input(client, world):
    an = world.students["an"]
    client_login(client, world.clerk)
    before = row_counts()
    response = client.post(
        reverse("registry:guardian_add", args=[an.pk]),
        guardian_form(full_name="Robert'); DROP TABLE students;--", phone="12345"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Số điện thoại" in html and "10 chữ số" in html
    assert row_counts() == before


def test_edit_and_remove_guardian(client, world):
    an = world.students["an"]
    link = StudentGuardian.objects.get(student=an)
    client_login(client, world.clerk)
    edit = reverse("registry:guardian_edit", args=[an.pk, link.pk])
    assert 'value="Nguyễn Văn Cha"' in client.get(edit).content.decode()
    response = client.post(edit, guardian_form(full_name="Nguyễn Văn Cha", relation="guardian"))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.relation == "guardian" and link.guardian.phone == "0987654321"
    remove = reverse("registry:guardian_remove", args=[an.pk, link.pk])
    confirm = client.get(remove)
    assert confirm.status_code == 200 and "Nguyễn Văn Cha" in confirm.content.decode()
    assert StudentGuardian.objects.filter(pk=link.pk).exists()  # GET changes nothing
    assert client.post(remove).status_code == 302
    assert not StudentGuardian.objects.filter(pk=link.pk).exists()
    assert Guardian.objects.filter(pk=link.guardian_id).exists()
    assert AuditEntry.objects.filter(action="guardian.unlink", actor=world.clerk).count() == 1


def test_guardian_of_another_student_is_404(client, world):
    an, binh = world.students["an"], world.students["binh"]
    link = StudentGuardian.objects.get(student=an)
    client_login(client, world.clerk)
    url = reverse("registry:guardian_remove", args=[binh.pk, link.pk])
    assert client.post(url).status_code == 404
    assert StudentGuardian.objects.filter(pk=link.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 403), ("parent", 403), ("student", 403), ("principal_c", 404), ("nobody", 404)],
)
def test_guardian_writes_denied(client, world, role, status):
    an = world.students["an"]
    link = StudentGuardian.objects.get(student=an)
    client_login(client, world.users[role])
    before = row_counts()
    assert (
        client.post(reverse("registry:guardian_add", args=[an.pk]), guardian_form()).status_code
        == status
    )
    edit = reverse("registry:guardian_edit", args=[an.pk, link.pk])
    assert client.post(edit, guardian_form(full_name="Kẻ Gian")).status_code == status
    remove = reverse("registry:guardian_remove", args=[an.pk, link.pk])
    assert client.post(remove).status_code == status
    assert row_counts() == before
    assert Guardian.objects.get(pk=link.guardian_id).full_name == "Nguyễn Văn Cha"


def test_guardian_remove_is_post_only_with_csrf(world):
    from django.test import Client

    an = world.students["an"]
    link = StudentGuardian.objects.get(student=an)
    strict = Client(enforce_csrf_checks=True)
    client_login(strict, world.clerk)
    response = strict.post(reverse("registry:guardian_remove", args=[an.pk, link.pk]))
    assert response.status_code == 403
    assert StudentGuardian.objects.filter(pk=link.pk).exists()
