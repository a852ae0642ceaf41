"""Two API schemas with one class name would share one OpenAPI component and one of the
operations would document the other's body (schemathesis found it): names are unique."""

import ast
from collections import Counter
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "fupin"


def test_api_schema_class_names_are_unique():
    names = Counter(
        node.name
        for path in SRC.glob("*/api.py")
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef)
    )
    assert [n for n, k in names.items() if k > 1] == []
