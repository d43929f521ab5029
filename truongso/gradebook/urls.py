"""Gradebook pages: entry (grids, homeroom records, deadlines, closing, late changes) and
results (class, school and district results, lists, charts, a student's report)."""

from truongso.gradebook import urls_entry, urls_results

app_name = "gradebook"
urlpatterns = [*urls_entry.urlpatterns, *urls_results.urlpatterns]
