"""Reads of the import and export pages, scoped by the authorization layer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.registry.models import ImportJob, OrgUnit


def import_job_list(user: Any) -> QuerySet[ImportJob]:
    """Jobs over the units where the user may import (DATA_IMPORT), newest first."""
    jobs = authz.scope(user, Perm.DATA_IMPORT, ImportJob.objects.all())
    return jobs.select_related("org_unit", "school_year", "created_by").order_by(
        "-created_at", "-pk"
    )


def import_job_detail(user: Any, pk: int) -> ImportJob:
    job = import_job_list(user).select_related("applied_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def units_for(user: Any, perm: Perm) -> QuerySet[OrgUnit]:
    """Open units (offices and schools) under the user's whole-node grants of ``perm``."""
    units = OrgUnit.objects.filter(is_active=True)
    if not (getattr(user, "is_superuser", False) and user.is_active):
        units = units.filter(authz.path_q("path", authz.grant_roots(user, perm)))
    return units.order_by("path")


def export_school(user: Any, code: str) -> OrgUnit | None:
    """The unit named by ``code`` in an export's filters, within the user's export scope;
    404 when it is outside (never reveal that it exists), ``None`` when no code is given."""
    code = code.strip()
    if not code:
        return None
    unit = units_for(user, Perm.DATA_EXPORT).filter(code=code.upper()).first()
    if unit is None:
        raise Http404
    return unit
