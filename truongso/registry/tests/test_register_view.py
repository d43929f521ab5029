"""The enrolment register page (sổ đăng bộ) of one school."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.services import enrolment, students
from truongso.registry.services.calendar import school_year_create
from truongso.testing.live import client_login


def register_url(school) -> str:
    return f"/schools/{school.pk}/register/"


def rows(response) -> list[tuple[str, str]]:
    """(register number, name) of each line shown."""
    html = response.content.decode()
    return re.findall(
        r'<td class="font-mono text-end">(\d+)</td>\s*<td><a href="/students/\d+/">([^<]+)</a>',
        html,
    )


@pytest.mark.parametrize("role", ["principal", "vice", "clerk", "bureau", "department"])
def test_register_for_allowed_roles(client, world, role):
    client_login(client, world.users[role])
    response = client.get(register_url(world.school_a))
    assert response.status_code == 200
    assert rows(response) == [
        ("1", "Nguyễn Văn An"),
        ("2", "Đỗ Thị Bình"),
        ("3", "Hoàng Thị Chi"),
    ]


@pytest.mark.parametrize(
    "role",
    [
        "teacher",
        "homeroom",
        "accountant",
        "parent",
        "student",
        "principal_c",
        "other_bureau",
        "nobody",
    ],
)
def test_register_denied_is_404_and_leaks_nothing(client, world, role):
    client_login(client, world.users[role])
    response = client.get(register_url(world.school_a))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Đỗ Thị Bình" not in html and "Trường THCS An Bài" not in html


def test_register_of_a_non_school_unit_is_404(client, world):
    client_login(client, world.bureau)
    assert client.get(register_url(world.bureau_unit)).status_code == 404
    assert client.get("/schools/999999/register/").status_code == 404


def test_register_columns_as_on_paper(client, world):
    client_login(client, world.principal)
    html = client.get(register_url(world.school_a)).content.decode()
    for header in (
        "Số đăng bộ",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Nơi sinh",
        "Họ tên cha, mẹ hoặc người giám hộ",
        "Địa chỉ thường trú",
        "Ngày vào trường",
        "Lớp khi vào trường",
        "Chuyển đến từ",
        "Ngày rời trường",
        "Lý do",
    ):
        assert f">{header}</th>" in html, header
    assert "Nguyễn Văn Cha (cha)" in html
    assert "05/09/2025" in html and "12/03/2014" in html and "Kinh" in html
    assert "@media print" in html and "nav.navbar" in html


def test_leaving_and_transfer_in_are_shown(client, world):
    binh = world.students["binh"]
    enrolment.student_exit(
        actor=SYSTEM, student=binh, kind="left", date=dt.date(2025, 12, 1), reason="Ốm dài ngày"
    )
    students.student_admit(
        actor=SYSTEM,
        school_class=world.class_6a1,
        admitted_on=dt.date(2025, 10, 1),
        from_school_name="Trường THCS Lê Lợi",
        kind="transfer_in",
        data={"full_name": "Mai Văn Tư", "birth_date": "02/02/2014", "gender": "M"},
    )
    client_login(client, world.clerk)
    html = client.get(register_url(world.school_a)).content.decode()
    assert "01/12/2025" in html and "Thôi học: Ốm dài ngày" in html
    assert "Trường THCS Lê Lợi" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "hoang chi"}, [("3", "Hoàng Thị Chi")]),
        ({"q": "2"}, [("2", "Đỗ Thị Bình")]),
        ({"q": "3407000001"}, [("1", "Nguyễn Văn An")]),
        (
            {"year": "2025-2026"},
            [("1", "Nguyễn Văn An"), ("2", "Đỗ Thị Bình"), ("3", "Hoàng Thị Chi")],
        ),
        ({"year": "2024-2025"}, []),
        ({"year": "nonsense", "q": "nguyen"}, [("1", "Nguyễn Văn An")]),
    ],
)
def test_register_search_and_year_filter(client, world, params, expected):
    school_year_create(
        actor=SYSTEM,
        code="2024-2025",
        semesters=(
            (dt.date(2024, 9, 5), dt.date(2025, 1, 15)),
            (dt.date(2025, 1, 20), dt.date(2025, 5, 31)),
        ),
    )
    client_login(client, world.principal)
    response = client.get(register_url(world.school_a), params)
    assert response.status_code == 200
    assert rows(response) == expected


def test_register_htmx_fragment(client, world):
    client_login(client, world.principal)
    response = client.get(
        register_url(world.school_a), {"q": "chi"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="register-rows"' not in html and html.lstrip().startswith('<div class="card mb-3">')
    assert "<html" not in html
    assert rows(response) == [("3", "Hoàng Thị Chi")]


def test_register_pages_of_fifty_with_constant_queries(client, world):
    client_login(client, world.principal)
    client.get(register_url(world.school_a))
    with CaptureQueriesContext(connection) as few:
        client.get(register_url(world.school_a))
    for number in range(52):
        students.student_admit(
            actor=SYSTEM,
            school_class=world.class_6a2,
            admitted_on=dt.date(2025, 9, 6),
            data={
                "full_name": f"Trịnh Văn Tám {chr(65 + number % 26)}",
                "birth_date": "01/01/2014",
                "gender": "M",
            },
        )
    with CaptureQueriesContext(connection) as many:
        first = client.get(register_url(world.school_a))
    assert len(rows(first)) == 50
    assert len(many) == len(few)
    second = client.get(register_url(world.school_a), {"page": 2})
    assert [number for number, _ in rows(second)] == ["51", "52", "53", "54", "55"]


def test_viewing_the_register_writes_nothing(client, world):
    client_login(client, world.principal)
    before = AuditEntry.objects.count()
    client.get(register_url(world.school_a))
    assert AuditEntry.objects.count() == before


def test_excel_link_follows_the_filters_when_the_export_exists(client, world):
    from django.urls import NoReverseMatch, reverse

    client_login(client, world.principal)
    html = client.get(register_url(world.school_a), {"q": "an"}).content.decode()
    try:
        export = reverse("registry:register_xlsx", args=[world.school_a.pk])
    except NoReverseMatch:
        assert "Xuất Excel" not in html
    else:
        assert f'href="{export}?q=an"' in html and "Xuất Excel" in html


def test_register_link_on_the_student_list(client, world):
    client_login(client, world.clerk)
    assert register_url(world.school_a) in client.get("/students/").content.decode()
    client_login(client, world.teacher)
    assert register_url(world.school_a) not in client.get("/students/").content.decode()
