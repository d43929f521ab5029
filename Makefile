# Trường Số — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench install messages serve clean format

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Trường Số needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

messages: install
	$(BIN)/python scripts/compile_messages.py

demo: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --if-empty --logins-json var/demo-logins.json
	$(BIN)/python manage.py seed_gradebook_demo --if-empty
	$(BIN)/python manage.py seed_payments_demo --if-empty
	$(BIN)/python manage.py seed_reportcards_demo --if-empty
	$(BIN)/python manage.py seed_admissions_demo --if-empty
	TRUONGSO_DEMO=1 sh scripts/demo-serve.sh

# The suite runs on every core (at most 4 workers, each with its own test database);
# `make test PYTEST_ARGS=` runs it in one process, e.g. to read a failure in order.
PYTEST_ARGS ?= -n auto --maxprocesses 4

test: messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy truongso
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmarks serve real pages with gunicorn (DEBUG off): they need the collected static files.
bench: messages
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
