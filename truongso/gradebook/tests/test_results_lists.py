"""The year-end lists page: who sees it, leaders record re-tests and finalise there, others
are refused and nothing changes, bad input answers a message."""

from __future__ import annotations

import pytest

from truongso.core.models import AuditEntry
from truongso.gradebook.models import TermResult
from truongso.gradebook.tests.yearbook import Pupil, admit, fill_year
from truongso.testing.live import client_login

pytestmark = pytest.mark.usefixtures("registry_consistent")
LISTS = "/gradebook/lists/"


@pytest.fixture
def closed(world):
    cuong = admit(world.class_6a1, "Lê Văn Cường", "M")
    pupils = {
        world.students["an"]: Pupil(),
        world.students["binh"]: Pupil(scores={"TOAN": "3", "NV": "4"}),
        cuong: Pupil(conduct=("Khá", "Chưa đạt")),
    }
    fill_year(world.class_6a1, pupils, world.principal)
    return cuong


def year_row(student):
    return TermResult.objects.get(student=student, period=0)


def test_principal_sees_the_school_lists(client, world, closed):
    client_login(client, world.principal)
    response = client.get(LISTS)
    assert response.status_code == 200
    lists = response.context["found"].lists
    assert [r.result.student.full_name for r in lists.awards] == ["Nguyễn Văn An"]
    assert [(r.result.student.full_name, r.eligible) for r in lists.retest] == [
        ("Đỗ Thị Bình", ["NV", "TOAN"])
    ]
    assert [r.result.student.full_name for r in lists.summer] == ["Lê Văn Cường"]
    page = response.content.decode()
    assert "Ngữ văn, Toán" in page and "Chốt xét cuối năm" in page


def test_leader_records_a_retest_and_finalises(client, world, closed):
    binh = world.students["binh"]
    client_login(client, world.principal)
    response = client.post(
        LISTS, {"action": "retest", "student": binh.pk, "retest:TOAN": "6", "retest:NV": "5"}
    )
    assert response.status_code == 302
    assert year_row(binh).retests == {"TOAN": "6", "NV": "5"}
    client.post(LISTS, {"action": "summer", "student": closed.pk, "summer_conduct": "dat"})
    response = client.post(LISTS, {"action": "finalise"}, follow=True)
    assert "Đã chốt xét cuối năm: 2 học sinh lên lớp, 0 học sinh ở lại lớp." in (
        response.content.decode()
    )
    assert (year_row(binh).decision, year_row(closed).decision) == ("promoted", "promoted")


def test_bad_retest_value_is_a_message_and_nothing_is_saved(client, world, closed):
    binh = world.students["binh"]
    client_login(client, world.principal)
    response = client.post(
        LISTS, {"action": "retest", "student": binh.pk, "retest:TOAN": "11"}, follow=True
    )
    assert response.status_code == 200
    assert "Toán: Cột CK chỉ nhận điểm từ 0 đến 10 (11)." in response.content.decode()
    assert year_row(binh).retests == {}


def test_homeroom_sees_her_class_lists_but_cannot_record(client, world):
    chi = world.students["chi"]
    fill_year(world.class_6a2, {chi: Pupil(scores={"TOAN": "2", "NV": "2"})}, world.principal)
    client_login(client, world.homeroom)
    query = f"?class={world.class_6a2.pk}"
    response = client.get(LISTS + query)
    assert response.status_code == 200 and not response.context["found"].may_record
    assert "Chốt xét cuối năm" not in response.content.decode()
    response = client.post(
        LISTS + query, {"action": "retest", "student": chi.pk, "retest:TOAN": "9"}
    )
    assert response.status_code == 403
    assert year_row(chi).retests == {}
    assert not AuditEntry.objects.filter(action="gradebook.retest").exists()


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("vice", "", 200),
        ("teacher", "?class={c}", 404),
        ("homeroom", "?class={c}", 404),
        ("parent", "", 404),
        ("bureau", "", 404),
        ("bureau", "?school={s}", 404),
        ("principal_c", "?school={s}", 404),
    ],
)
def test_who_sees_the_lists(client, world, closed, who, query, status):
    client_login(client, world.users[who])
    path = LISTS + query.format(c=world.class_6a1.pk, s=world.school_a.pk)
    assert client.get(path).status_code == status
    response = client.post(path, {"action": "finalise", "confirm": "1"})
    assert response.status_code in ({200: 302, 404: 404}[status], 403)
    assert year_row(world.students["binh"]).decision == ("retest" if status == 404 else "repeat")


def test_primary_summer_review_on_the_lists_page(client, world):
    from truongso.accounts.services import role_grant
    from truongso.core.authz import SYSTEM, Role
    from truongso.gradebook.tests.yearbook import primary_school
    from truongso.testing.world import make_user

    school, class_1a = primary_school(world)
    pupil = admit(class_1a, "Lò Bình")
    fill_year(class_1a, {pupil: Pupil(mark="HTT", scores={"TOAN": "CHT"})}, SYSTEM)
    head = make_user("principal_p", "Hiệu trưởng Tiểu học")
    role_grant(actor=SYSTEM, user=head, role=Role.PRINCIPAL, org_unit=school, check=False)
    client_login(client, head)
    response = client.get(LISTS)
    assert response.status_code == 200
    assert [r.result.student.full_name for r in response.context["found"].lists.summer] == [
        "Lò Bình"
    ]
    assert "Sau ôn tập hè" in response.content.decode()
    client.post(LISTS, {"action": "review", "student": pupil.pk, "review": "ht"})
    client.post(LISTS, {"action": "finalise"})
    assert year_row(pupil).decision == "promoted"
