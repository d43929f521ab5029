"""The settings module: environment, ``*_FILE`` secrets, loud failures, secure defaults.

Each case loads the real ``truongso.settings`` in a fresh Python process with only the
variables given, so nothing of the test run (pytest's overrides, ``TESTING``) leaks in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "truongso.settings"
try:
    import django
    django.setup()
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    sys.exit(0)
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
names = sys.argv[1:]
out = {name: getattr(settings, name) for name in names}
out["_hasher"] = get_hasher().algorithm
print(json.dumps(out, default=str))
"""


def load(tmp_path: Path, names: list[str], **env: str) -> dict[str, Any]:
    """The named settings as a fresh process with exactly ``env`` (plus PATH) sees them."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TRUONGSO_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE, *names],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def failure(tmp_path: Path, **env: str) -> str:
    result = load(tmp_path, [], **env)
    assert result.get("error") == "ImproperlyConfigured", result
    return str(result["message"])


def test_no_configuration_runs_on_sqlite_with_a_kept_random_key(tmp_path):
    first = load(tmp_path, ["SECRET_KEY", "DATABASES", "DEBUG", "CELERY_BROKER_URL"])
    again = load(tmp_path, ["SECRET_KEY"])
    assert len(first["SECRET_KEY"]) >= 50 and first["SECRET_KEY"] == again["SECRET_KEY"]
    key_file = tmp_path / "var" / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    database = first["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "truongso.sqlite3")
    assert first["DEBUG"] is False
    assert first["CELERY_BROKER_URL"] == "filesystem://"


def test_secrets_are_read_from_files(tmp_path):
    (tmp_path / "key").write_text("  key-from-a-docker-secret\n", encoding="utf-8")
    (tmp_path / "db").write_text("postgres://app:pw@db.internal:5433/truongso\n", encoding="utf-8")
    result = load(
        tmp_path,
        ["SECRET_KEY", "DATABASES"],
        SECRET_KEY_FILE=str(tmp_path / "key"),
        DATABASE_URL_FILE=str(tmp_path / "db"),
    )
    assert result["SECRET_KEY"] == "key-from-a-docker-secret"
    database = result["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5433,
        "truongso",
    )
    assert (database["USER"], database["PASSWORD"]) == ("app", "pw")
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True


def test_an_unreadable_secret_file_names_the_variable(tmp_path):
    message = failure(tmp_path, SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert message.startswith("SECRET_KEY_FILE=")
    assert "cannot be read" in message


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"TRUONGSO_DEMO": "sometimes"}, "TRUONGSO_DEMO"),
        ({"DB_POOL": "2", "DATABASE_URL": "postgres://u@h/d"}, "DB_POOL"),
    ],
)
def test_a_bad_boolean_stops_start_up_naming_the_variable(tmp_path, env, variable):
    message = failure(tmp_path, **env)
    assert message.startswith(f"{variable}=")
    assert "is not a boolean" in message


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SESSION_COOKIE_AGE": "8h"}, "SESSION_COOKIE_AGE"),
        ({"LOGIN_FAILURE_LIMIT": "five"}, "LOGIN_FAILURE_LIMIT"),
        ({"CONN_MAX_AGE": "forever", "DATABASE_URL": "postgres://u@h/d"}, "CONN_MAX_AGE"),
        ({"IMPORT_MAX_ROWS": "1e6"}, "IMPORT_MAX_ROWS"),
    ],
)
def test_a_bad_integer_stops_start_up_naming_the_variable(tmp_path, env, variable):
    message = failure(tmp_path, **env)
    assert message.startswith(f"{variable}=")
    assert "is not an integer" in message


@pytest.mark.parametrize("url", ["notaurl", "postgress://u@h/d"])
def test_a_bad_database_url_stops_start_up_naming_the_variable(tmp_path, url):
    assert failure(tmp_path, DATABASE_URL=url).startswith("DATABASE_URL is not a database URL")


def test_postgres_pool_replaces_persistent_connections(tmp_path):
    result = load(
        tmp_path,
        ["DATABASES"],
        DATABASE_URL="postgres://u@h/d",
        DB_POOL="1",
        DB_POOL_SIZE="20",
    )
    database = result["DATABASES"]["default"]
    assert database["OPTIONS"] == {"pool": {"min_size": 2, "max_size": 20}}
    assert database["CONN_MAX_AGE"] == 0


def test_argon2_comes_first_in_the_real_settings(tmp_path):
    result = load(tmp_path, ["PASSWORD_HASHERS"])
    assert result["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert result["_hasher"] == "argon2"


def test_https_site_root_makes_cookies_secure(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "X_FRAME_OPTIONS",
    ]
    secure = load(tmp_path, names, SITE_ROOT="https://truongso.thaibinh.example/")
    assert secure["SESSION_COOKIE_SECURE"] is True
    assert secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_SSL_REDIRECT"] is True
    assert secure["SECURE_HSTS_SECONDS"] == 31536000
    assert secure["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert secure["CSRF_TRUSTED_ORIGINS"] == ["https://truongso.thaibinh.example"]
    assert secure["SESSION_COOKIE_HTTPONLY"] is True
    assert secure["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert secure["X_FRAME_OPTIONS"] == "DENY"
    plain = load(tmp_path, names[:4])
    assert plain == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "_hasher": "argon2",
    }


def test_redis_url_moves_cache_sessions_and_queue_to_redis(tmp_path):
    names = ["CACHES", "SESSION_ENGINE", "CELERY_BROKER_URL", "ALLOWED_HOSTS"]
    result = load(
        tmp_path,
        names,
        REDIS_URL="redis://cache.internal:6379/2",
        ALLOWED_HOSTS="truongso.example, app1.internal ,",
    )
    assert result["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert result["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert result["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert result["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert result["ALLOWED_HOSTS"] == ["truongso.example", "app1.internal"]


def test_vietnamese_first_in_ho_chi_minh_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True


def test_vietnamese_dates_and_numbers_render_the_vietnamese_way():
    day = dt.date(2026, 9, 5)
    moment = dt.datetime(2026, 9, 5, 0, 30, tzinfo=dt.UTC)
    template = Template(
        "{% load l10n %}{{ day|date:'SHORT_DATE_FORMAT' }}|{{ day }}|{{ moment }}|{{ score }}"
    )
    with translation.override("vi"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "05/09/2026"
        assert formats.number_format(Decimal("7.5"), 1) == "7,5"
        assert formats.number_format(1234567, use_l10n=True, force_grouping=True) == "1.234.567"
        rendered = template.render(Context({"day": day, "moment": moment, "score": Decimal("7.5")}))
    # 00:30 UTC is 07:30 in Hà Nội.
    assert rendered == "05/09/2026|05/09/2026|07:30 05/09/2026|7,5"
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "05/09/2026"
        assert formats.number_format(Decimal("7.5"), 1) == "7.5"
