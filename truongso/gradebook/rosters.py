"""Who belongs in a class's gradebook for a semester."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from truongso.registry.models import Placement, SchoolClass, Semester, Student


def semester_of(school_class: SchoolClass, number: int) -> Semester:
    return Semester.objects.get(school_year=school_class.school_year_id, number=number)


def roster(school_class: SchoolClass, semester: int) -> QuerySet[Student]:
    """Students placed in the class at any time during the semester (those who left or
    arrived mid-semester included), in name order."""
    term = semester_of(school_class, semester)
    placed = Placement.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=term.start_date),
        school_class=school_class,
        start_date__lte=term.end_date,
    ).values("student_id")
    return Student.objects.filter(pk__in=placed).order_by("search_name", "pk")
