"""The real settings with persistent database connections, as production runs them.

``truongso.settings`` keeps PostgreSQL connections open (``CONN_MAX_AGE`` or the pool) but
leaves SQLite at Django's default of a new connection per request; the benchmark measures
the application as deployed, so SQLite keeps its connections here too.
"""

from truongso.settings import *  # noqa: F403
from truongso.settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = None
