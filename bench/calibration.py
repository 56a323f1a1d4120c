"""Statistical checks of the default significance estimator on the full grid (issue 10).

1. Calibration: the false-positive rate of wavelet coherence of independent AR(1)
   pairs against the 95% thresholds, for g in {0, 0.5, 0.9}, series lengths 512 and
   4096, Morlet and Paul (dt = 1, dj = 1/4, s0 = 2, J from the length; mc_count =
   300; ``--pairs`` test pairs per cell, pooled over the points outside the cone of
   influence). It should lie in 3-7%.
2. Equivalence with pycwt's full-length float64 estimator, for Morlet and Paul:
   ``--seeds`` seeded runs of ``--mc`` pairs on dj = 1/4, J = 32 (s_max = 512); per
   scale, the standard error (spread over seeds) and the difference of the means in
   standard errors.

The test suite runs a reduced version (length 512 only; equivalence for Morlet).

    PYTHONPATH=. python bench/calibration.py [--pairs 40] [--seeds 24] [--mc 40]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import pycwt_mod as pm
from pycwt_mod.montecarlo import make_plan, run_chunk, surrogate_groups, thresholds


def false_positive_rate(g: float, n: int, wavelet: str, pairs: int) -> float:
    dt, dj, s0 = 1.0, 1 / 4, 2.0
    J = pm.scale_grid(n, dt, dj, s0, wavelet=wavelet).size - 1
    sig = pm.wct_significance(g, g, dt, dj, s0, J, wavelet=wavelet, mc_count=300,
                              progress=False, cache=False, seed=12)  # fmt: skip
    rng = np.random.default_rng(6)
    exceed = total = 0
    for _ in range(pairs):
        a, b = pm.rednoise(n, g, rng=rng), pm.rednoise(n, g, rng=rng)
        WCT, _, coi, freq, _ = pm.wct(a, b, dt, dj, s0, J, sig=False, wavelet=wavelet)
        outside = (1 / freq)[:, None] <= coi[None, :]
        exceed += int(((WCT > sig[:, None]) & outside).sum())
        total += int(outside.sum())
    return exceed / total


def seeded(estimator: str, precision: str, wavelet: str, seeds: int, mc: int) -> np.ndarray:
    grid = dict(dt=1.0, dj=0.25, s0=2.0, J=32)
    out = []
    for seed in range(seeds):
        plan = make_plan(0.72, 0.72, **grid, wavelet=wavelet, mc_count=mc, seed=seed,
                         estimator=estimator, precision=precision)  # fmt: skip
        out.append(thresholds(plan, run_chunk(plan, 0, mc), 0.95))
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--mc", type=int, default=40)
    args = parser.parse_args()

    print("false-positive rate at the 95% level (should be 3-7%)")
    print(f"{'wavelet':<8}{'g':>5}{'N':>6}{'rate':>8}{'time s':>8}")
    for wavelet in ("morlet", "paul"):
        for n in (512, 4096):
            for g in (0.0, 0.5, 0.9):
                t = time.perf_counter()
                rate = false_positive_rate(g, n, wavelet, args.pairs)
                print(f"{wavelet:<8}{g:>5}{n:>6}{100 * rate:>7.2f}%"
                      f"{time.perf_counter() - t:>8.1f}")  # fmt: skip

    for wavelet in ("morlet", "paul"):
        full = seeded("full", "float64", wavelet, args.seeds, args.mc)
        multi = seeded("multirate", "float32", wavelet, args.seeds, args.mc)
        multi64 = seeded("multirate", "float64", wavelet, args.seeds, args.mc)
        groups = surrogate_groups(make_plan(0.72, 0.72, 1.0, 0.25, 2.0, 32, wavelet=wavelet))
        top = groups[-1][0]
        sd_f, sd_m = full.std(0, ddof=1), multi.std(0, ddof=1)
        z = (multi.mean(0) - full.mean(0)) / np.sqrt((sd_f**2 + sd_m**2) / args.seeds)
        print(f"\n{wavelet}: {args.seeds} seeds x {args.mc} pairs; multirate groups {groups}")
        print(f"  full estimator SE at its largest scale {sd_f[-1]:.4f}, worst {sd_f.max():.4f}")
        print(
            f"  multirate SE below its top group: max {sd_m[:top].max():.4f} "
            f"({sd_m[:top].max() / sd_f[-1]:.2f} of the full's largest-scale SE)"
        )
        print(f"  means: max |diff| / SE = {np.abs(z).max():.2f} (mean z {z.mean():+.2f})")
        d = np.abs(multi - multi64).max(0) / multi64.std(0, ddof=1)
        print(f"  float32 vs float64 (same surrogates): max |diff| / SE = {d.max():.4f}")


if __name__ == "__main__":
    main()
