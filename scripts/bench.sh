#!/usr/bin/env bash
# make bench: benchmarks on a throw-away PostgreSQL (and SQLite where a benchmark says so).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt.sh postgresql
bash scripts/bootstrap.sh
source scripts/pg.sh
trap pg_stop EXIT
pg_start
.venv/bin/python -m bench "$@"
