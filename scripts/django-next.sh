#!/usr/bin/env bash
# The suite on the newest Django release (6.x) as well as the 5.2 LTS that uv.lock pins, so that
# an upgrade that breaks the project is seen before it is made (issue 23). Builds .venv-next from
# the same lock with Django replaced by the newest 6.x (Django 6 needs Python >= 3.12: the first
# found of pyenv's, Debian's and uv's), then runs pytest there with the arguments given.
#   scripts/django-next.sh -m "not e2e"      # what make test runs (see scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy
UV=$(command -v uv || echo "$HOME/.local/bin/uv")
PY=""
for candidate in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9]; do
  [ -x "$candidate" ] && PY=$candidate && break
done
[ -n "$PY" ] || PY=$("$UV" python find '>=3.12' 2>/dev/null || true)
if [ -z "$PY" ]; then
  echo "!! 找不到 Python 3.12 或更新版本：无法在 Django 6 上运行测试 (no Python >= 3.12 for Django 6)" >&2
  exit 3
fi
NEXT=.venv-next
requirements=$(mktemp)
"$UV" export --frozen --no-hashes --all-groups --no-emit-project -q \
  | sed 's/^django==.*/django>=6.0,<7/' > "$requirements"
[ -x "$NEXT/bin/python" ] || "$UV" venv -q -p "$PY" "$NEXT"
VIRTUAL_ENV=$NEXT "$UV" pip install -q -r "$requirements"
VIRTUAL_ENV=$NEXT "$UV" pip install -q --no-deps -e .
rm -f "$requirements"
echo "== $("$NEXT/bin/python" -c 'import sys, django; print(f"Django {django.__version__}, Python {sys.version.split()[0]}")') =="
"$NEXT/bin/python" -m pytest "$@"
