#!/bin/sh
# Serve the demo: one Celery worker (filesystem queue, no server needed) and gunicorn.
# PORT (default 8000) changes the port; Ctrl+C stops both.
set -eu
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
export TRUONGSO_DEMO="${TRUONGSO_DEMO:-1}"
# Text messages to parents (results, reminders, OTP codes) go to var/sms/outbox.jsonl, not
# the terminal: the seeded round texts its 2,000 parents. The OTP page shows the code anyway.
export ADMISSIONS_SMS_BACKEND="${ADMISSIONS_SMS_BACKEND:-file}"
$BIN/celery -A truongso --quiet worker --loglevel=WARNING --concurrency=1 --pool=solo \
    --without-gossip --without-mingle --hostname "demo-worker@%h" &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
$BIN/python manage.py demo_logins
echo
echo "Trường Số đang chạy tại http://127.0.0.1:$PORT  (Ctrl+C để dừng)"
echo "Trường Số is running at http://127.0.0.1:$PORT  (Ctrl+C to stop)"
$BIN/gunicorn truongso.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
    --access-logfile - --log-level warning
