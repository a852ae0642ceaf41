"""The core is pure: no module under fupin/core may import Django (ARCHITECTURE habit 1)."""

import ast
from pathlib import Path

import fupin.core

CORE = Path(fupin.core.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_has_modules():
    assert len(list(CORE.rglob("*.py"))) >= 3


def test_no_django_import_in_core():
    offenders = {
        str(p.relative_to(CORE)): sorted(
            m for m in imported_modules(p) if m.split(".")[0] in {"django", "ninja"}
        )
        for p in CORE.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_no_fupin_app_import_in_core():
    bad = {}
    for p in CORE.rglob("*.py"):
        mods = [m for m in imported_modules(p) if m.startswith("fupin.") and not m.startswith("fupin.core")]
        if mods:
            bad[str(p.relative_to(CORE))] = mods
    assert bad == {}


def test_checker_detects_a_django_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from django.db import models\nimport django.conf\n")
    assert imported_modules(sample) == {"django.db", "django.conf"}
