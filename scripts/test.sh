#!/usr/bin/env bash
# make test: install what is missing, start a throw-away PostgreSQL, run ruff, mypy and
# the whole pytest suite on PostgreSQL, then the core and service tests on SQLite; stop
# what it started. Extra arguments go to both pytest runs (e.g. -m e2e, -k name).
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy
bash scripts/apt.sh postgresql chromium fonts-noto-cjk poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0
bash scripts/bootstrap.sh
VENV=.venv/bin
$VENV/fupin compilemessages --ignore=.venv -v 0

echo "== ruff =="; $VENV/ruff check src tests bench
echo "== mypy (strict on fupin.core) =="; $VENV/mypy

source scripts/pg.sh
trap pg_stop EXIT
pg_start
mkdir -p test-results

echo "== pytest on PostgreSQL (everything) =="
$VENV/pytest -q --output=test-results "$@"

if [ "${FUPIN_SQLITE_RUN:-1}" = "1" ]; then
  echo "== pytest on SQLite (core and services) =="
  sqlite_dir=$(mktemp -d)
  DATABASE_URL="sqlite:///$sqlite_dir/test.sqlite3" $VENV/pytest -q -m "not e2e and not pgonly" "$@"
  rm -rf "$sqlite_dir"
fi
