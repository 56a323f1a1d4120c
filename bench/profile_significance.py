"""Where the time of one significance chunk goes (issue 10, item 4).

Profiles ``run_chunk`` on the benchmark problem (N = 1024, dj = 1/12, J = 108,
Morlet, AR(1) 0.72) for one estimator and precision, single-threaded, and prints
the time per surrogate pair by stage: noise (per-pair seeding, normal draws, AR(1)
filter), FFTs (scipy.fft), scale smoothing, bincount, and the elementwise work
(products, |W|^2, cross spectrum, coherence, binning) that the kernel does itself.

    PYTHONPATH=. python bench/profile_significance.py [--estimator full --precision float64]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from pycwt_mod import montecarlo

STAGES = {
    "noise (seeding, draws, AR(1) filter)": ("pair_noise", "ar1_filter", "lfilter",
                                              "standard_normal", "SeedSequence", "default_rng"),
    "FFTs (scipy.fft pocketfft)": ("c2c", "r2c", "c2r"),
    "scale smoothing (boxcar)": ("_scale_boxcar", "__call__"),
    "histogram (concatenate, bincount)": ("bincount", "_coherence_histogram"),
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estimator", default="multirate", choices=montecarlo.ESTIMATORS)
    parser.add_argument("--precision", default="float32", choices=montecarlo.PRECISIONS)
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    plan = montecarlo.make_plan(0.72, 0.72, 1.0, 1 / 12, 2.0, 108, mc_count=args.pairs, seed=1,
                               estimator=args.estimator, precision=args.precision)  # fmt: skip
    montecarlo.run_chunk(plan, 0, 2)  # operators, plans, first touch
    times = []
    for _ in range(3):
        t = time.perf_counter()
        montecarlo.run_chunk(plan, 0, args.pairs)
        times.append(time.perf_counter() - t)
    per_pair = statistics.median(times) / args.pairs
    print(f"{args.estimator}, {args.precision}: {1e3 * per_pair:.1f} ms per pair "
          f"(median of 3 x {args.pairs} pairs, unprofiled)")  # fmt: skip

    prof = cProfile.Profile()
    prof.enable()
    montecarlo.run_chunk(plan, 0, args.pairs)
    prof.disable()
    stats = pstats.Stats(prof).stats
    total = sum(v[2] for v in stats.values())  # tottime of every function
    shares = dict.fromkeys([*STAGES, "elementwise, gathers and the rest"], 0.0)
    for (_, _, name), (_, _, tottime, _, _) in stats.items():
        stage = next((s for s, names in STAGES.items() if any(n in name for n in names)), None)
        shares[stage or "elementwise, gathers and the rest"] += tottime
    for stage, t in shares.items():
        print(f"  {stage:<40}{1e3 * t / args.pairs:>7.2f} ms/pair {100 * t / total:>5.1f}%")


if __name__ == "__main__":
    main()
