"""Registry pages. Each area keeps its own URL list; names live in the ``registry`` namespace."""

from truongso.registry import urls_io, urls_org, urls_students

app_name = "registry"
urlpatterns = [*urls_students.urlpatterns, *urls_org.urlpatterns, *urls_io.urlpatterns]
