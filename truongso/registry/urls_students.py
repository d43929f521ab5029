"""Student pages, enrolment actions, the transfer inbox and the enrolment register."""

from django.urls import URLPattern, URLResolver, path

from truongso.registry.views import students, students_enrolment, students_guardians
from truongso.registry.views import students_register as register

S = "students/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("students/", students.student_list, name="student_list"),
    path("students/new/", students.student_create, name="student_create"),
    path(S, students.student_detail, name="student_detail"),
    path(f"{S}edit/", students.student_edit, name="student_edit"),
    path(f"{S}learner-id/", students.student_learner_id, name="student_learner_id"),
    path(f"{S}guardians/new/", students_guardians.guardian_add, name="guardian_add"),
    path(
        f"{S}guardians/<int:link_pk>/edit/",
        students_guardians.guardian_edit,
        name="guardian_edit",
    ),
    path(
        f"{S}guardians/<int:link_pk>/remove/",
        students_guardians.guardian_remove,
        name="guardian_remove",
    ),
    path(f"{S}class/", students_enrolment.student_class_change, name="student_class_change"),
    path(f"{S}transfer/", students_enrolment.student_transfer, name="student_transfer"),
    path(f"{S}exit/", students_enrolment.student_exit, name="student_exit"),
    path(f"{S}return/", students_enrolment.student_return, name="student_return"),
    path("transfers/", students_enrolment.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/accept/", students_enrolment.transfer_accept, name="transfer_accept"),
    path(
        "transfers/<int:pk>/decline/",
        students_enrolment.transfer_decline,
        name="transfer_decline",
    ),
    path("transfers/<int:pk>/cancel/", students_enrolment.transfer_cancel, name="transfer_cancel"),
    path("schools/<int:pk>/register/", register.register, name="register"),
]
