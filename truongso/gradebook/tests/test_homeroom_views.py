"""The homeroom page (conduct, absences, comments; TT27 ratings) and the class overview."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from truongso.accounts.services import role_grant
from truongso.core.authz import SYSTEM, Role
from truongso.core.models import AuditEntry
from truongso.gradebook.models import StudentTerm, SubjectTerm
from truongso.gradebook.services.periods import deadlines_set
from truongso.gradebook.tests.yearbook import admit, primary_school
from truongso.registry.models import Staff, Subject
from truongso.registry.services import classes, staff
from truongso.registry.tests.test_org_views import login
from truongso.testing.world import make_user

pytestmark = pytest.mark.usefixtures("registry_consistent")


def page_url(world, name="homeroom", semester=1, school_class=None):
    school_class = school_class or world.class_6a2
    return reverse(f"gradebook:{name}", args=[school_class.pk, semester])


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def chi(world):
    return world.students["chi"].pk


def test_homeroom_teacher_edits_her_class(client, world, django_assert_max_num_queries):
    login(client, world.homeroom)
    with django_assert_max_num_queries(22):
        response = client.get(page_url(world))
    table = response.context["table"]
    assert table.editable is True
    assert [c.code for c in table.columns] == [
        "conduct",
        "absences_excused",
        "absences_unexcused",
        "comment",
    ]
    assert [r.student.full_name for r in table.rows] == ["Hoàng Thị Chi"]
    config = response.context["config"]
    assert config["columns"][0]["aliases"]["khá"] == "kha"
    assert config["columns"][0]["display"]["kha"] == "Khá"


def test_json_save_of_conduct_and_absences(client, world):
    login(client, world.homeroom)
    response = post_json(
        client,
        page_url(world, "homeroom_save"),
        [
            {"student": chi(world), "code": "conduct", "old": "", "new": "k"},
            {"student": chi(world), "code": "absences_excused", "old": "", "new": "3"},
            {"student": chi(world), "code": "comment", "old": "", "new": "Ngoan, chăm học"},
        ],
    )
    assert response.status_code == 200
    values = {c["code"]: c["value"] for c in response.json()["cells"]}
    assert values == {"conduct": "kha", "absences_excused": "3", "comment": "Ngoan, chăm học"}
    term = StudentTerm.objects.get(student=world.students["chi"], semester=1)
    assert (term.conduct, term.absences_excused, term.comment) == ("kha", 3, "Ngoan, chăm học")
    page = client.get(page_url(world))
    row = page.context["table"].rows[0]
    assert [c.value for c in row.cells] == ["Khá", "3", "", "Ngoan, chăm học"]
    assert [c.old for c in row.cells] == ["kha", "3", "", "Ngoan, chăm học"]
    assert AuditEntry.objects.filter(action="conduct.update", actor=world.homeroom).count() == 1


def test_json_save_errors_and_conflicts(client, world):
    login(client, world.homeroom)
    post_json(
        client,
        page_url(world, "homeroom_save"),
        [{"student": chi(world), "code": "conduct", "old": "", "new": "Tốt"}],
    )
    response = post_json(
        client,
        page_url(world, "homeroom_save"),
        [
            {"student": chi(world), "code": "conduct", "old": "", "new": "Khá"},
            {"student": chi(world), "code": "absences_unexcused", "old": "", "new": "-2"},
        ],
    )
    assert response.status_code == 400
    errors = {e["code"]: e for e in response.json()["errors"]}
    assert errors["absences_unexcused"]["message"].startswith("Số buổi nghỉ là số nguyên")
    assert StudentTerm.objects.get(student=world.students["chi"]).conduct == "tot"
    response = post_json(
        client,
        page_url(world, "homeroom_save"),
        [{"student": chi(world), "code": "conduct", "old": "", "new": "Khá"}],
    )
    [conflict] = response.json()["errors"]
    assert conflict["current"] == "tot"


def test_form_path_saves_changed_cells_only(client, world):
    login(client, world.homeroom)
    pk = chi(world)
    data = {
        f"c:{pk}:conduct": "Đạt",
        f"o:{pk}:conduct": "",
        f"c:{pk}:absences_excused": "",
        f"o:{pk}:absences_excused": "",
        f"c:{pk}:comment": "",
        f"o:{pk}:comment": "",
    }
    response = client.post(page_url(world), data, follow=True)
    assert "Đã lưu 1 ô." in response.content.decode()
    assert StudentTerm.objects.get(student=world.students["chi"]).conduct == "dat"
    # The page shows "Đạt" for the stored "dat": sending it back unchanged changes nothing.
    data[f"o:{pk}:conduct"] = "dat"
    response = client.post(page_url(world), data, follow=True)
    assert "Không có thay đổi nào cần lưu." in response.content.decode()
    data[f"c:{pk}:conduct"] = "xuất sắc"
    response = client.post(page_url(world), data)
    assert response.status_code == 400
    assert "không nhận “xuất sắc”" in response.content.decode()


def test_leaders_read_the_homeroom_page_others_get_404(client, world):
    login(client, world.principal)
    response = client.get(page_url(world))
    assert response.status_code == 200 and response.context["table"].editable is False
    assert "grid-input" not in response.content.decode()
    payload = [{"student": chi(world), "code": "conduct", "old": "", "new": "Tốt"}]
    assert post_json(client, page_url(world, "homeroom_save"), payload).status_code == 403
    assert client.post(page_url(world), {f"c:{chi(world)}:conduct": "Tốt"}).status_code == 403
    for who in ("teacher", "parent", "student", "principal_c", "bureau"):
        login(client, world.users[who])
        assert client.get(page_url(world)).status_code == 404
        assert post_json(client, page_url(world, "homeroom_save"), payload).status_code == 404
    login(client, world.homeroom)
    assert client.get(page_url(world, school_class=world.class_6a1)).status_code == 404
    assert not StudentTerm.objects.exists()


def test_locked_homeroom_columns_offer_a_change_request(client, world):
    deadlines_set(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        deadlines={"conduct": timezone.now() - dt.timedelta(days=1)},
    )
    login(client, world.homeroom)
    response = client.get(page_url(world))
    row = response.context["table"].rows[0]
    assert all(c.readonly for c in row.cells)
    assert row.request_url == reverse(
        "gradebook:term_late_change", args=[world.class_6a2.pk, 1, chi(world)]
    )
    saved = post_json(
        client,
        page_url(world, "homeroom_save"),
        [{"student": chi(world), "code": "conduct", "old": "", "new": "Tốt"}],
    )
    assert saved.status_code == 400 and "đã khoá" in saved.json()["errors"][0]["message"]
    response = client.post(
        row.request_url, {"c:conduct": "Tốt", "o:conduct": "", "reason": "Quên nhập rèn luyện"}
    )
    assert response.status_code == 302
    assert not StudentTerm.objects.exists()


# Thông tư 27 ---------------------------------------------------------------------------------
@pytest.fixture
def primary(world):
    school, class_1a = primary_school(world)
    pupil = admit(class_1a, "Lò Thị Mai")
    teacher_staff = staff.staff_create(
        actor=SYSTEM, org_unit=school, data={"full_name": "Vì Thị Lan", "gender": "F"}
    )
    user = make_user("lan", "Vì Thị Lan")
    Staff.objects.filter(pk=teacher_staff.pk).update(user=user)
    role_grant(actor=SYSTEM, user=user, role=Role.HOMEROOM_TEACHER, org_unit=school, check=False)
    role_grant(actor=SYSTEM, user=user, role=Role.TEACHER, org_unit=school, check=False)
    teacher_staff.refresh_from_db()
    classes.class_update(
        actor=SYSTEM, school_class=class_1a, name="1A", homeroom_teacher=teacher_staff
    )
    classes.teaching_assign(
        actor=SYSTEM,
        school_class=class_1a,
        subject=Subject.objects.get(code="TV"),
        staff=teacher_staff,
    )
    class_1a.refresh_from_db()
    return class_1a, pupil, user


def test_primary_homeroom_rates_qualities(client, world, primary):
    class_1a, pupil, user = primary
    login(client, user)
    response = client.get(page_url(world, school_class=class_1a))
    codes = [c.code for c in response.context["table"].columns]
    assert "conduct" not in codes and codes[2] == "q:yeu_nuoc" and codes[-1] == "comment"
    assert len(codes) == 2 + 15 + 1
    response = post_json(
        client,
        page_url(world, "homeroom_save", school_class=class_1a),
        [
            {"student": pupil.pk, "code": "q:yeu_nuoc", "old": "", "new": "t"},
            {"student": pupil.pk, "code": "q:nhan_ai", "old": "", "new": "Cần cố gắng"},
        ],
    )
    assert response.status_code == 200
    term = StudentTerm.objects.get(student=pupil)
    assert term.qualities == {"yeu_nuoc": "T", "nhan_ai": "C"}


def test_primary_grid_takes_levels_and_whole_point_tests(client, world, primary):
    class_1a, pupil, user = primary
    login(client, user)
    url = reverse("gradebook:grid", args=[class_1a.pk, "TV", 2])
    response = client.get(url)
    table = response.context["table"]
    assert [c.code for c in table.columns] == ["gk", "ck", "kt_ck", "comment"]
    assert table.columns[2].rules == {"low": 1, "high": 10}
    assert response.context["config"]["outcome"] == {"type": "level", "mark": "ck", "test": "kt_ck"}
    save = reverse("gradebook:grid_save", args=[class_1a.pk, "TV", 2])
    bad = post_json(
        client,
        save,
        [
            {"student": pupil.pk, "code": "ck", "old": "", "new": "giỏi"},
            {"student": pupil.pk, "code": "kt_ck", "old": "", "new": "8.5"},
        ],
    )
    messages = {e["code"]: e["message"] for e in bad.json()["errors"]}
    assert "HTT / HT / CHT" in messages["ck"] and "điểm nguyên" in messages["kt_ck"]
    good = post_json(
        client,
        save,
        [
            {"student": pupil.pk, "code": "ck", "old": "", "new": "htt"},
            {"student": pupil.pk, "code": "kt_ck", "old": "", "new": "9"},
        ],
    )
    assert good.json()["outcomes"] == {str(pupil.pk): "HTT (9)"}
    assert SubjectTerm.objects.get(student=pupil).cells == {"ck": "HTT", "kt_ck": "9"}


# The class overview ---------------------------------------------------------------------------
def test_class_overview_for_homeroom_and_leaders(client, world, django_assert_max_num_queries):
    login(client, world.homeroom)
    post_json(
        client,
        page_url(world, "homeroom_save"),
        [{"student": chi(world), "code": "conduct", "old": "", "new": "Tốt"}],
    )
    url = page_url(world, "class_overview")
    with django_assert_max_num_queries(24):
        response = client.get(url)
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row["student"].full_name, row["conduct"], row["learning"]) == (
        "Hoàng Thị Chi",
        "Tốt",
        "",
    )
    assert len(row["subjects"]) == len(response.context["overview"].subjects)
    login(client, world.principal)
    assert client.get(url).status_code == 200
    assert client.get(page_url(world, "class_overview", semester=0)).status_code == 200
    for who in ("teacher", "parent", "principal_c", "bureau"):
        login(client, world.users[who])
        assert client.get(url).status_code == 404
    login(client, world.principal)
    assert client.get(page_url(world, "class_overview", semester=7)).status_code == 404


@pytest.mark.parametrize("semester", [1, 2, 0])
def test_class_overview_links_to_the_class_results(client, world, semester):
    """The homeroom teacher has no "Results" menu entry (no GRADE_STATS): the overview is her
    way to the class's results."""
    login(client, world.homeroom)
    response = client.get(page_url(world, "class_overview", semester=semester))
    results = reverse("gradebook:class_results", args=[world.class_6a2.pk])
    link = f"{results}?period={semester}"
    assert f'href="{link}"' in response.content.decode()
    assert client.get(link).status_code == 200
