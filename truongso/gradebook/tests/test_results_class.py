"""A class's results page and its export: live while open, official once closed; who may
see it; sorting; the .xlsx read back; query counts constant in the number of students."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from truongso.core.models import AuditEntry
from truongso.gradebook.tests.yearbook import Pupil, admit, enter_semester, fill_year
from truongso.testing.live import client_login

pytestmark = pytest.mark.usefixtures("registry_consistent")


def url(world, suffix=""):
    return f"/gradebook/classes/{world.class_6a1.pk}/results/{suffix}"


def get(client, user, path):
    client_login(client, user)
    return client.get(path)


@pytest.fixture
def closed_year(world):
    pupils = {
        world.students["an"]: Pupil(),
        world.students["binh"]: Pupil(scores={"TOAN": "3", "NV": "4"}),
    }
    fill_year(world.class_6a1, pupils, world.principal)


def test_open_semester_is_computed_live_and_says_so(client, world):
    an = world.students["an"]
    enter_semester(world.class_6a1, 1, {an: Pupil(scores={"TOAN": "7.5"})})
    response = get(client, world.principal, url(world, "?period=1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kết quả tạm tính" in page
    results = response.context["results"]
    assert not results.official
    row_binh, row_an = results.rows  # name order without diacritics: Đỗ before Nguyễn
    assert row_an.student == an and row_an.learning == "tot"
    codes = [s.code for s in results.subjects]
    assert row_an.subjects[codes.index("TOAN")].text == "7,5"
    assert row_binh.learning == "" and not any(c.complete for c in row_binh.subjects)
    assert "chưa đủ điểm" in page


def test_closed_year_reads_the_stored_results(client, world, closed_year):
    response = get(client, world.vice, url(world, "?period=0&sort=result"))
    results = response.context["results"]
    assert results.official and results.period == 0
    assert [(r.student.full_name, r.learning, r.award, r.decision) for r in results.rows] == [
        ("Nguyễn Văn An", "tot", "gioi", "promoted"),
        ("Đỗ Thị Bình", "chua_dat", "", "retest"),
    ]
    page = response.content.decode()
    assert "Kết quả chính thức" in page and "Học sinh Giỏi" in page and "Kiểm tra lại" in page


def test_sorting_by_result_puts_the_best_first(client, world, closed_year):
    by_name = get(client, world.principal, url(world, "?period=0")).context["results"]
    names = [r.student.full_name for r in by_name.rows]
    assert names == ["Đỗ Thị Bình", "Nguyễn Văn An"]
    by_result = get(client, world.principal, url(world, "?period=0&sort=result"))
    assert [r.student.full_name for r in by_result.context["results"].rows] == [
        "Nguyễn Văn An",
        "Đỗ Thị Bình",
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("principal", 200),
        ("vice", 200),
        ("teacher", 404),  # a subject teacher sees her subject's grid, not the class's results
        ("homeroom", 404),  # leads 6A2, not 6A1
        ("parent", 404),
        ("student", 404),
        ("bureau", 404),  # officers: aggregates only
        ("principal_c", 404),
        ("nobody", 404),
    ],
)
def test_who_sees_a_class_results(client, world, who, status):
    assert get(client, world.users[who], url(world)).status_code == status
    assert get(client, world.users[who], url(world, "export/")).status_code == status


def test_homeroom_teacher_sees_her_class(client, world):
    path = f"/gradebook/classes/{world.class_6a2.pk}/results/"
    assert get(client, world.homeroom, path).status_code == 200


def test_inspector_sees_individual_results(client, world):
    from truongso.accounts.services import role_grant
    from truongso.core.authz import SYSTEM, Role

    role_grant(
        actor=SYSTEM,
        user=world.bureau,
        role=Role.GRADE_INSPECTOR,
        org_unit=world.bureau_unit,
        check=False,
    )
    assert get(client, world.bureau, url(world)).status_code == 200


def test_export_reads_back_and_is_audited(client, world, closed_year):
    response = get(client, world.principal, url(world, "export/?period=0"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-6a1-0.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("Trường THCS An Bài – Lớp 6A1")
    header = rows[3]
    assert header[:3] == ["STT", "Mã định danh", "Họ và tên"]
    assert header[-5:] == [
        "Kết quả học tập",
        "Rèn luyện",
        "Số buổi nghỉ",
        "Khen thưởng",
        "Xét cuối năm",
    ]
    toan = header.index("Toán")
    binh, an = rows[4], rows[5]
    assert (binh[2], binh[toan], binh[-5], binh[-1]) == (
        "Đỗ Thị Bình",
        3,
        "Chưa đạt",
        "Kiểm tra lại",
    )
    assert (an[1], an[toan], an[-2], an[-1]) == ("3407000001", 8, "Học sinh Giỏi", "Lên lớp")
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == world.principal and entry.object_type == "gradebook.class_results"
    assert entry.after == {"rows": 2, "class": world.class_6a1.pk, "period": 0}


NAMES = ["Lê Thị Hằng", "Phan Văn Khôi", "Vũ Thu Lan", "Đinh Văn Minh", "Hồ Thị Nga", "Tạ Văn Phú"]


def test_query_count_does_not_grow_with_the_class_live(
    client, world, django_assert_max_num_queries
):
    enter_semester(world.class_6a1, 1, {world.students["an"]: Pupil()})
    client_login(client, world.principal)
    with django_assert_max_num_queries(40) as small:
        client.get(url(world, "?period=1"))
    for name in NAMES:
        admit(world.class_6a1, name)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(world, "?period=1"))
    assert len(response.context["results"].rows) == 8


def test_query_count_does_not_grow_with_the_class_official(
    client, world, django_assert_max_num_queries
):
    big = [world.students["chi"], *(admit(world.class_6a2, name) for name in NAMES)]
    enter_semester(world.class_6a2, 1, {s: Pupil() for s in big})
    enter_semester(world.class_6a2, 2, {s: Pupil() for s in big})
    fill_year(world.class_6a1, {world.students["an"]: Pupil()}, world.principal)
    client_login(client, world.principal)
    with django_assert_max_num_queries(40) as small:
        client.get(url(world, "?period=0"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"/gradebook/classes/{world.class_6a2.pk}/results/?period=0")
    assert response.context["results"].official
    assert len(response.context["results"].rows) == 7
