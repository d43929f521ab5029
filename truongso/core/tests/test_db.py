from django.db import connection

from truongso.core.db import planner_statistics_refresh
from truongso.registry.models import Student


def test_statistics_refresh_runs_on_this_database(world):
    planner_statistics_refresh(Student)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1")
            assert cursor.fetchone()[0] > 0
