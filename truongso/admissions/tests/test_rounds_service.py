"""Round services: validation of the rules, the windows, schools and quotas, open/close,
permissions (nothing changes when refused) and the audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from truongso.admissions.models import AdmissionRound, RoundSchool, RoundStatus
from truongso.admissions.services import rounds
from truongso.admissions.services.rounds import SchoolPlace
from truongso.admissions.tests.rounds_world import CLOSES, apply, english, make_round, round_data  # noqa: F401
from truongso.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_create_stores_the_round_and_audits(world):
    r = rounds.round_create(
        actor=world.department, organiser=world.department_unit, data=round_data()
    )
    assert r.status == RoundStatus.DRAFT
    assert r.penalties == ["0", "1", "2"]
    assert r.priority_bonus == {"1": "2.0", "2": "1.5", "3": "1.0"}
    entry = AuditEntry.objects.get(action="admissions.round_create")
    assert entry.object_id == str(r.pk)
    assert entry.org_path == world.department_unit.path


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"penalties": ["0", "2", "1"]}, "penalties", "penalties never decrease"),
        ({"penalties": ["0", "1"]}, "penalties", "Give one penalty per preference"),
        ({"penalties": ["1", "1", "2"]}, "penalties", "The first preference has no penalty"),
        ({"penalties": ["0", "1", "x"]}, "penalties", "Penalties must be numbers"),
        ({"formula": {"subjects": [], "max_score": 10}}, "formula", "at least one exam subject"),
        (
            {
                "formula": {
                    "subjects": [{"code": "toan", "name": "T"}, {"code": "toan", "name": "T"}]
                }
            },
            "formula",
            "is used twice",
        ),
        (
            {"formula": {"subjects": [{"code": "Toán", "name": "T"}]}},
            "formula",
            "lower-case letters",
        ),
        (
            {"formula": {"subjects": [{"code": "toan", "name": "T", "weight": 0}]}},
            "formula",
            "weight",
        ),
        ({"priority_bonus": {"1": "-1"}}, "priority_bonus", "between 0 and 10"),
        (
            {"registration_closes": dt.datetime(2026, 4, 1, tzinfo=dt.UTC)},
            "registration_closes",
            "close after",
        ),
        (
            {"results_publish_at": CLOSES - dt.timedelta(hours=1)},
            "results_publish_at",
            "before registration closes",
        ),
        (
            {"results_publish_at": CLOSES + dt.timedelta(days=30), "confirmation_deadline": CLOSES},
            "confirmation_deadline",
            "after the results",
        ),
    ],
)
def test_create_refuses_inconsistent_rules(world, extra, field, message):
    with pytest.raises(ValidationError) as exc:
        rounds.round_create(
            actor=world.department, organiser=world.department_unit, data=round_data(**extra)
        )
    assert field in exc.value.message_dict
    assert any(message in m for m in exc.value.message_dict[field])
    assert AdmissionRound.objects.count() == 0
    assert not AuditEntry.objects.filter(action="admissions.round_create").exists()


def test_only_the_organisers_officers_create(world):
    for user in (world.principal, world.bureau, world.parent, world.teacher):
        with pytest.raises(PermissionDenied):
            rounds.round_create(actor=user, organiser=world.department_unit, data=round_data())
    assert AdmissionRound.objects.count() == 0
    # a bureau officer organises in his own bureau
    r = rounds.round_create(actor=world.bureau, organiser=world.bureau_unit, data=round_data())
    assert r.organiser == world.bureau_unit


def test_update_in_draft_and_fields_fixed_once_open(world):
    r = rounds.round_create(
        actor=world.department, organiser=world.department_unit, data=round_data()
    )
    r = rounds.round_update(actor=world.department, round=r, data={"penalties": ["0", "0.5", "1"]})
    assert r.penalties == ["0", "0.5", "1"]
    entry = AuditEntry.objects.get(action="admissions.round_update")
    assert entry.before == {"penalties": ["0", "1", "2"]}
    assert entry.after == {"penalties": ["0", "0.5", "1"]}
    rounds.round_schools_set(
        actor=world.department, round=r, places=[SchoolPlace(world.school_a, 40)]
    )
    r = rounds.round_open(actor=world.department, round=r)
    assert r.status == RoundStatus.OPEN
    with pytest.raises(ValidationError, match="can no longer change"):
        rounds.round_update(actor=world.department, round=r, data={"formula": {"subjects": []}})
    r = rounds.round_update(actor=world.department, round=r, data={"name": "Đợt 1"})
    assert AdmissionRound.objects.get(pk=r.pk).name == "Đợt 1"
    with pytest.raises(PermissionDenied):
        rounds.round_update(actor=world.principal, round=r, data={"name": "X"})
    assert AdmissionRound.objects.get(pk=r.pk).name == "Đợt 1"


def test_open_needs_a_school_and_close_follows_open(world):
    r = rounds.round_create(
        actor=world.department, organiser=world.department_unit, data=round_data()
    )
    with pytest.raises(ValidationError, match="at least one school"):
        rounds.round_open(actor=world.department, round=r)
    with pytest.raises(ValidationError, match="not possible now"):
        rounds.round_close(actor=world.department, round=r)
    rounds.round_schools_set(
        actor=world.department, round=r, places=[SchoolPlace(world.school_b, 1)]
    )
    rounds.round_open(actor=world.department, round=r)
    r = rounds.round_close(actor=world.department, round=r)
    assert r.status == RoundStatus.CLOSED
    assert list(
        AuditEntry.objects.filter(
            object_id=str(r.pk), action__in=["admissions.round_open", "admissions.round_close"]
        )
        .order_by("pk")
        .values_list("after", flat=True)
    ) == [{"status": "open"}, {"status": "closed"}]


def test_closing_early_ends_the_window_now(world):
    """Results count from the end of registration: a round closed before its planned end
    (so.canbo decides to stop early) ends its window at the closing time, audited."""
    planned = timezone.now() + dt.timedelta(days=10)
    r = rounds.round_create(
        actor=world.department,
        organiser=world.department_unit,
        data=round_data(
            registration_opens=timezone.now() - dt.timedelta(days=1),
            registration_closes=planned,
            results_publish_at=planned + dt.timedelta(days=1),
            confirmation_deadline=planned + dt.timedelta(days=5),
        ),
    )
    rounds.round_schools_set(
        actor=world.department, round=r, places=[SchoolPlace(world.school_b, 1)]
    )
    rounds.round_open(actor=world.department, round=r)
    before = timezone.now().replace(second=0, microsecond=0)
    r = rounds.round_close(actor=world.department, round=r)
    stored = AdmissionRound.objects.get(pk=r.pk)
    assert stored.status == RoundStatus.CLOSED
    assert before <= stored.registration_closes <= timezone.now()
    assert stored.registration_closes.second == stored.registration_closes.microsecond == 0
    assert stored.results_publish_at == planned + dt.timedelta(days=1)
    entry = AuditEntry.objects.get(object_id=str(r.pk), action="admissions.round_close")
    assert entry.before == {"status": "open", "registration_closes": planned.isoformat()}
    assert entry.after == {
        "status": "closed",
        "registration_closes": stored.registration_closes.isoformat(),
    }


def test_schools_set_validates_every_row(world):
    r = rounds.round_create(actor=world.bureau, organiser=world.bureau_unit, data=round_data())
    with pytest.raises(ValidationError) as exc:
        rounds.round_schools_set(
            actor=world.bureau,
            round=r,
            places=[
                SchoolPlace(world.school_a, 10),
                SchoolPlace(world.school_a, 5),
                SchoolPlace(world.school_c, 5),
                SchoolPlace(world.school_b, -1),
            ],
        )
    assert exc.value.message_dict["schools"] == [
        "Row 2: Trường THCS An Bài is listed twice.",
        "Row 3: Trường THCS Đông Hợp is not a school of this organiser.",
        "Row 4: the quota of Trường THCS Quỳnh Hải must be a whole number, 0 or more.",
    ]
    assert RoundSchool.objects.count() == 0


def test_schools_set_replaces_quotas_but_keeps_named_schools(world):
    r = make_round(world, status=RoundStatus.OPEN)
    apply(r, "HS0001", [world.school_c])
    rounds.round_schools_set(
        actor=world.department,
        round=r,
        places=[SchoolPlace(world.school_a, 30, "KV1"), SchoolPlace(world.school_c, 10)],
    )
    assert sorted(
        RoundSchool.objects.filter(round=r).values_list("school__code", "quota", "zone")
    ) == [
        ("34020001", 10, ""),
        ("34070001", 30, "KV1"),
    ]
    with pytest.raises(ValidationError, match="Applications already name"):
        rounds.round_schools_set(
            actor=world.department, round=r, places=[SchoolPlace(world.school_a, 30)]
        )
    assert RoundSchool.objects.filter(round=r).count() == 2


def test_engine_penalties_and_weights(world):
    r = make_round(world)
    assert rounds.engine_penalties(r) == (Decimal(1), Decimal(2))
    assert [c for c, _n, _w in rounds.subject_weights(r)] == ["toan", "van", "anh"]


def test_refusals_in_vietnamese_by_default(world):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        rounds.round_create(
            actor=world.department,
            organiser=world.department_unit,
            data=round_data(penalties=["0", "2", "1"]),
        )
    assert exc.value.message_dict["penalties"] == [
        "Điểm chênh của NV3 (1) thấp hơn của NV2: điểm chênh không được giảm dần."
    ]
