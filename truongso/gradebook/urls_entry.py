"""Score entry: my gradebooks, the grid and its files, homeroom records, semesters of a
school (deadlines, closing), late-change requests and their approval."""

from django.urls import URLPattern, URLResolver, path

from truongso.gradebook.views import approvals, entry, homeroom, periods, xlsx

GRID = "classes/<int:class_pk>/subjects/<str:subject_code>/semester/<int:semester>/"
HOMEROOM = "classes/<int:pk>/semester/<int:semester>/"
PERIOD = "periods/<int:school_pk>/<int:year_pk>/<int:semester>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", entry.home, name="home"),
    path(GRID, entry.grid, name="grid"),
    path(f"{GRID}save/", entry.grid_save, name="grid_save"),
    path(f"{GRID}export.xlsx", xlsx.grid_export, name="grid_export"),
    path(f"{GRID}import/", xlsx.grid_import, name="grid_import"),
    path(f"{GRID}students/<int:student_pk>/history/", entry.cell_history, name="cell_history"),
    path(f"{GRID}students/<int:student_pk>/request/", approvals.late_change, name="late_change"),
    path(f"{HOMEROOM}homeroom/", homeroom.homeroom, name="homeroom"),
    path(f"{HOMEROOM}homeroom/save/", homeroom.homeroom_save, name="homeroom_save"),
    path(
        f"{HOMEROOM}homeroom/students/<int:student_pk>/request/",
        approvals.term_late_change,
        name="term_late_change",
    ),
    path(f"{HOMEROOM}overview/", homeroom.class_overview, name="class_overview"),
    path(PERIOD, periods.period, name="period"),
    path(f"{PERIOD}close/", periods.close, name="period_close"),
    path("approvals/", approvals.inbox, name="approvals"),
    path("approvals/mine/", approvals.mine, name="my_requests"),
    path("approvals/<int:pk>/decide/", approvals.decide, name="approval_decide"),
    path("approvals/<int:pk>/withdraw/", approvals.withdraw, name="approval_withdraw"),
    path("approvals/<int:pk>/resubmit/", approvals.resubmit, name="approval_resubmit"),
]
