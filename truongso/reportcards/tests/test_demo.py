"""The report-card demo: last year's class of the demo student, issued with test certificates."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from truongso.accounts.models import User
from truongso.reportcards import selectors
from truongso.reportcards.models import CardStatus, ReportCard, SignerKey
from truongso.reportcards.verify import check_upload


def test_demo_issues_a_class(db, signing_dirs):
    call_command("seed_demo", verbosity=0)
    out = StringIO()
    call_command("seed_reportcards_demo", stdout=out)
    cards = ReportCard.objects.select_related("school_class", "school_year")
    assert {(c.school_class.name, c.school_year.code, c.status) for c in cards} == {
        ("7A1", "2024-2025", CardStatus.ISSUED)
    }
    assert cards.count() == len(ReportCard.objects.values("student").distinct())
    assert SignerKey.objects.filter(is_test=False).count() == 0
    gvcn = User.objects.get(username="gvcn")
    card = cards.get(student__user__username="hocsinh")
    assert card.school_class.homeroom_teacher.user == gvcn
    assert [s["role"] for s in card.signers] == ["homeroom", "principal", "seal"]
    assert card.signers[0]["name"] == gvcn.full_name
    assert f"/verify/{card.verify_code}/" in out.getvalue()
    parent = User.objects.get(username="phuhuynh")
    assert card in [c for _s, found in selectors.home(parent).children for c in found]
    with card.pdf.open("rb") as handle:
        assert check_upload(handle.read(), None).genuine
    again = StringIO()
    call_command("seed_reportcards_demo", "--if-empty", stdout=again)
    assert "nothing seeded" in again.getvalue()
