"""The demo county: `fupin demo --households 100000` into a fresh SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(households: int = 100_000) -> None:
    fupin = str(Path(sys.executable).with_name("fupin"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "fupin.settings",
        }
        # the embedded default: SQLite, whatever database the other benchmarks use
        subprocess.run([fupin, "migrate", "-v", "0"], env=env, check=True)
        start = time.perf_counter()
        subprocess.run(
            [fupin, "demo", "--households", str(households), "--seed", "1"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
    print(f"   demo county with {households} households: {seconds:.2f} s (target < 60 s)")
