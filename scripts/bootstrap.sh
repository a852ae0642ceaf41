#!/usr/bin/env bash
# Create .venv from uv.lock (installs uv with pip when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy
UV=$(command -v uv || true)
if [ -z "$UV" ]; then
  PY=$(command -v python3 || command -v python)
  "$PY" -m pip install --quiet --disable-pip-version-check uv 2>/dev/null \
    || "$PY" -m pip install --quiet --disable-pip-version-check --user uv \
    || "$PY" -m pip install --quiet --disable-pip-version-check --break-system-packages uv
  UV=$(command -v uv || echo "$HOME/.local/bin/uv")
fi
"$UV" sync --frozen --quiet
