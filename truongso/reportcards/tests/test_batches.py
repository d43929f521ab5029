"""The signing workflow: who signs, in which order, only closed years, resumable batches
that never sign twice, and refusals that leave nothing half-issued."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.gradebook.tests.yearbook import Pupil, admit, fill_year
from truongso.reportcards.models import (
    BatchStatus,
    CardStatus,
    IssueBatch,
    KeyBackend,
    ReportCard,
    SignerRole,
    Stage,
)
from truongso.reportcards.services.batches import batch_execute, batch_resume, batch_start
from truongso.reportcards.services.keys import signer_key_register


def fields_of(card: ReportCard) -> list[str]:
    with card.pdf.open("rb") as handle:
        reader = PdfFileReader(io.BytesIO(handle.read()), strict=False)
    return [sig.field_name for sig in reader.embedded_signatures]


def homeroom_batch(w):
    return batch_start(actor=w.homeroom, school_year=w.year, school_class=w.class_6a2)


def school_batch(w):
    return batch_start(actor=w.principal, school_year=w.year, school=w.school_a)


def test_order_homeroom_principal_seal(keyed):
    w = keyed
    assert batch_execute(batch_id=homeroom_batch(w).pk)
    card = ReportCard.objects.get()
    assert (card.stage, card.status, fields_of(card)) == (Stage.HOMEROOM, "signing", ["GVCN"])
    assert batch_execute(batch_id=school_batch(w).pk)
    card.refresh_from_db()
    assert fields_of(card) == ["GVCN", "HieuTruong", "ConDau"]
    assert [s["role"] for s in card.signers] == ["homeroom", "principal", "seal"]
    assert card.status == CardStatus.ISSUED and len(card.sha256) == 64
    assert card.issued_at is not None


def test_principal_batch_waits_for_homeroom_signature(keyed):
    """6A1 has no homeroom signature: the principal's batch signs nothing of it."""
    w = keyed
    batch = school_batch(w)
    assert batch.total == 0
    assert batch_execute(batch_id=batch.pk)
    assert not ReportCard.objects.exists()


def test_killed_batch_resumes_without_duplicates(closed_year, signing_dirs):
    """School C's class 6C, five pupils: the worker dies after two cards."""
    w = closed_year
    klass = w.class_c
    names = ["Đặng Văn Hải", "Lò Thị Mai", "Trịnh Quốc Bảo", "Mạc Thị Hoa"]
    others = [admit(klass, name) for name in names]
    fill_year(klass, {p: Pupil() for p in [w.students["dung"], *others]}, w.principal_c)
    batch = batch_start(actor=staff_user(w, "c"), school_year=w.year, school_class=klass)
    assert batch.total == 5
    assert batch_execute(batch_id=batch.pk, stop_after=2) is False  # the worker dies
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.signed_count) == (BatchStatus.RUNNING, 2, 2)
    assert batch_execute(batch_id=batch.pk) is False  # still "running": another worker waits
    IssueBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=11)
    )
    batch_resume(actor=staff_user(w, "c"), batch=batch)
    assert batch_execute(batch_id=batch.pk) is True
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.signed_count) == (BatchStatus.DONE, 5, 5)
    cards = list(ReportCard.objects.filter(school_class=klass))
    assert len(cards) == 5
    assert all(fields_of(card) == ["GVCN"] for card in cards)
    signatures = AuditEntry.objects.filter(action="reportcards.card.sign").count()
    assert signatures == 5
    # a task delivered twice, or the batch started again: nothing is signed twice
    assert batch_execute(batch_id=batch.pk) is False
    again = batch_start(actor=staff_user(w, "c"), school_year=w.year, school_class=klass)
    assert batch_execute(batch_id=again.pk) is True
    again.refresh_from_db()
    assert (
        again.signed_count,
        AuditEntry.objects.filter(action="reportcards.card.sign").count(),
    ) == (0, 5)


def staff_user(w, key):
    from truongso.accounts.services import role_grant
    from truongso.core.authz import Role
    from truongso.registry.models import Staff
    from truongso.testing.world import make_user

    staff = Staff.objects.get(pk=w.staff[key].pk)
    if staff.user is None:
        user = make_user(f"gvcn_{key}", staff.full_name)
        role_grant(
            actor=SYSTEM,
            user=user,
            role=Role.HOMEROOM_TEACHER,
            org_unit=staff.org_unit,
            check=False,
        )
        Staff.objects.filter(pk=staff.pk).update(user=user)
        from truongso.reportcards.services.keys import signer_keys_from_test_ca
        from truongso.reportcards.signing import testca

        testca.issue_school(staff.org_unit)
        signer_keys_from_test_ca(actor=SYSTEM, school=staff.org_unit)
        return user
    return staff.user


