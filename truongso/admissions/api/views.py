"""Admission rounds and runs for the department's systems: the same services and selectors
as the pages. Reads are scoped; writes need ADMISSION_MANAGE at the round's organiser."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.admissions import selectors
from truongso.admissions.api import serializers as s
from truongso.admissions.services import confirm as confirm_services
from truongso.admissions.services import rounds as round_services
from truongso.admissions.services import runs as run_services
from truongso.admissions.services import scores as score_services
from truongso.admissions.services import zones as zone_services
from truongso.core import authz
from truongso.core.authz import Perm
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.models import OrgUnit


def _unit(pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _no_exam_settings(data: dict[str, Any]) -> None:
    """A zone run has no scores: what-if penalties or a tie rule would be silently ignored."""
    problems: dict[str, list[str]] = {}
    if data.get("penalties") is not None:
        problems["penalties"] = [_("Placement by zone uses no penalties: there is no exam.")]
    if data.get("tie_rule") is not None:
        problems["tie_rule"] = [
            _("Placement by zone uses no tie rule: free places go by the published lottery.")
        ]
    if problems:
        raise ValidationError(problems)


class RoundViewSet(ApiViewSet):
    @extend_schema(
        summary="Admission rounds you may see", responses={200: s.RoundSerializer(many=True)}
    )
    def list(self, request: Request) -> Response:
        return self.page(selectors.rounds_visible(request.user), s.RoundSerializer)

    @extend_schema(summary="One round", responses={200: s.RoundSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(selectors.round_get(request.user, pk), s.RoundSerializer)

    @extend_schema(
        summary="Create a round (in preparation)",
        request=s.RoundInputSerializer,
        responses={201: s.RoundSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.RoundInputSerializer)
        organiser_pk = data.pop("organiser", None)
        roots = authz.grant_roots(request.user, Perm.ADMISSION_MANAGE)
        if organiser_pk is None:
            unit = OrgUnit.objects.filter(path__in=roots).order_by("path").first()
            if unit is None:
                raise PermissionDenied
        else:
            unit = _unit(organiser_pk)
        r = round_services.round_create(actor=request.user, organiser=unit, data=data)
        return self.show(r, s.RoundSerializer, status=201)

    @extend_schema(
        summary="Change a round's rules (while allowed)",
        request=s.RoundInputSerializer,
        responses={200: s.RoundSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        data = self.parse(s.RoundInputSerializer, partial=True)
        data.pop("organiser", None)
        r = round_services.round_update(actor=request.user, round=r, data=data)
        return self.show(r, s.RoundSerializer)

    @extend_schema(
        summary="Schools, quotas, applications per preference and confirmation progress",
        responses={200: s.SchoolDemandSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def schools(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        return self.listing(selectors.round_demand(r), s.SchoolDemandSerializer)

    @extend_schema(
        summary="Set the schools and quotas",
        request=s.PlacesSerializer,
        responses={200: s.SchoolDemandSerializer(many=True), **errors(400, 403, 404)},
    )
    @schools.mapping.put
    def schools_set(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        data = self.parse(s.PlacesSerializer)
        places = [
            round_services.SchoolPlace(_unit(p["school"]), p["quota"], p["zone"], p["is_open"])
            for p in data["schools"]
        ]
        round_services.round_schools_set(actor=request.user, round=r, places=places)
        return self.listing(selectors.round_demand(r), s.SchoolDemandSerializer)

    @extend_schema(
        summary="Open registration",
        request=None,
        responses={200: s.RoundSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        return self.show(round_services.round_open(actor=request.user, round=r), s.RoundSerializer)

    @extend_schema(
        summary="Close registration",
        request=None,
        responses={200: s.RoundSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        return self.show(round_services.round_close(actor=request.user, round=r), s.RoundSerializer)

    @extend_schema(
        summary="After the confirmation deadline: release unconfirmed places; returns the "
        "second round (a draft with the places left; the same one if called again)",
        request=None,
        responses={200: s.RoundSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        second = confirm_services.round_release_unconfirmed(actor=request.user, round_=r)
        return self.show(second, s.RoundSerializer)

    @extend_schema(
        summary="Import exam scores (CSV text; all rows or none)",
        request=s.ScoresInputSerializer,
        responses={200: None, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: int) -> Response:
        r = selectors.round_get(request.user, pk)
        data = self.parse(s.ScoresInputSerializer)
        result = score_services.scores_import(
            actor=request.user, round=r, content=data["csv"].encode(), filename=data["filename"]
        )
        return Response(result.__dict__)


class RunViewSet(ApiViewSet):
    @extend_schema(
        summary="Runs of a round",
        parameters=[OpenApiParameter("round", int, required=True)],
        responses={200: s.RunSerializer(many=True), **errors(404)},
    )
    def list(self, request: Request) -> Response:
        value = request.query_params.get("round", "")
        if not value.isdigit():
            raise Http404
        r = selectors.round_get(request.user, int(value))
        return self.page(selectors.runs_of(request.user, r).defer(None), s.RunSerializer)

    @extend_schema(
        summary="One run with its summary", responses={200: s.RunSerializer, **errors(404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(selectors.run_get(request.user, pk), s.RunSerializer)

    @extend_schema(
        summary="Run the assignment (with optional what-if quotas, penalties, tie rule)",
        description=(
            "A grade-10 round runs the exam engine (cut-offs, NV2/NV3 penalties, tie rule). "
            "A grade-1/6 round is placed by residence zone (in-zone children first, then "
            "the published lottery): only `label` and `quotas` apply there; `penalties` and "
            "`tie_rule` are refused."
        ),
        request=s.RunInputSerializer,
        responses={201: s.RunSerializer, **errors(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(s.RunInputSerializer)
        r = selectors.round_get(request.user, data["round"])
        # 403 before any 400 about the what-if settings (the services check it again).
        round_services.require_manage(request.user, r.organiser)
        raw = data.get("quotas", {})
        if any(not str(k).isdigit() for k in raw):
            raise ValidationError({"quotas": [_("Quotas are given by school id (a number).")]})
        quotas = {int(k): v for k, v in raw.items()}
        if r.kind in zone_services.ZONE_KINDS:  # grades 1 and 6: by zone, as the runs page
            _no_exam_settings(data)
            run = zone_services.zone_run_create(
                actor=request.user, round=r, label=data["label"], quotas=quotas
            )
        else:
            run = run_services.run_create(
                actor=request.user,
                round=r,
                label=data["label"],
                quotas=quotas,
                penalties=data.get("penalties"),
                tie_rule=data.get("tie_rule"),
            )
        return self.show(run, s.RunSerializer, status=201)

    @extend_schema(
        summary="Publish this run (parents see it from `at`, now by default)",
        request=s.PublishInputSerializer,
        responses={200: s.RunSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: int) -> Response:
        run = selectors.run_get(request.user, pk)
        data = self.parse(s.PublishInputSerializer)
        run = run_services.run_publish(actor=request.user, run=run, at=data.get("at"))
        return self.show(run, s.RunSerializer)

    @extend_schema(
        summary="Every application's result in this run (highest score first)",
        parameters=[OpenApiParameter("school", int), OpenApiParameter("reason", str)],
        responses={200: s.ResultSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: int) -> Response:
        run = selectors.run_get(request.user, pk)
        school = request.query_params.get("school", "")
        rows = selectors.run_results(
            request.user,
            run,
            school_id=int(school) if school.isdigit() else None,
            reason=request.query_params.get("reason", ""),
        )
        return self.page(rows, s.ResultSerializer)

    @extend_schema(
        summary="Compare with another run of the same round",
        parameters=[OpenApiParameter("with", int, required=True)],
        responses={200: None, **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, pk: int) -> Response:
        a = selectors.run_get(request.user, pk)
        other = request.query_params.get("with", "")
        if not other.isdigit():
            raise Http404
        b = selectors.run_get(request.user, int(other))
        c = run_services.runs_compare(a, b)
        return Response(
            {
                "a": a.pk,
                "b": b.pk,
                "moved": c.moved,
                "schools": [
                    {
                        "school_id": x.school_id,
                        "name": x.name,
                        "quota": [x.quota_a, x.quota_b],
                        "admitted": [x.admitted_a, x.admitted_b],
                        "cutoff": [
                            None if x.cutoff_a is None else str(x.cutoff_a),
                            None if x.cutoff_b is None else str(x.cutoff_b),
                        ],
                    }
                    for x in c.schools
                ],
            }
        )
