"""Integrity checks of the enrolment data: what must always hold, whatever wrote it.

Run by ``manage.py check_registry`` in operations and by the tests after every bulk path
(imports, demo seeding) so that a fast path can never quietly drift from the services.
"""

from __future__ import annotations

from django.db.models import Count, F, Q

from truongso.registry.models import Placement, RegisterEntry, Student, StudentStatus


def enrolment_problems(limit: int = 20) -> list[str]:
    """Human-readable descriptions of broken invariants (empty when all is well)."""
    problems: list[str] = []
    studying = Student.objects.filter(status=StudentStatus.STUDYING)

    open_counts = studying.annotate(
        open=Count("placements", filter=Q(placements__end_date__isnull=True))
    ).exclude(open=1)
    problems += [f"student {s.pk}: {s.open} open placements" for s in open_counts[:limit]]

    wrong_class = Placement.objects.filter(end_date__isnull=True).exclude(
        student__current_class=F("school_class")
    )
    problems += [
        f"student {p.student_id}: current class differs from its open placement"
        for p in wrong_class[:limit]
    ]

    elsewhere = Placement.objects.filter(
        end_date__isnull=True, student__status=StudentStatus.STUDYING
    ).exclude(school_class__school=F("student__school"))
    problems += [
        f"student {p.student_id}: open placement at another school" for p in elsewhere[:limit]
    ]

    no_register = studying.exclude(
        pk__in=RegisterEntry.objects.filter(
            left_on__isnull=True, school=F("student__school")
        ).values("student_id")
    )
    problems += [
        f"student {s.pk}: no open enrolment-register line at its school"
        for s in no_register[:limit]
    ]

    closed_current = Student.objects.exclude(status=StudentStatus.STUDYING).filter(
        current_class__isnull=False
    )
    problems += [
        f"student {s.pk}: not studying but has a current class" for s in closed_current[:limit]
    ]
    return problems
