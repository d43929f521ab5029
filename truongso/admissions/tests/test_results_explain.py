"""The parent's explanation rebuilt from the published run: ties, a quota of 0, exclusions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from truongso.admissions import results
from truongso.admissions.models import Application, RunResult
from truongso.admissions.tests.results_helpers import DURING, Published, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub(world: Any) -> Published:
    return published_round(world)


def _view(app: Application) -> results.ResultView:
    with translation.override("en"):
        return results.application_result(Application.objects.get(pk=app.pk), now=DURING)


def test_cutoffs_are_the_lowest_effective_score_of_full_schools(world: Any, pub: Published) -> None:
    cuts = results.run_cutoffs(pub.round, pub.run)
    assert cuts == {
        world.school_a.pk: results.SchoolCut(quota=2, admitted=2, cutoff=Decimal("24.50")),
        world.school_b.pk: results.SchoolCut(quota=1, admitted=1, cutoff=Decimal("27.50")),
    }


def test_a_lost_tie_and_a_school_without_places(world: Any, pub: Published) -> None:
    pub.run.params = {**pub.run.params, "tie_rule": "tiebreak"}
    pub.run.params["quotas"][str(world.school_b.pk)] = 0
    pub.run.save()
    Application.objects.filter(pk=pub.apps["hoa"].pk).update(admission_score=Decimal("24.50"))
    view = _view(pub.apps["hoa"])
    assert view.lines == [
        "NV1 Trường THCS An Bài: score 24.50 − penalty 0.00 = 24.50, equal to the cut-off "
        "24.50; others tied came first on the tie-break.",
        "NV2 Trường THCS Quỳnh Hải: the school admits nobody this round (quota 0).",
    ]
    assert not view.can_answer


def test_excluded_and_no_preference_headlines(pub: Published) -> None:
    hoa = pub.apps["hoa"]
    Application.objects.filter(pk=hoa.pk).update(excluded_reason="điểm 0 môn Toán")
    RunResult.objects.filter(application=hoa).update(reason="excluded")
    view = _view(hoa)
    assert (view.headline, view.lines) == ("Not admitted: excluded (điểm 0 môn Toán).", [])
    RunResult.objects.filter(application=hoa).update(reason="no_preferences")
    assert _view(hoa).headline == "Not admitted: no preference registered."


def test_admitted_at_nv1_can_answer_until_the_deadline(pub: Published) -> None:
    view = _view(pub.apps["lan"])
    assert view.headline == "Admitted to Trường THCS An Bài at preference 1."
    assert view.lines == ["NV1 Trường THCS An Bài: admitted (score 26.00 − penalty 0.00 = 26.00)."]
    assert view.can_answer
