# Fupin — run it, test it. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
VENV := .venv
FUPIN := $(VENV)/bin/fupin
HOST ?= 127.0.0.1
PORT ?= 8000
HOUSEHOLDS ?= 20000
SEED ?= 2026

.PHONY: run setup deps messages test test-django-next lint typecheck bench e2e clean

# the demo asks no second factor of its users (anyone may enrol under 两步验证); a real
# deployment keeps the default, FUPIN_TWO_FACTOR_ROLES=privileged (docs/operations.md)
DEMO_TWO_FACTOR ?=

run: setup  ## set up, then serve on http://127.0.0.1:8000
	@echo "Fupin 正在 http://$(HOST):$(PORT)/ 运行（Ctrl-C 停止）"
	FUPIN_TWO_FACTOR_ROLES="$(DEMO_TWO_FACTOR)" $(FUPIN) runserver $(HOST):$(PORT)

setup: deps messages  ## virtualenv, dependencies from the lock file, migrate, demo data if empty
	$(FUPIN) migrate --no-input -v 0
	$(FUPIN) collectstatic --no-input -v 0
	$(FUPIN) demo --if-empty --households $(HOUSEHOLDS) --seed $(SEED)
	$(FUPIN) cob

deps:
	@bash scripts/bootstrap.sh

messages:  # gettext for the catalogues; Chinese fonts and Pango for the printable PDFs (WeasyPrint)
	@bash scripts/apt.sh gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
	$(FUPIN) compilemessages --ignore=.venv -v 0

test:  ## install what the tests need, start PostgreSQL, run lint + types + the whole suite
	@bash scripts/test.sh

test-django-next: deps messages  ## the whole suite on the newest Django (6.x) and SQLite, browsers aside
	@bash scripts/django-next.sh -q -n auto --dist worksteal -m "not e2e and not pgonly"

lint: deps  ## ruff, the import layers (pyproject: tool.importlinter), mypy, no model change without its migration
	@bash scripts/lint.sh

e2e: deps messages
	@FUPIN_SQLITE_RUN=0 FUPIN_CLOCK_RUN=0 FUPIN_NEXT_RUN=0 bash scripts/test.sh -m e2e

bench: deps  ## benchmarks (figures, not pass/fail)
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) .venv-next var staticfiles test-results
