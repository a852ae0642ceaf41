"""Every ``module.name`` the code reads from a fupin module it imported exists there — a name moved
to another module (as ``closed_through`` moved to ``cob/day.py``) is found here, not by a user
opening the page that still reads it at its old address."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import fupin

SRC = Path(fupin.__file__).parent


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound to fupin modules by the file's imports: ``from fupin.cob import selectors``
    and ``import fupin.loans.accrual as accrual``."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("fupin"):
                continue
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if importlib.util.find_spec(node.module) and _is_module(full):
                    aliases[a.asname or a.name] = full
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("fupin.") and a.asname:
                    aliases[a.asname] = a.name
    return aliases


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_every_name_read_from_a_fupin_module_exists_there():
    missing = []
    files = [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 200
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _module_aliases(tree)
        shadowed = {
            t.id
            for node in ast.walk(tree)
            if isinstance(node, (ast.Assign, ast.For, ast.With, ast.FunctionDef, ast.arg))
            for t in ast.walk(node)
            if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.value.id not in shadowed
            ):
                module = importlib.import_module(aliases[node.value.id])
                if not hasattr(module, node.attr):
                    missing.append(
                        f"{path.relative_to(SRC.parent)}:{node.lineno} {aliases[node.value.id]}.{node.attr}"
                    )
    assert not missing, "\n".join(missing)


# Django's insides that fupin once reached into for speed (issue 23): the query compiler and row
# builders, a backend's cursor classes, the template engine's own tags, an instance's private state
PRIVATE_DJANGO = (
    "django.db.models.sql",
    "django.db.models.query",
    "django.db.models.base",
    "django.db.models.fields.related_descriptors",
    "django.db.models.query_utils",
    "django.db.backends.",
    "django.template.defaulttags",
    "django.templatetags.",
)
PRIVATE_ATTRIBUTES = {
    "_state",
    "fields_cache",
    "_prefetched_objects_cache",
    "_result_cache",
    "_known_related_objects",
}


# The one opt-in template fast path (issue 23: "opt-in per template ({% load … %}) rather than
# replacing i18n"): its tags hand everything but a plain case to Django's own tag, which it gets
# from Django's libraries by the tag's compile function (``do_translate``, ``url``).
TAG_FALLBACK = {"fupin/web/templatetags/kept.py": {"django.templatetags.i18n", "django.template.defaulttags"}}


def test_no_module_reaches_into_djangos_private_internals():
    found = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        where = path.relative_to(SRC.parent)
        allowed = TAG_FALLBACK.get(str(where), set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django"):
                names = [f"{node.module}.{a.name}" for a in node.names]
                if any(n in allowed for n in names):
                    names = [n for n in names if n not in allowed]
                elif (node.module + ".").startswith(PRIVATE_DJANGO):
                    names = [node.module]
                if any((n + ".").startswith(PRIVATE_DJANGO) for n in names) or any(
                    a.name.startswith("_") for a in node.names
                ):
                    found.append(f"{where}:{node.lineno} from {node.module} import …")
            elif isinstance(node, ast.Import):
                found += [
                    f"{where}:{node.lineno} import {a.name}"
                    for a in node.names
                    if (a.name + ".").startswith(PRIVATE_DJANGO)
                ]
            elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                found.append(f"{where}:{node.lineno} .{node.attr}")
    assert not found, "\n".join(found)
