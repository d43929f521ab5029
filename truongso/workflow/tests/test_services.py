"""The generic approval workflow with a kind of its own (not the gradebook's): submit,
decide (approve applies in the same transaction, a refusing handler changes nothing),
return and resubmit, withdraw, comments, and who reads which requests."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from truongso.core.authz import Perm
from truongso.core.models import AuditEntry
from truongso.workflow import handlers
from truongso.workflow.models import ApprovalComment, ApprovalRequest, RequestStatus
from truongso.workflow.selectors import (
    my_requests,
    request_detail,
    requests_for_target,
    requests_to_decide,
)
from truongso.workflow.services import (
    approval_comment,
    approval_decide,
    approval_resubmit,
    approval_submit,
    approval_withdraw,
)

KIND = "test.rename"


@pytest.fixture
def applied():
    """A kind decided by those who manage classes; approving records the payload."""
    done: list[dict] = []

    def check(request):
        if request.payload.get("name") == "stale":
            raise ValidationError("Đã thay đổi.")

    def apply(request, actor):
        if request.payload.get("name") == "refuse":
            raise ValidationError("Không áp dụng được.")
        done.append({"payload": dict(request.payload), "actor": actor})

    handlers.register(
        KIND, handlers.Handler(decide_perm=Perm.CLASS_MANAGE, apply=apply, check=check)
    )
    yield done
    handlers._handlers.pop(KIND, None)


def submit(world, actor=None, name="6A9", unit=None):
    return approval_submit(
        actor=actor or world.teacher,
        kind=KIND,
        org_unit=unit or world.school_a,
        target_type="registry.schoolclass",
        target_id=str(world.class_6a1.pk),
        title="Đổi tên lớp",
        payload={"name": name},
        reason="Nhà trường sắp xếp lại lớp",
    )


def test_submit_checks_the_reason_and_the_handler(world, applied):
    with pytest.raises(ValidationError) as caught:
        approval_submit(
            actor=world.teacher,
            kind=KIND,
            org_unit=world.school_a,
            target_type="x",
            target_id="1",
            title="t",
            payload={},
            reason="  ab ",
        )
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        submit(world, name="stale")
    with pytest.raises(LookupError):
        approval_submit(
            actor=world.teacher,
            kind="nobody.registered",
            org_unit=world.school_a,
            target_type="x",
            target_id="1",
            title="t",
            payload={},
            reason="lý do đầy đủ",
        )
    assert not ApprovalRequest.objects.exists()
    request = submit(world)
    assert (request.status, request.requested_by) == (RequestStatus.SUBMITTED, world.teacher)
    entry = AuditEntry.objects.get(action="approval.submit")
    assert entry.after["payload"] == {"name": "6A9"} and entry.org_path == world.school_a.path


def test_approve_applies_and_is_audited(world, applied):
    request = submit(world)
    approval_decide(actor=world.principal, request=request, decision=RequestStatus.APPROVED)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.APPROVED, world.principal)
    assert applied == [{"payload": {"name": "6A9"}, "actor": world.principal}]
    assert AuditEntry.objects.get(action="approval.approved").actor == world.principal
    with pytest.raises(ValidationError):  # decided once only
        approval_decide(
            actor=world.vice, request=request, decision=RequestStatus.REJECTED, note="x"
        )


def test_a_refusing_handler_changes_nothing(world, applied):
    request = submit(world, name="refuse")
    with pytest.raises(ValidationError):
        approval_decide(actor=world.principal, request=request, decision=RequestStatus.APPROVED)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and applied == []
    assert not AuditEntry.objects.filter(action="approval.approved").exists()


def test_who_decides(world, applied):
    request = submit(world)
    for who in ("teacher", "homeroom", "parent", "principal_c", "bureau"):
        with pytest.raises(PermissionDenied):
            approval_decide(
                actor=world.users[who], request=request, decision=RequestStatus.APPROVED
            )
    own = submit(world, actor=world.principal)
    with pytest.raises(PermissionDenied):
        approval_decide(actor=world.principal, request=own, decision=RequestStatus.APPROVED)
    approval_decide(actor=world.vice, request=own, decision=RequestStatus.APPROVED)
    assert [a["actor"] for a in applied] == [world.vice]
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_reject_and_return_need_a_note_and_a_known_decision(world, applied):
    request = submit(world)
    for decision in (RequestStatus.REJECTED, RequestStatus.RETURNED):
        with pytest.raises(ValidationError) as caught:
            approval_decide(actor=world.principal, request=request, decision=decision, note=" ")
        assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError):
        approval_decide(actor=world.principal, request=request, decision="maybe")
    approval_decide(
        actor=world.principal, request=request, decision=RequestStatus.REJECTED, note="Không"
    )
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REJECTED, "Không")
    assert applied == []


def test_return_then_resubmit(world, applied):
    request = submit(world)
    with pytest.raises(ValidationError):  # only a returned request is resubmitted
        approval_resubmit(actor=world.teacher, request=request, payload={}, reason="lại")
    approval_decide(
        actor=world.principal, request=request, decision=RequestStatus.RETURNED, note="Sai tên"
    )
    with pytest.raises(PermissionDenied):
        approval_resubmit(
            actor=world.principal, request=request, payload={"name": "6A8"}, reason="lại"
        )
    approval_resubmit(
        actor=world.teacher, request=request, payload={"name": "6A8"}, reason="Sửa tên lớp"
    )
    request.refresh_from_db()
    assert (request.status, request.payload, request.reason) == (
        RequestStatus.SUBMITTED,
        {"name": "6A8"},
        "Sửa tên lớp",
    )
    entry = AuditEntry.objects.get(action="approval.resubmit")
    assert entry.before["payload"] == {"name": "6A9"}
    approval_decide(actor=world.principal, request=request, decision=RequestStatus.APPROVED)
    assert applied[0]["payload"] == {"name": "6A8"}


def test_withdraw(world, applied):
    request = submit(world)
    with pytest.raises(PermissionDenied):
        approval_withdraw(actor=world.principal, request=request)
    approval_withdraw(actor=world.teacher, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        approval_withdraw(actor=world.teacher, request=request)
    with pytest.raises(ValidationError):
        approval_decide(actor=world.principal, request=request, decision=RequestStatus.APPROVED)
    assert applied == []


def test_comments_by_the_parties_only(world, applied):
    request = submit(world)
    approval_comment(actor=world.teacher, request=request, text="Xin duyệt sớm")
    approval_comment(actor=world.principal, request=request, text="Đã xem")
    with pytest.raises(PermissionDenied):
        approval_comment(actor=world.homeroom, request=request, text="?")
    with pytest.raises(ValidationError):
        approval_comment(actor=world.teacher, request=request, text="   ")
    assert list(request.comments.values_list("text", flat=True)) == ["Xin duyệt sớm", "Đã xem"]
    assert ApprovalComment.objects.count() == 2


def test_who_reads_which_requests(world, applied):
    mine = submit(world)
    other_school = submit(world, actor=world.principal_c, unit=world.school_c)
    assert list(requests_to_decide(world.principal, Perm.CLASS_MANAGE)) == [mine]
    assert list(requests_to_decide(world.principal_c, Perm.CLASS_MANAGE)) == [other_school]
    assert list(requests_to_decide(world.teacher, Perm.CLASS_MANAGE)) == []
    assert list(my_requests(world.teacher)) == [mine]
    assert request_detail(world.teacher, mine.pk) == mine
    assert request_detail(world.principal, mine.pk) == mine
    for who in ("homeroom", "principal_c", "parent"):
        with pytest.raises(Http404):
            request_detail(world.users[who], mine.pk)
    with pytest.raises(Http404):
        request_detail(world.principal, 999999)
    target = requests_for_target("registry.schoolclass", str(world.class_6a1.pk))
    assert set(target) == {mine, other_school}
    approval_decide(actor=world.principal, request=mine, decision=RequestStatus.APPROVED)
    assert list(requests_to_decide(world.principal, Perm.CLASS_MANAGE)) == []
