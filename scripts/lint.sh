#!/usr/bin/env bash
# make lint (and the first stage of make test): style, the import layers, types, migrations.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
echo "== ruff =="; $VENV/ruff check src tests bench && $VENV/ruff format --check -q src tests bench
echo "== import layers (lint-imports; the contracts are in pyproject.toml) =="; $VENV/lint-imports --no-cache
echo "== mypy (strict on fupin.core) =="; $VENV/mypy
echo "== migrations match the models =="
DATABASE_URL=sqlite:///:memory: $VENV/fupin makemigrations --check --dry-run -v 1
