"""Which assessment scheme (and so which rule engine) applies to a class."""

from __future__ import annotations

from truongso.gradebook.models import AssessmentScheme, SchemeUse
from truongso.gradebook.rules.engine import BaseEngine, SubjectSpec, engine_for, specs_for
from truongso.registry.models import GradeSubject, SchoolClass, SchoolYear
from truongso.registry.reference import level_of_grade


def scheme_for(school_year: SchoolYear, grade: int) -> AssessmentScheme:
    """The scheme in use for the grade's level that year, else the default for the level
    (``params["levels"]``): a new school year needs no set-up, a new circular a new row."""
    level = level_of_grade(grade)
    use = SchemeUse.objects.filter(school_year=school_year, level=level).select_related("scheme")
    found = use.first()
    if found is not None:
        return found.scheme
    for scheme in AssessmentScheme.objects.order_by("-code"):
        if level in scheme.params.get("levels", []):
            return scheme
    raise LookupError(f"No assessment scheme for level {level}")


def engine_for_class(school_class: SchoolClass) -> BaseEngine:
    scheme = scheme_for(school_class.school_year, school_class.grade)
    return engine_for(scheme.engine, scheme.params)


def subject_specs(grade: int) -> dict[str, SubjectSpec]:
    """The subjects of a grade, in curriculum order."""
    rows = GradeSubject.objects.filter(grade=grade).select_related("subject").order_by("order")
    return specs_for(list(rows))
