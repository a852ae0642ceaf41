#!/usr/bin/env bash
# make test: install what is missing, start a throw-away PostgreSQL, run ruff, mypy and the
# whole pytest suite on PostgreSQL in parallel (one database per pytest-xdist worker), then
# what differs on SQLite (marker "sqlite"), then the date-sensitive tests (marker "clock") on
# SQLite as if today were other days, some of them on the newest Django (scripts/django-next.sh);
# stop what it started and print the time of each stage.
# Extra arguments go to every pytest run (e.g. -m e2e, -k name).
#   FUPIN_TEST_WORKERS  pytest processes (default: the number of cores)
#   FUPIN_SQLITE_RUN=0  skip the SQLite stage;  FUPIN_CLOCK_RUN=0  skip the other days
#   FUPIN_NEXT_RUN=0    skip the stage on the newest Django
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy
suite_start=$(date +%s)
stages=()
stage_start=$suite_start
lap() {  # lap NAME: record the time since the last lap
  local now; now=$(date +%s)
  stages+=("$(printf '%-44s %4d s' "$1" $((now - stage_start)))")
  stage_start=$now
}
report() {
  local rc=$?
  echo "== 用时 / time of each stage =="
  for s in "${stages[@]}"; do echo "  $s"; done
  echo "  $(printf '%-44s %4d s' "total" $(($(date +%s) - suite_start)))"
  [ "$(type -t pg_stop)" = function ] && pg_stop
  exit $rc
}
trap report EXIT

bash scripts/apt.sh postgresql chromium fonts-noto-cjk poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0
bash scripts/bootstrap.sh
VENV=.venv/bin
$VENV/fupin compilemessages --ignore=.venv -v 0
lap "setup (packages, virtualenv, messages)"

bash scripts/lint.sh
lap "lint (ruff, import layers, mypy, migrations)"

source scripts/pg.sh
pg_start
mkdir -p test-results
WORKERS=${FUPIN_TEST_WORKERS:-$(nproc)}
PYTEST=($VENV/pytest -q -n "$WORKERS" --dist worksteal)

echo "== pytest on PostgreSQL (everything, $WORKERS processes, today pinned to ${FUPIN_TEST_TODAY:-the default day}) =="
"${PYTEST[@]}" --durations=15 --output=test-results "$@"
lap "pytest on PostgreSQL (everything)"

if [ "${FUPIN_SQLITE_RUN:-1}" = "1" ]; then
  echo "== pytest on SQLite (what branches on the database: marker sqlite) =="
  sqlite_dir=$(mktemp -d)
  DATABASE_URL="sqlite:///$sqlite_dir/test.sqlite3" "${PYTEST[@]}" -m "sqlite and not pgonly and not e2e" "$@" || [ $? -eq 5 ]
  rm -rf "$sqlite_dir"
  lap "pytest on SQLite (marker sqlite)"
fi

if [ "${FUPIN_CLOCK_RUN:-1}" = "1" ]; then
  # the date-sensitive tests on SQLite (dates do not depend on the database) as if today were a
  # month and year end (Django 5.2, as above) ...
  for day in ${FUPIN_CLOCK_DAYS:-2026-12-31}; do
    echo "== pytest as if today were $day (marker clock, SQLite) =="
    clock_dir=$(mktemp -d)
    FUPIN_TEST_TODAY=$day DATABASE_URL="sqlite:///$clock_dir/test.sqlite3" "${PYTEST[@]}" -m "clock and not e2e and not pgonly" \
      "$@" || [ $? -eq 5 ]  # 5: -k chose none of them
    rm -rf "$clock_dir"
    lap "pytest as if today were $day (marker clock)"
  done
fi

if [ "${FUPIN_NEXT_RUN:-1}" = "1" ]; then
  # ... and on the newest Django (6.x) as if today were 1 January, a statutory holiday (New
  # Year's Day): the date-sensitive tests and those that branch on the database, so that the
  # next Django release cannot break the project unseen. The whole suite there: make test-django-next
  day=${FUPIN_NEXT_DAY:-2026-01-01}
  echo "== pytest on the newest Django as if today were $day (markers clock or sqlite, SQLite) =="
  next_dir=$(mktemp -d)
  FUPIN_TEST_TODAY=$day DATABASE_URL="sqlite:///$next_dir/test.sqlite3" bash scripts/django-next.sh \
    -q -n "$WORKERS" --dist worksteal -m "(clock or sqlite) and not e2e and not pgonly" "$@" || [ $? -eq 5 ]
  rm -rf "$next_dir"
  lap "pytest on Django 6.x as if today were $day"
fi
