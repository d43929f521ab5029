from truongso.registry.models.calendar import SchoolYear, Semester
from truongso.registry.models.curriculum import GradeSubject, Subject
from truongso.registry.models.enrolment import (
    EnrolmentEvent,
    EventKind,
    Placement,
    RegisterEntry,
    TransferRequest,
    TransferStatus,
)
from truongso.registry.models.jobs import ImportJob, ImportKind, ImportStatus
from truongso.registry.models.org import OrgUnit
from truongso.registry.models.people import SchoolClass, Staff, TeachingAssignment
from truongso.registry.models.students import Guardian, Student, StudentGuardian, StudentStatus

__all__ = [
    "EnrolmentEvent",
    "EventKind",
    "GradeSubject",
    "Guardian",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "OrgUnit",
    "Placement",
    "RegisterEntry",
    "SchoolClass",
    "SchoolYear",
    "Semester",
    "Staff",
    "Student",
    "StudentGuardian",
    "StudentStatus",
    "Subject",
    "TeachingAssignment",
    "TransferRequest",
    "TransferStatus",
]
