"""Database housekeeping shared by the bulk paths."""

from __future__ import annotations

from django.db import connection, models

# Below this many new rows the planner's statistics are still good enough.
ANALYZE_AFTER_ROWS = 5000


def planner_statistics_refresh(*tables: type[models.Model]) -> None:
    """Refresh the query planner's statistics after a bulk load.

    Without it PostgreSQL plans the first queries on freshly loaded tables as if they held
    one row (nested loops over thousands of rows; measured 34 ms instead of 1.5 ms for a
    page of the student list) until autovacuum catches up, and SQLite never gathers them.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(t._meta.db_table) for t in tables)
            cursor.execute(f"ANALYZE {names}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
