from django.urls import URLPattern, URLResolver, path

from truongso.gradebook.views_results import classes, lists, report, summaries

urlpatterns: list[URLPattern | URLResolver] = [
    path("results/", summaries.results_home, name="results_home"),
    path("classes/<int:pk>/results/", classes.class_results, name="class_results"),
    path(
        "classes/<int:pk>/results/export/",
        classes.class_results_export,
        name="class_results_export",
    ),
    path("lists/", lists.lists, name="lists"),
    path("reports/", report.my_reports, name="my_reports"),
    path("students/<int:pk>/report/", report.student_report_page, name="student_report"),
]
