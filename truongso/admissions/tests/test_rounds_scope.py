"""Who sees which admission rows: the organiser's subtree everything of its rounds; a school
the rounds it takes part in and only the applications naming it or admitted to it; parents,
teachers and other areas nothing."""

from __future__ import annotations

import pytest

from truongso.admissions.models import AdmissionRound, Application, AssignmentRun, RunResult
from truongso.admissions.services import runs
from truongso.admissions.tests.rounds_world import apply, make_round
from truongso.core import authz
from truongso.core.authz import SYSTEM, Perm

pytestmark = pytest.mark.django_db


def codes(user, perm=Perm.ADMISSION_VIEW):
    return sorted(authz.scope(user, perm, Application.objects.all()).values_list("code", flat=True))


@pytest.fixture
def round10(world):
    r = make_round(world, quotas=(1, 1, 1))
    apply(r, "HS0001", [world.school_a], score="27")
    apply(r, "HS0002", [world.school_b, world.school_c], score="26")
    apply(r, "HS0003", [world.school_c], score="25")
    return r


def test_applications_by_reach(world, round10):
    assert codes(world.department) == ["HS0001", "HS0002", "HS0003"]
    assert codes(world.ministry) == ["HS0001", "HS0002", "HS0003"]
    assert codes(world.principal) == ["HS0001"]
    assert codes(world.vice) == ["HS0001"]
    assert codes(world.principal_c) == ["HS0002", "HS0003"]
    assert codes(world.bureau) == ["HS0001", "HS0002"]  # schools A and B are in Quỳnh Phụ
    assert codes(world.other_bureau) == ["HS0002", "HS0003"]
    for user in (world.parent, world.teacher, world.homeroom, world.student, world.clerk):
        assert codes(user) == []
    assert codes(world.principal, Perm.ADMISSION_MANAGE) == []


def test_admitted_school_sees_the_application_it_admitted(world, round10):
    run = runs.run_create(actor=SYSTEM, round=round10)
    runs.run_publish(actor=SYSTEM, run=run)
    Application.objects.filter(code="HS0001").update(admitted_school=world.school_c)
    assert codes(world.principal_c) == ["HS0001", "HS0002", "HS0003"]


def test_rounds_runs_and_results_by_reach(world, round10):
    own = AdmissionRound.objects.create(
        organiser=world.bureau_unit,
        name="Đợt Quỳnh Phụ",
        kind="grade6",
        registration_opens=round10.registration_opens,
        registration_closes=round10.registration_closes,
    )
    run = runs.run_create(actor=SYSTEM, round=round10)

    def names(user):
        qs = authz.scope(user, Perm.ADMISSION_VIEW, AdmissionRound.objects.all())
        return sorted(qs.values_list("name", flat=True))

    assert names(world.department) == sorted([round10.name, own.name])
    assert names(world.bureau) == sorted([round10.name, own.name])
    assert names(world.principal_c) == [round10.name]
    assert names(world.parent) == []
    assert (
        authz.scope(world.principal_c, Perm.ADMISSION_VIEW, AssignmentRun.objects.all()).count()
        == 1
    )
    results = authz.scope(world.principal_c, Perm.ADMISSION_VIEW, RunResult.objects.filter(run=run))
    assert sorted(results.values_list("application__code", flat=True)) == ["HS0002", "HS0003"]
    assert authz.scope(world.parent, Perm.ADMISSION_VIEW, RunResult.objects.all()).count() == 0
