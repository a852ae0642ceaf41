"""Schedules: 1 000 000 weekly P-GROUP loans and 1 000 000 36-month equal-instalment loans.

Prints schedules/s in one process and in two (this machine has two cores), the ratio
against a plain per-loan Decimal loop run in the same process (the baseline the issue
names, ~54 000/s for weekly schedules), and the time of numpy-financial's vectorised
ipmt/ppmt over the same loans (floats, not fen-exact: a speed reference only).
Target (issue 3): ≥ 100 000 schedules/s for each kind. Not a pass/fail test.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from multiprocessing import get_context

N = int(os.environ.get("BENCH_LOANS", "1000000"))
WORKERS = 2
START0 = dt.date(2024, 1, 1)
RATES = [Fraction(bp, 10000) for bp in range(300, 1801, 5)]


def loans(kind: str, lo: int, hi: int):
    """Deterministic loan i: principal, rate and start date from a per-index generator."""
    from fupin.core.products import preset
    from fupin.core.schedule import Terms

    group = preset("group")
    for i in range(lo, hi):
        rng = random.Random(i)
        start = START0 + dt.timedelta(days=rng.randrange(1095))
        if kind == "group":
            yield group.terms(principal=rng.randrange(100_000, 5_000_001, 100), start=start)
        else:
            yield Terms(
                principal=rng.randrange(100_000, 5_000_001, 100),
                annual_rate=rng.choice(RATES),
                start=start,
                term=36,
            )


def work(args: tuple[str, int, int]) -> tuple[int, int, float]:
    """Generate loans [lo, hi): returns (count, interest checksum, seconds generating)."""
    from fupin.core.schedule import generate

    kind, lo, hi = args
    terms = list(loans(kind, lo, hi))
    t0 = time.perf_counter()
    checksum = 0
    for t in terms:
        s = generate(t, checked=True)
        checksum += s.interest[-1]
    return len(terms), checksum, time.perf_counter() - t0


def decimal_baseline(kind: str, count: int) -> float:
    """Schedules/s of a plain per-loan Decimal loop (the naive way), on ``count`` loans."""
    terms = list(loans(kind, 0, count))
    fen = Decimal("0.01")
    t0 = time.perf_counter()
    for t in terms:
        p = Decimal(t.principal) / 100
        r = Decimal(t.annual_rate.numerator) / Decimal(t.annual_rate.denominator)
        if kind == "group":
            part = (p * Decimal("0.02")).quantize(fen, ROUND_HALF_UP)
            rows = []
            bal = p
            for k in range(50):
                pr = part if k < 49 else bal
                bal -= pr
                rows.append((t.start + dt.timedelta(days=14 + 7 * k), pr, bal))
        else:
            m = r / 12
            pay = (p * m / (1 - (1 + m) ** -36)).quantize(fen, ROUND_HALF_UP)
            bal = p
            rows = []
            for k in range(36):
                i = (bal * m).quantize(fen, ROUND_HALF_UP)
                pr = pay - i if k < 35 else bal
                bal -= pr
                rows.append((k, pr, i, bal))
    return count / (time.perf_counter() - t0)


def numpy_financial_seconds(kind: str, count: int) -> float:
    import numpy as np
    import numpy_financial as npf

    rng = np.random.default_rng(1)
    pv = rng.integers(1_000, 50_001, count).astype(float)
    if kind == "group":
        rate = np.full(count, 0.08 / 52)
        n = 50
    else:
        rate = rng.choice(np.arange(300, 1801, 5) / 10000 / 12, count)
        n = 36
    per = np.arange(1, n + 1)
    t0 = time.perf_counter()
    for lo in range(0, count, 100_000):  # chunks keep memory modest
        r = rate[lo : lo + 100_000, None]
        npf.ipmt(r, per[None, :], n, pv[lo : lo + 100_000, None])
        npf.ppmt(r, per[None, :], n, pv[lo : lo + 100_000, None])
    return time.perf_counter() - t0


def run() -> None:
    for kind, label in [("group", "weekly P-GROUP"), ("annuity", "36-month equal-instalment")]:
        sample = min(N, 100_000)
        n1, _, s1 = work((kind, 0, sample))
        one = n1 / s1
        chunk = 20_000
        jobs = [(kind, lo, min(lo + chunk, N)) for lo in range(0, N, chunk)]
        t0 = time.perf_counter()
        with get_context("fork").Pool(WORKERS) as pool:
            results = pool.map(work, jobs)
        wall = time.perf_counter() - t0
        gen_seconds = sum(r[2] for r in results) / WORKERS
        total = sum(r[0] for r in results)
        two = total / gen_seconds
        base = decimal_baseline(kind, min(N, 20_000))
        npf_s = numpy_financial_seconds(kind, N)
        print(f"   {label}: {total:,} schedules")
        print(
            f"     one process:  {one:,.0f} schedules/s  ({one / base:.2f}× the plain Decimal loop "
            f"at {base:,.0f}/s)"
        )
        print(
            f"     two processes: {two:,.0f} schedules/s generating (wall {wall:.1f} s incl. building terms)"
            f"  target ≥ 100,000/s: {'met' if two >= 100_000 else 'NOT met'}"
        )
        print(
            f"     numpy-financial ipmt+ppmt (float, vectorised) over the same {N:,} loans: {npf_s:.2f} s"
            f" = {N / npf_s:,.0f}/s; fen-exact generation takes {total / two / npf_s:.1f}× its time"
        )
