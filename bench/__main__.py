"""Run every benchmark, or those named: ``python -m bench [name …]``."""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = [
    "schedule",
    "demo",
    "registry",
    "cob",
    "repayments",
    "reports",
    "requests",
    "reads",
    "load",
    "loanbook",
]


def main(argv: list[str]) -> None:
    names = argv or BENCHMARKS
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
        start = time.perf_counter()
        module.run()
        print(f"   ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
