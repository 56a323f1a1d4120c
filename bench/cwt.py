"""Time pycwt_mod.cwt against pycwt.cwt (0.5.0b0) in the same run.

Usage::

    .venv/bin/python bench/cwt.py                  # N = 16384 and 131072, 120 scales
    .venv/bin/python bench/cwt.py --repeat 9 --sizes 4096 16384 --wavelet paul
    .venv/bin/python bench/cwt.py --workers 1      # single-threaded FFTs, like pycwt

For each length N the series is white noise, dt = 1, s0 is pycwt's default
(2 dt / flambda) and dj is chosen so that ``--scales`` scales span s0 .. N dt (pycwt's
default range). Each implementation is run once as a warm-up, then ``--repeat`` times;
the table gives the median and the fastest run, the speed-up (pycwt median / ours)
and, as a sanity check, the largest error of W relative to max |W_pycwt|. float32 is
compared against pycwt's float64 (pycwt has no float32 path).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import time
import warnings

import numpy as np
import scipy

import pycwt_mod

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # pycwt imports scipy.special.orthogonal
    import pycwt


def grid(n: int, n_scales: int, wavelet: str) -> dict:
    """dt = 1, default s0, and dj such that the scales run from s0 to n * dt."""
    dt = 1.0
    s0 = 2 * dt / pycwt_mod.get_wavelet(wavelet).flambda()
    J = n_scales - 1
    dj = float(np.log2(n * dt / s0) / J)
    return dict(dt=dt, dj=dj, s0=s0, J=J, wavelet=wavelet)


def timed(fn, repeat: int):
    """Warm up once, then time ``repeat`` calls; return (result of warm-up, times)."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return result, times


def max_rel_error(W, W_ref) -> float:
    k = W_ref.shape[0]  # pycwt may drop scales (Paul); compare those it returns
    return float(np.abs(W[:k] - W_ref).max() / np.abs(W_ref).max())


def time_fcwt(x, kw: dict, n_scales: int, repeat: int, workers: int | None):
    """Times of fCWT (C++/FFTW, float32) over the same frequency range, or None.

    fCWT's Python API offers only its Morlet with parameter 2 (not 6), so the
    coefficients differ from ours; the work (n_scales transforms of length N) is the
    same. The FCWT object and its scales are built once (as a plan is reused); each
    timed call allocates its complex64 output, as ``cwt`` does.
    """
    if importlib.util.find_spec("fcwt") is None:
        print("fCWT: not installed (pip install 'pycwt-mod[peers]'; needs Debian's "
              "libfftw3-single3), skipped")  # fmt: skip
        return None
    import fcwt

    flambda = pycwt_mod.get_wavelet(kw["wavelet"]).flambda()
    s_max = kw["s0"] * 2 ** (kw["J"] * kw["dj"])
    f_lo, f_hi = 1 / (flambda * s_max * kw["dt"]), 1 / (flambda * kw["s0"] * kw["dt"])
    morl = fcwt.Morlet(2.0)
    fs = round(1 / kw["dt"])  # fCWT takes an integer sampling rate (dt = 1 here)
    scales = fcwt.Scales(morl, fcwt.FCWT_LOGSCALES, fs, f_lo, f_hi, n_scales)
    threads = workers or os.cpu_count() or 1
    engine = fcwt.FCWT(morl, threads, False, True)
    x32 = x.astype(np.float32)

    def run():
        out = np.zeros((n_scales, x32.size), dtype=np.complex64)
        engine.cwt(x32, scales, out)
        return out

    _, times = timed(run, repeat)
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16384, 131072])
    parser.add_argument("--scales", type=int, default=120, help="number of scales (J + 1)")
    parser.add_argument("--wavelet", default="morlet", choices=sorted(pycwt_mod.WAVELETS))
    parser.add_argument(
        "--workers", type=int, default=None, help="scipy.fft threads for pycwt_mod (default all)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pycwt {importlib.metadata.version('pycwt')}, pycwt_mod {pycwt_mod.__version__}; "
        f"{os.cpu_count()} CPU cores; pycwt_mod workers={args.workers or 'all'}; "
        f"wavelet {args.wavelet}; median of {args.repeat} runs after a warm-up"
    )
    header = (
        f"{'N':>7} {'scales':>6} {'dj':>6}  {'implementation':<22} {'median s':>9} "
        f"{'min s':>8} {'speed-up':>8}  {'max rel err W':>13}"
    )
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(0)
    for n in args.sizes:
        x = rng.standard_normal(n)
        kw = grid(n, args.scales, args.wavelet)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # pycwt's Paul overflows
            ref, t_ref = timed(lambda kw=kw, x=x: pycwt.cwt(x, **kw), args.repeat)
        W_ref = ref[0]
        n_scales = ref[1].size
        rows = [("pycwt 0.5.0b0 float64", t_ref, None)]
        for dtype in ("float64", "float32"):
            out, t = timed(
                lambda kw=kw, x=x, dtype=dtype: pycwt_mod.cwt(
                    x, **kw, dtype=dtype, workers=args.workers
                ),
                args.repeat,
            )
            rows.append((f"pycwt_mod {dtype}", t, max_rel_error(out[0], W_ref)))
            n_scales = max(n_scales, out[1].size)
            del out
        fcwt_times = time_fcwt(x, kw, n_scales, args.repeat, args.workers)
        if fcwt_times is not None:
            rows.append(("fCWT float32 (Morlet 2)", fcwt_times, None))
        del ref, W_ref
        med_ref = statistics.median(t_ref)
        for label, t, err in rows:
            med = statistics.median(t)
            speedup = f"{med_ref / med:7.2f}x"
            err_s = "(reference)" if label.startswith("pycwt ") else "-"
            err_s = err_s if err is None else f"{err:.1e}"
            print(
                f"{n:>7} {n_scales:>6} {kw['dj']:>6.4f}  {label:<22} {med:>9.3f} "
                f"{min(t):>8.3f} {speedup:>8}  {err_s:>13}"
            )


if __name__ == "__main__":
    main()
