"""Benchmark: Monte Carlo wavelet-coherence significance against pycwt 0.5.

Problem (issue 3): N = 1024, dt = 1, dj = 1/12, s0 = 2, J from N (108, so 109
scales), Morlet, mc_count = 300. Each available backend runs the full 300 pairs;
pycwt is timed on a few pairs in the same run and extrapolated to 300 (it takes
minutes per dozen pairs). Also checks that every backend gives bit-identical
thresholds for the same seed.

    .venv/bin/python bench/significance.py [--mc-count 300] [--pycwt-pairs 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

import pycwt_mod as pm
from pycwt_mod.backends import describe_backends, get_backend


def time_pycwt(pairs: int, dt: float, dj: float, s0: float, J: int) -> float:
    """Seconds per surrogate pair of pycwt.wct_significance."""
    import pycwt

    np.random.seed(0)  # noqa: NPY002 - pycwt uses the global generator
    start = time.perf_counter()
    pycwt.wct_significance(
        0.5, 0.5, dt, dj, s0, J, wavelet=pycwt.Morlet(6), mc_count=pairs,
        progress=False, cache=False,
    )  # fmt: skip
    return (time.perf_counter() - start) / pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--mc-count", type=int, default=300)
    parser.add_argument("--pycwt-pairs", type=int, default=2)
    parser.add_argument("--backends", default="sequential,joblib,ray,gpu")
    args = parser.parse_args()

    dt, dj, s0 = 1.0, 1 / 12, 2.0
    J = pm.scale_grid(args.n, dt, dj, s0).size - 1
    kw = dict(mc_count=args.mc_count, progress=False, cache=False, seed=2024)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"problem: N={args.n} dt={dt} dj=1/12 s0={s0} J={J} ({J + 1} scales), Morlet, "
          f"mc_count={args.mc_count}")  # fmt: skip

    per_pair = time_pycwt(args.pycwt_pairs, dt, dj, s0, J)
    pycwt_total = per_pair * args.mc_count
    print(f"pycwt 0.5: {per_pair:.2f} s/pair measured on {args.pycwt_pairs} pairs -> "
          f"{pycwt_total:.0f} s for {args.mc_count} (extrapolated)")  # fmt: skip

    available = {d["name"]: d for d in describe_backends()}
    results = {}
    print(f"\n{'backend':<12}{'time (s)':>10}{'s/pair':>10}{'vs pycwt':>10}  note")
    for name in args.backends.split(","):
        desc = available.get(name)
        if desc is None or not desc["available"]:
            reason = desc["reason"] if desc else "not registered"
            print(f"{name:<12}{'-':>10}{'-':>10}{'-':>10}  unavailable: {reason}")
            continue
        note = ""
        if name == "ray":
            import ray

            if not ray.is_initialized():
                ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False,
                         log_to_driver=False)  # fmt: skip
            # Warm the workers (imports, first task) outside the timed run.
            pm.wct_significance(0.5, 0.5, dt, dj, s0, J, **{**kw, "mc_count": 4}, backend="ray")
            note = "Ray started before timing"
        start = time.perf_counter()
        sig = pm.wct_significance(0.5, 0.5, dt, dj, s0, J, **kw, backend=get_backend(name))
        elapsed = time.perf_counter() - start
        results[name] = sig
        print(f"{name:<12}{elapsed:>10.1f}{elapsed / args.mc_count:>10.3f}"
              f"{pycwt_total / elapsed:>9.0f}x  {note}")  # fmt: skip

    names = list(results)
    same = all(np.array_equal(results[names[0]], results[n], equal_nan=True) for n in names)
    print(f"\nthresholds bit-identical across {', '.join(names)}: {same}")


if __name__ == "__main__":
    main()
