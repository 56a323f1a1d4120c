"""Benchmark: surrogate families and the areawise test (issue 13), large grid.

The test suite checks the same properties on a small grid; this script runs them
at N = 1024, dj = 1/8 (Morlet, dt = 1) and prints:

1. cost per surrogate (one series) and per surrogate pair of each family, and of
   one coherence field on a pair (``pycwt_mod.wct``, what the null-patch pass does
   per pair); then the engine's cost per surrogate (pair) of each family, on the
   sequential and joblib backends, with every result checked bit-identical
   between them: coherence thresholds (`wct_significance`, multirate kernel),
   `areawise_power` and `areawise_coherence` (both passes; the latter also with
   ``test="cumulative"``), uncached;
2. pointwise false-positive rate of the Monte Carlo power test and of the
   coherence test under each family's null (AR(1) series / independent AR(1)
   pairs, each tested against its own surrogates), mean and standard error over
   realisations;
3. the AR(1)-null areawise calibration out of sample: pointwise thresholds and the
   critical area from ``--null`` AR(1) surrogates, applied to ``--test``
   independent AR(1) series; fraction of the plane (outside the cone of influence,
   normalised area) that is pointwise and areawise significant.

    .venv/bin/python bench/areawise.py [--n 1024] [--realisations 20] [--mc-count 200]
        [--only costs|engine|rates|null]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import pycwt_mod as pm
from pycwt_mod import areawise as A
from pycwt_mod.montecarlo import surrogates as S


def per_call(fn, repeat: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t) / repeat


def costs(n: int, dj: float) -> None:
    x = pm.rednoise(n, 0.7, rng=1)
    y = pm.rednoise(n, 0.3, rng=2)
    print(f"\n1. cost per surrogate, N = {n} (ms; batches of 50)")
    print("| family | per series | per pair | + coherence of the pair (wct) |")
    print("|---|---|---|---|")
    wct_ms = 1e3 * per_call(lambda: pm.wct(x, y, 1.0, dj=dj, sig=False), 10)
    for fam in S.SURROGATES:
        one = 1e3 * per_call(lambda f=fam: S.surrogates(x, f, 50, 1), 3) / 50
        pair = 1e3 * per_call(lambda f=fam: S.pair_surrogates(x, y, f, 50, 1), 3) / 50
        print(f"| {fam} | {one:.3f} | {pair:.3f} | {pair + wct_ms:.2f} |")
    print(f"(wct alone: {wct_ms:.2f} ms per pair)")


def engine_costs(n: int, dj: float, mc: int) -> None:
    x = pm.rednoise(n, 0.7, rng=1)
    y = pm.rednoise(n, 0.3, rng=2)
    J = pm.scale_grid(n, 1.0, dj, 2.0).size - 1
    g1, g2 = pm.ar1(x)[0], pm.ar1(y)[0]
    # Start joblib's worker pool first, so that no row pays for it.
    pm.wct_significance(g1, g2, 1.0, dj, 2.0, J, mc_count=4, seed=0, progress=False,
                        cache=False, backend="joblib")  # fmt: skip
    print(f"\n1b. engine cost per surrogate (pair), N = {n}, mc_count = {mc} (ms; uncached)")
    print("| family | backend | wct_significance | areawise_power | areawise_coherence "
          "| same, cumulative |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for fam in S.SURROGATES:
        ref = None
        for backend in ("sequential", "joblib"):
            kw = dict(mc_count=mc, seed=1, cache=False, backend=backend)
            t = time.perf_counter()
            sig = pm.wct_significance(
                g1, g2, 1.0, dj, 2.0, J, progress=False, surrogate=fam, data=(x, y), **kw
            )
            t_sig = time.perf_counter() - t
            t = time.perf_counter()
            pw = A.areawise_power(x, 1.0, dj=dj, s0=2.0, surrogate=fam, **kw)
            t_pw = time.perf_counter() - t
            t = time.perf_counter()
            co = A.areawise_coherence(x, y, 1.0, dj=dj, s0=2.0, surrogate=fam, **kw)
            t_co = time.perf_counter() - t
            t = time.perf_counter()
            cu = A.areawise_coherence(
                x, y, 1.0, dj=dj, s0=2.0, surrogate=fam, test="cumulative", **kw
            )
            t_cu = time.perf_counter() - t
            out = (sig, pw.threshold, pw.areawise, co.threshold, co.areawise, cu.areawise)
            if ref is None:
                ref = out
            same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(out, ref, strict=True))
            ms = [1e3 * v / mc for v in (t_sig, t_pw, t_co, t_cu)]
            print(
                f"| {fam} | {backend} | {ms[0]:.1f} | {ms[1]:.1f} | {ms[2]:.1f} | {ms[3]:.1f} |"
                + ("" if same else " DIFFERENT FROM SEQUENTIAL")
            )


def fp_rates(n: int, dj: float, realisations: int, mc: int) -> None:
    print(f"\n2. pointwise false positives at 95%, N = {n}, mc_count = {mc}")
    print("| family | power: mean (se) | coherence: mean (se) | areawise area, power | s |")
    print("|---|---|---|---|---|")
    for fam in S.SURROGATES:
        t = time.perf_counter()
        pw, aw, coh = [], [], []
        for r in range(realisations):
            x = pm.rednoise(n, 0.7, rng=1000 + r)
            res = A.areawise_power(x, 1.0, dj=dj, surrogate=fam, mc_count=mc, seed=r)
            valid = A.outside_coi(*pm.cwt(x, 1.0, dj=dj)[2:4])
            pw.append(res.pointwise[valid].mean())
            aw.append(res.areawise[valid].mean())
        for r in range(max(realisations // 2, 2)):
            y1 = pm.rednoise(n, 0.6, rng=2000 + r)
            y2 = pm.rednoise(n, 0.3, rng=3000 + r)
            res = A.areawise_coherence(y1, y2, 1.0, dj=dj, surrogate=fam, mc_count=mc // 2, seed=r)
            _, _, coi, freqs, _ = pm.wct(y1, y2, 1.0, dj=dj, sig=False)
            coh.append(res.pointwise[A.outside_coi(freqs, coi)].mean())
        se = lambda v: np.std(v) / np.sqrt(len(v))  # noqa: E731
        print(
            f"| {fam} | {np.mean(pw):.4f} ({se(pw):.4f}) | {np.mean(coh):.4f} ({se(coh):.4f}) "
            f"| {np.mean(aw):.5f} | {time.perf_counter() - t:.0f} |"
        )


def null_areawise(n: int, dj: float, null: int, test: int) -> None:
    _, sj, freqs, coi, _, _ = pm.cwt(np.arange(n) % 3.0, 1.0, dj=dj)
    valid = A.outside_coi(freqs, coi)
    w = np.broadcast_to(dj / sj[:, None], valid.shape)

    def power(xs):
        return np.stack([np.abs(pm.cwt(x, 1.0, freqs=freqs)[0]) ** 2 for x in xs])

    print(f"\n3. AR(1) null, out of sample: {null} surrogates calibrate, {test} test, N = {n}")
    print("| g | measure | area_level | critical area | pointwise area | areawise area | ratio |")
    print("|---|---|---|---|---|---|---|")
    for g in (0.0, 0.7):
        P0 = power(S.ar1_surrogates(n, g, null, seed=1))
        thr = A.pointwise_thresholds(P0, valid, 0.95)
        m0 = valid & (P0 > thr[:, None])
        P1 = power(S.ar1_surrogates(n, g, test, seed=2))
        m1 = valid & (P1 > thr[:, None])
        pw = (m1 * w).sum() / (valid * w).sum() / test
        for measure in A.AREA_MEASURES:
            for area_level in (0.9, 0.95):
                ac = A.critical_area(m0, sj, 1.0, dj, area_level, measure)
                am = A.areawise_mask(m1, sj, 1.0, dj, ac, measure)
                aw = (am * w).sum() / (valid * w).sum() / test
                print(
                    f"| {g} | {measure} | {area_level} | {ac:.3g} | {pw:.4f} | {aw:.5f} "
                    f"| {aw / pw:.3f} |"
                )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--dj", type=float, default=1 / 8)
    p.add_argument("--realisations", type=int, default=20)
    p.add_argument("--mc-count", type=int, default=200)
    p.add_argument("--null", type=int, default=500)
    p.add_argument("--test", type=int, default=500)
    p.add_argument("--only", choices=["costs", "engine", "rates", "null"])
    a = p.parse_args()
    if a.only in (None, "costs"):
        costs(a.n, a.dj)
    if a.only in (None, "engine"):
        engine_costs(a.n, a.dj, a.mc_count)
    if a.only in (None, "rates"):
        fp_rates(a.n, a.dj, a.realisations, a.mc_count)
    if a.only in (None, "null"):
        null_areawise(a.n, a.dj, a.null, a.test)


if __name__ == "__main__":
    main()
