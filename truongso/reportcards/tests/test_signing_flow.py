from __future__ import annotations

from truongso.reportcards.models import CardStatus, ReportCard, Stage
from truongso.reportcards.services.batches import batch_execute, batch_start


def test_class_then_school(keyed):
    w = keyed
    batch = batch_start(actor=w.homeroom, school_year=w.year, school_class=w.class_6a2)
    assert batch_execute(batch_id=batch.pk)
    card = ReportCard.objects.get(student=w.students["chi"])
    assert card.stage == Stage.HOMEROOM
    batch = batch_start(actor=w.principal, school_year=w.year, school=w.school_a)
    assert batch_execute(batch_id=batch.pk)
    card.refresh_from_db()
    assert (card.stage, card.status) == (Stage.SEAL, CardStatus.ISSUED)
    print(card.signers)
