# riskctl — `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the suite
# on SQLite and on PostgreSQL.

VENV    ?= .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Two workers, each on its own database (SQLite file or a fresh PostgreSQL database); an
# idle worker takes tests queued for the other (the longest start first: tests/conftest.py).
PYTEST_ARGS ?= -n 2 --dist worksteal
# Python and pytest keep compiled modules (and pytest its rewritten test modules) in
# __pycache__ even where the environment says not to: every worker, fork server and
# child process of a run would compile the app and the suite again (~4 s per worker).
PYTEST  := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

.PHONY: run test test-sqlite test-postgres bench lint format migrate clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

run: migrate
	@if [ ! -f instance/.demo-loaded ]; then $(FLASK) demo && touch instance/.demo-loaded; fi
	@-$(FLASK) reports font
	@echo "riskctl 正在 http://127.0.0.1:5000 上运行（Ctrl+C 停止）"
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --workers 2 wsgi:app

test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed
	@echo "== test suite on SQLite =="
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed
	@if $(PY) -c "import psycopg, sys; psycopg.connect('$(subst +psycopg,,$(PG_URL))', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== test suite on PostgreSQL =="; \
		RISKCTL_TEST_DATABASE_URL='$(PG_URL)' $(PYTEST) $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL): CI requires it." >&2; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): ran the SQLite suite only."; \
	fi

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check riskctl tests bench tools
	$(VENV)/bin/ruff format --check riskctl tests bench tools
	$(VENV)/bin/lint-imports --no-cache
	$(PY) tools/module_sizes.py riskctl

format: $(VENV)/.installed
	$(VENV)/bin/ruff format riskctl tests bench tools
	$(VENV)/bin/ruff check --fix riskctl tests bench tools

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
