"""The edit page of a round offers as inputs only what ``rounds.editable_fields`` allows for
its status (the service's own rule), shows the rest as text with the reason, ignores whatever
is posted for a read-only field, and is not offered at all once the results are published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truongso.admissions.forms_rounds import FORM_FIELDS, RoundForm
from truongso.admissions.models import AdmissionRound, RoundStatus
from truongso.admissions.services import rounds
from truongso.admissions.tests.rounds_world import english, make_round  # noqa: F401
from truongso.admissions.tests.test_rounds_views import login
from truongso.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ALL_INPUTS = (
    "name",
    "kind",
    "registration_opens",
    "registration_closes",
    "results_publish_at",
    "confirmation_deadline",
    "preferences_max",
    "subjects",
    "max_score",
    "priority_bonus",
    "encouragement_max",
    "exclude_on_zero",
    "penalties",
    "tie_rule",
    "zone_rules",
)
OPEN_INPUTS = ("name", "registration_closes", "results_publish_at", "confirmation_deadline")
CLOSED_INPUTS = (*OPEN_INPUTS, "priority_bonus", "penalties", "tie_rule")


def posted(r: AdmissionRound, **changes: str) -> dict[str, str]:
    """The whole form as the browser sends it back, with ``changes``."""
    data = {
        "organiser": str(r.organiser_id),
        "name": r.name,
        "kind": r.kind,
        "registration_opens": "2026-05-01T08:00",
        "registration_closes": "2026-05-15T17:00",
        "preferences_max": "3",
        "subjects": "toan | Toán | 1\nvan | Ngữ văn | 1\nanh | Tiếng Anh | 1",
        "max_score": "10",
        "priority_bonus": "1: 2,0; 2: 1,5; 3: 1,0",
        "encouragement_max": "2",
        "exclude_on_zero": "on",
        "penalties": "0; 1; 2",
        "tie_rule": "admit_all",
    }
    data.update(changes)
    return data


def inputs(html: str) -> set[str]:
    return {name for name in (*ALL_INPUTS, "organiser") if f'name="{name}"' in html}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (RoundStatus.DRAFT, set(ALL_INPUTS)),
        (RoundStatus.OPEN, set(OPEN_INPUTS)),
        (RoundStatus.CLOSED, set(CLOSED_INPUTS)),
    ],
)
def test_inputs_are_the_editable_fields_of_the_status(client, world, status, expected):
    r = make_round(world, status=status)
    login(client, world.department)
    html = client.get(reverse("admission_rounds:edit", args=[r.pk])).content.decode()
    assert inputs(html) == expected
    for name in set(ALL_INPUTS) - expected:
        assert f'id="fixed-{name}"' in html
    assert 'id="fixed-organiser"' in html
    assert ("Fixed once registration opens: parents rely on it." in html) == (
        status != RoundStatus.DRAFT
    )


def test_read_only_values_are_shown_as_text(client, world):
    r = make_round(world, status=RoundStatus.OPEN)
    login(client, world.department)
    html = client.get(reverse("admission_rounds:edit", args=[r.pk])).content.decode()
    fixed = html[html.index('id="fixed-penalties"') :].split("</div></div>")[0]
    assert "0; 1; 2" in fixed and "Extra points needed per preference" in fixed
    fixed = html[html.index('id="fixed-subjects"') :].split("</div></div>")[0]
    assert "toan | Toán | 1<br>van | Ngữ văn | 1<br>anh | Tiếng Anh | 1" in fixed
    fixed = html[html.index('id="fixed-registration_opens"') :].split("</div></div>")[0]
    assert "01/05/2026 08:00" in fixed  # 01:00 UTC shown in Hà Nội time
    fixed = html[html.index('id="fixed-exclude_on_zero"') :].split("</div></div>")[0]
    assert ">yes<" in fixed


def test_posting_a_read_only_field_of_an_open_round_changes_nothing(client, world):
    r = make_round(world, status=RoundStatus.OPEN)
    before = (r.kind, r.formula, r.penalties, r.priority_bonus, r.registration_opens)
    login(client, world.department)
    data = posted(
        r,
        name="Đợt mới",
        kind="grade6",
        subjects="toan | Toán | 3",
        penalties="0; 0; 0",
        priority_bonus="1: 5",
        registration_opens="2026-04-01T08:00",
    )
    page = client.post(reverse("admission_rounds:edit", args=[r.pk]), data)
    assert page.status_code == 302
    r.refresh_from_db()
    assert r.name == "Đợt mới"
    assert (r.kind, r.formula, r.penalties, r.priority_bonus, r.registration_opens) == before
    entry = AuditEntry.objects.get(action="admissions.round_update")
    assert set(entry.after) == {"name"}


def test_a_closed_round_changes_its_penalties_not_its_formula(client, world):
    r = make_round(world, status=RoundStatus.CLOSED)
    formula = r.formula
    login(client, world.department)
    data = posted(r, penalties="0; 0,5; 1", subjects="toan | Toán | 3", kind="grade6")
    page = client.post(reverse("admission_rounds:edit", args=[r.pk]), data)
    assert page.status_code == 302
    r.refresh_from_db()
    assert (r.penalties, r.formula, r.kind) == (["0", "0.5", "1"], formula, "grade10")


@pytest.mark.parametrize("status", [RoundStatus.PUBLISHED, RoundStatus.FINISHED])
def test_no_edit_page_once_published(client, world, status):
    r = make_round(world, status=status)
    login(client, world.department)
    detail = client.get(reverse("admission_rounds:detail", args=[r.pk])).content.decode()
    url = reverse("admission_rounds:edit", args=[r.pk])
    assert url not in detail
    assert reverse("admission_rounds:schools", args=[r.pk]) in detail  # still a manager
    page = client.get(url, follow=True)
    assert page.redirect_chain == [(reverse("admission_rounds:detail", args=[r.pk]), 302)]
    assert "its rules can no longer change" in page.content.decode()
    page = client.post(url, posted(r, name="Đổi tên"))
    assert page.status_code == 302
    r.refresh_from_db()
    assert r.name == "Tuyển sinh lớp 10 năm học 2026-2027"
    assert not AuditEntry.objects.filter(action="admissions.round_update").exists()


def test_edit_denied_to_a_school_changes_nothing(client, world):
    r = make_round(world, status=RoundStatus.DRAFT)
    login(client, world.principal)
    url = reverse("admission_rounds:edit", args=[r.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, posted(r, name="X")).status_code == 403
    r.refresh_from_db()
    assert r.name == "Tuyển sinh lớp 10 năm học 2026-2027"


@pytest.mark.parametrize("status", list(RoundStatus))
def test_form_and_service_agree(status):
    """The inputs of the form are exactly the service's editable fields (as form fields)."""
    editable = rounds.editable_fields(status)
    form = RoundForm(organisers=[(1, "Sở")], editable=editable)
    inputs = {name for name in form.fields if name not in form.readonly}
    expected = {f for name in editable for f in FORM_FIELDS.get(name, (name,))} & set(form.fields)
    assert inputs == expected
