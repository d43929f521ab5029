"""Late changes end to end through the pages: the teacher asks for a locked cell with a
reason, the principal approves (the value changes, the audit entry cites the request),
rejects or returns with a note; the teacher resubmits or withdraws; nobody decides on their
own request; people outside the school see nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truongso.accounts.services import role_grant
from truongso.core.authz import SYSTEM, Role
from truongso.core.models import AuditEntry
from truongso.gradebook.models import SubjectTerm, TermResult
from truongso.gradebook.services.periods import period_close
from truongso.gradebook.tests.test_services import fill_class
from truongso.registry.models import Staff, Subject
from truongso.registry.services import classes, staff
from truongso.registry.tests.test_org_views import login
from truongso.workflow.models import ApprovalRequest, RequestStatus

pytestmark = pytest.mark.usefixtures("registry_consistent")
INBOX = reverse("gradebook:approvals")
MINE = reverse("gradebook:my_requests")


@pytest.fixture
def closed(world):
    fill_class(world)
    period_close(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        allow_incomplete=True,
    )
    return world


def request_url(world, key="an", subject="TOAN"):
    return reverse(
        "gradebook:late_change",
        args=[world.class_6a1.pk, subject, 1, world.students[key].pk],
    )


def ask(client, world, cells, reason="Chấm phúc khảo bài cuối kì", subject="TOAN"):
    data = {"reason": reason}
    for code, (old, new) in cells.items():
        data[f"o:{code}"] = old
        data[f"c:{code}"] = new
    return client.post(request_url(world, subject=subject), data)


def math_cells(world, key="an"):
    return SubjectTerm.objects.get(
        student=world.students[key], subject__code="TOAN", semester=1
    ).cells


def decide(client, pk, decision, note=""):
    url = reverse("gradebook:approval_decide", args=[pk])
    return client.post(url, {"decision": decision, "note": note}, follow=True)


def test_request_approve_and_the_audit_cites_it(client, closed, django_assert_max_num_queries):
    world = closed
    login(client, world.teacher)
    grid = client.get(reverse("gradebook:grid", args=[world.class_6a1.pk, "TOAN", 1]))
    assert request_url(world) in grid.content.decode()
    form = client.get(request_url(world))
    assert [c.code for c, _cell, _typed in form.context["cells"]][-2:] == ["ck", "comment"]
    response = ask(client, world, {"ck": ("8", "10")})
    assert response.status_code == 302
    request = ApprovalRequest.objects.get()
    assert request.payload["cells"] == {"ck": ["8", "10"]}
    assert math_cells(world)["ck"] == "8"  # nothing changes before the approval
    mine = client.get(MINE)
    [item] = mine.context["items"]
    assert item.cells == [("ck", "CK", "8", "10")] and item.request.status == "submitted"

    login(client, world.principal)
    with django_assert_max_num_queries(18):
        inbox = client.get(INBOX)
    [item] = inbox.context["items"]
    assert (item.student, item.subject.code, item.cells) == (
        world.students["an"],
        "TOAN",
        [("ck", "CK", "8", "10")],
    )
    html = inbox.content.decode()
    assert "Chấm phúc khảo bài cuối kì" in html and "Trần Thị Hoa" in html
    response = decide(client, request.pk, "approve")
    assert "Đã duyệt" in response.content.decode()
    assert math_cells(world)["ck"] == "10"
    entry = AuditEntry.objects.filter(action="score.update").latest("id")
    assert entry.actor == world.principal and f"số {request.pk}" in entry.note
    assert "phúc khảo" in entry.note
    assert TermResult.objects.get(student=world.students["an"], period=1).subjects["TOAN"] == {
        "average": "8.7"
    }
    history = client.get(
        reverse(
            "gradebook:cell_history", args=[world.class_6a1.pk, "TOAN", 1, world.students["an"].pk]
        )
    )
    last = history.context["history"].lines[-1]
    assert last.changes == [("CK", "8", "10")] and last.actor == "principal"
    assert [r.request.status for r in history.context["requests"]] == ["approved"]


def test_reject_needs_a_note(client, closed):
    world = closed
    login(client, world.teacher)
    ask(client, world, {"tx1": ("8", "9")})
    request = ApprovalRequest.objects.get()
    login(client, world.principal)
    response = decide(client, request.pk, "reject")
    assert "Hãy nêu lý do không duyệt." in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    decide(client, request.pk, "reject", "Không có biên bản chấm lại")
    request.refresh_from_db()
    assert (request.status, request.decision_note) == ("rejected", "Không có biên bản chấm lại")
    assert math_cells(world)["tx1"] == "8"
    login(client, world.teacher)
    assert "Không có biên bản chấm lại" in client.get(MINE).content.decode()


def test_return_resubmit_and_approve(client, closed):
    world = closed
    login(client, world.teacher)
    ask(client, world, {"gk": ("8", "9")})
    request = ApprovalRequest.objects.get()
    login(client, world.principal)
    assert "Hãy nêu lý do" in decide(client, request.pk, "return").content.decode()
    decide(client, request.pk, "return", "Điểm đúng là 9,5")
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED

    login(client, world.teacher)
    url = reverse("gradebook:approval_resubmit", args=[request.pk])
    assert url in client.get(MINE).content.decode()
    bad = client.post(url, {"c:gk": "95", "reason": "Nhập lại theo ý kiến hiệu trưởng"})
    assert bad.status_code == 400 and "từ 0 đến 10" in bad.content.decode()
    client.post(url, {"c:gk": "9,5", "reason": "Nhập lại theo ý kiến hiệu trưởng"})
    request.refresh_from_db()
    assert (request.status, request.payload["cells"]) == ("submitted", {"gk": ["8", "9.5"]})

    login(client, world.principal)
    decide(client, request.pk, "approve")
    assert math_cells(world)["gk"] == "9.5"


def test_withdraw(client, closed):
    world = closed
    login(client, world.teacher)
    ask(client, world, {"tx2": ("8", "7")})
    request = ApprovalRequest.objects.get()
    login(client, world.principal)
    response = client.post(reverse("gradebook:approval_withdraw", args=[request.pk]))
    assert response.status_code == 403  # only the requester withdraws
    login(client, world.teacher)
    client.post(reverse("gradebook:approval_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    login(client, world.principal)
    assert client.get(INBOX).context["items"] == []
    decide(client, request.pk, "approve")
    assert math_cells(world)["tx2"] == "8"


def test_a_teacher_cannot_approve(client, closed):
    world = closed
    login(client, world.teacher)
    ask(client, world, {"ck": ("8", "10")})
    request = ApprovalRequest.objects.get()
    assert client.get(INBOX).status_code == 403
    response = client.post(
        reverse("gradebook:approval_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and math_cells(world)["ck"] == "8"


def test_nobody_approves_their_own_request(client, closed):
    world = closed
    vice_staff = staff.staff_create(
        actor=SYSTEM, org_unit=world.school_a, data={"full_name": "Phó hiệu trưởng", "gender": "F"}
    )
    Staff.objects.filter(pk=vice_staff.pk).update(user=world.vice)
    role_grant(
        actor=SYSTEM, user=world.vice, role=Role.TEACHER, org_unit=world.school_a, check=False
    )
    classes.teaching_assign(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=Subject.objects.get(code="NV"),
        staff=vice_staff,
    )
    login(client, world.vice)
    assert ask(client, world, {"ck": ("8", "9")}, subject="NV").status_code == 302
    request = ApprovalRequest.objects.get()
    assert client.get(INBOX).context["items"][0].request == request  # she may see it ...
    response = client.post(
        reverse("gradebook:approval_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403  # ... but not decide it
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    login(client, world.principal)
    decide(client, request.pk, "approve")
    nv = SubjectTerm.objects.get(student=world.students["an"], subject__code="NV", semester=1)
    assert nv.cells["ck"] == "9"


def test_request_form_refusals(client, closed):
    world = closed
    login(client, world.teacher)
    assert ask(client, world, {"ck": ("8", "8")}).status_code == 400  # nothing changed
    short = ask(client, world, {"ck": ("8", "9")}, reason="x")
    assert short.status_code == 400 and "Hãy nêu lý do" in short.content.decode()
    bad = ask(client, world, {"ck": ("8", "11")})
    assert bad.status_code == 400 and "từ 0 đến 10" in bad.content.decode()
    stale = ask(client, world, {"ck": ("7", "9")})
    assert stale.status_code == 400 and "đã thay đổi" in stale.content.decode()
    assert not ApprovalRequest.objects.exists()
    chi = reverse(
        "gradebook:late_change", args=[world.class_6a1.pk, "TOAN", 1, world.students["chi"].pk]
    )
    assert client.get(chi).status_code == 404
    for who, status in (("principal", 403), ("parent", 404), ("principal_c", 404)):
        login(client, world.users[who])
        assert ask(client, world, {"ck": ("8", "9")}).status_code == status
    assert not ApprovalRequest.objects.exists()


def test_open_columns_need_no_request(client, world):
    login(client, world.teacher)
    response = client.get(request_url(world), follow=True)
    assert "Các cột này chưa khoá" in response.content.decode()


def test_outsiders_see_no_request(client, closed):
    world = closed
    login(client, world.teacher)
    ask(client, world, {"ck": ("8", "10")})
    request = ApprovalRequest.objects.get()
    for who in ("principal_c", "homeroom", "bureau"):
        login(client, world.users[who])
        inbox = client.get(INBOX)
        assert inbox.status_code == 403 or inbox.context["items"] == []
        decided = client.post(
            reverse("gradebook:approval_decide", args=[request.pk]), {"decision": "approve"}
        )
        assert decided.status_code == 404
        assert (
            client.get(reverse("gradebook:approval_resubmit", args=[request.pk])).status_code == 404
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and math_cells(world)["ck"] == "8"
