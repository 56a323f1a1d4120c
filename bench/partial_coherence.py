"""Benchmark: cost per surrogate set of the partial and multiple coherence test (issue 19).

Problem: the coherence benchmark's grid (dt = 1, dj = 1/12, s0 = 2, J = 108, so 109
scales; Morlet; AR(1) coefficients 0.72, 0.5, 0.4, 0.3), the default estimator
(multirate, float32), one process and one thread (the sequential backend's unit of
work). For the pair (`wct_significance`'s kernel) and for ``k = 2..4`` series it
prints the seconds per surrogate set (median of ``--repeat`` runs of ``--sets``
sets) and the ratio to the pair, beside the ratio `estimate_multivariate_work`
predicts (the spectra a set smooths: ``k + k (k - 1) / 2`` against 3).

    PYTHONPATH=. python bench/partial_coherence.py [--sets 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from pycwt_mod.montecarlo import (
    estimate_multivariate_work,
    estimate_work,
    make_multivariate_plan,
    make_plan,
)
from pycwt_mod.montecarlo.chunks import run_chunk

GRID = (1.0, 1 / 12, 2.0, 108)
AL = (0.72, 0.5, 0.4, 0.3)


def per_set(plan, sets: int, repeat: int) -> float:
    run_chunk(plan, 0, 1)  # builds the operators once
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run_chunk(plan, 0, sets)
        times.append((time.perf_counter() - t0) / sets)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    kw = dict(mc_count=args.sets, seed=1)
    pair = per_set(make_plan(AL[0], AL[1], *GRID, **kw), args.sets, args.repeat)
    base = estimate_work(*GRID, args.sets)
    print(f"pair (wct_significance)      {1e3 * pair:8.2f} ms/set")
    for kind, k in [("multiple", 2), ("partial", 3), ("multiple", 3), ("partial", 4),
                    ("multiple", 4)]:  # fmt: skip
        plan = make_multivariate_plan(kind, AL[:k], *GRID, **kw)
        t = per_set(plan, args.sets, args.repeat)
        predicted = estimate_multivariate_work(k, *GRID, args.sets) / base
        print(f"{kind:8s} k={k}                  {1e3 * t:8.2f} ms/set  "
              f"x{t / pair:4.2f} (estimate x{predicted:4.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