def test_only_a_closed_year(world, signing_dirs):
    w = world
    fill_year(w.class_6a2, {w.students["chi"]: Pupil()}, w.principal, close=1)
    from truongso.reportcards.services.keys import signer_keys_from_test_ca
    from truongso.reportcards.signing import testca

    testca.issue_school(w.school_a)
    signer_keys_from_test_ca(actor=SYSTEM, school=w.school_a)
    with pytest.raises(ValidationError) as caught:
        homeroom_batch(w)
    assert "chưa khoá sổ năm học 2025-2026" in caught.value.messages[0]
    assert (IssueBatch.objects.count(), ReportCard.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["teacher", "principal", "vice", "clerk", "parent", "principal_c"])
def test_others_cannot_sign_the_class(keyed, who):
    w = keyed
    with pytest.raises(PermissionDenied):
        batch_start(actor=w.users[who], school_year=w.year, school_class=w.class_6a2)
    assert (IssueBatch.objects.count(), ReportCard.objects.count()) == (0, 0)


def test_homeroom_teacher_of_another_class_cannot_sign(keyed):
    w = keyed
    with pytest.raises(PermissionDenied):
        batch_start(actor=w.homeroom, school_year=w.year, school_class=w.class_6a1)
    assert (IssueBatch.objects.count(), ReportCard.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["homeroom", "vice", "clerk", "principal_c", "bureau"])
def test_only_the_principal_signs_the_school(keyed, who):
    w = keyed
    batch_execute(batch_id=homeroom_batch(w).pk)
    with pytest.raises(PermissionDenied):
        batch_start(actor=w.users[who], school_year=w.year, school=w.school_a)
    card = ReportCard.objects.get()
    assert (IssueBatch.objects.count(), card.stage) == (1, Stage.HOMEROOM)


def test_wrong_passphrase_is_refused_before_anything(keyed, tmp_path):
    w = keyed
    secret = tmp_path / "pass.txt"
    secret.write_text("not-the-passphrase")
    from truongso.reportcards.models import SignerKey

    good = SignerKey.objects.get(role=SignerRole.HOMEROOM, user=w.homeroom, is_active=True)
    signer_key_register(
        actor=SYSTEM,
        school=w.school_a,
        role=SignerRole.HOMEROOM,
        backend=KeyBackend.PKCS12,
        config={"path": good.config["path"], "passphrase_file": str(secret)},
        user=w.homeroom,
    )
    with pytest.raises(ValidationError) as caught:
        homeroom_batch(w)
    assert caught.value.messages[0]
    assert (IssueBatch.objects.count(), ReportCard.objects.count()) == (0, 0)


def test_no_key_is_a_clear_message(keyed):
    w = keyed
    from truongso.reportcards.models import SignerKey

    SignerKey.objects.filter(role=SignerRole.SEAL).update(is_active=False)
    batch_execute(batch_id=homeroom_batch(w).pk)
    with pytest.raises(ValidationError) as caught:
        school_batch(w)
    assert caught.value.messages == [
        "Nhà trường chưa đăng ký chứng thư số của cơ quan (con dấu số) để ký học bạ."
    ]


def test_key_lost_mid_batch_fails_then_resumes(keyed):
    """The token is pulled out after the batch started: it stops with the message, what
    was signed stays signed, and resuming once the key is back finishes the job."""
    w = keyed
    from pathlib import Path

    from truongso.reportcards.models import SignerKey

    batch_execute(batch_id=homeroom_batch(w).pk)
    batch = school_batch(w)
    seal = SignerKey.objects.get(role=SignerRole.SEAL, is_active=True)
    path = Path(seal.config["path"])
    hidden = path.with_suffix(".away")
    path.rename(hidden)
    assert batch_execute(batch_id=batch.pk) is False
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.error
    card = ReportCard.objects.get()
    assert (card.stage, card.status) == (Stage.HOMEROOM, CardStatus.SIGNING)
    hidden.rename(path)
    batch_resume(actor=w.principal, batch=batch)
    assert batch_execute(batch_id=batch.pk) is True
    card.refresh_from_db()
    assert (card.stage, card.status) == (Stage.SEAL, CardStatus.ISSUED)
