"""The department's admission pages (rounds, quotas, scores, runs, statistics)."""

from django.urls import path

from truongso.admissions import views_demo as d
from truongso.admissions import views_rounds as v
from truongso.admissions import views_zones as z

app_name = "admission_rounds"
urlpatterns = [
    path("", v.round_list, name="list"),
    path("new/", v.round_create, name="create"),
    path("<int:pk>/", v.round_detail, name="detail"),
    path("<int:pk>/edit/", v.round_edit, name="edit"),
    path("<int:pk>/schools/", v.round_schools, name="schools"),
    path("<int:pk>/scores/", v.scores_upload, name="scores"),
    path("<int:pk>/step/<str:step>/", v.round_step, name="step"),
    path("<int:pk>/release/", v.round_release, name="release"),
    path("<int:pk>/runs/", v.run_list, name="runs"),
    path("<int:pk>/statistics/", v.round_stats, name="stats"),
    path("<int:pk>/statistics.xlsx", v.round_stats_xlsx, name="stats_xlsx"),
    path("<int:pk>/score-sheet.xlsx", v.score_sheet_xlsx, name="score_sheet"),
    path("<int:pk>/demo-scores.csv", d.demo_score_file, name="demo_scores"),
    path("<int:pk>/codes/", z.codes_page, name="codes"),
    path("<int:pk>/codes.xlsx", z.codes_xlsx, name="codes_xlsx"),
    path("runs/<int:pk>/", v.run_detail, name="run"),
    path("runs/<int:pk>/results.xlsx", v.run_results_xlsx, name="run_xlsx"),
    path("runs/<int:pk>/compare/", v.run_compare, name="compare"),
    path("runs/<int:pk>/publish/", v.run_publish, name="publish"),
]
