"""The tables bulk loads fill, whose planner statistics are refreshed afterwards."""

from truongso.core.models import AuditEntry
from truongso.registry.models.enrolment import EnrolmentEvent, Placement, RegisterEntry
from truongso.registry.models.people import SchoolClass, Staff, TeachingAssignment
from truongso.registry.models.students import Guardian, Student, StudentGuardian

STATISTICS_TABLES = (
    Student,
    Guardian,
    StudentGuardian,
    Placement,
    EnrolmentEvent,
    RegisterEntry,
    SchoolClass,
    Staff,
    TeachingAssignment,
    AuditEntry,
)
