"""Demo: the dominant periods of the El Nino sea-surface temperature record.

Run with ``python3 dev.py demo`` (or ``python -m pycwt_mod.demo``). Needs
statsmodels, which ships the monthly Nino 1+2 SST series (1950-2010).
"""

from __future__ import annotations

import numpy as np

from . import Morlet, ar1, cwt, significance


def load_elnino() -> tuple[np.ndarray, float]:
    """Monthly El Nino SST anomalies (deg C) and their spacing in years.

    The anomalies are the SST less its mean annual cycle (the climatology).
    """
    from statsmodels.datasets import elnino

    table = elnino.load_pandas().data.drop(columns="YEAR").to_numpy(dtype=float)
    anomalies = table - table.mean(axis=0)
    return anomalies.ravel(), 1 / 12


def dominant_periods(x: np.ndarray, dt: float, top: int = 3):
    """Peaks of the global wavelet spectrum that exceed the 95% red-noise level.

    Returns
    -------
    peaks : list of (period, power, signif) tuples, strongest first.
    """
    x = (x - x.mean()) / x.std()
    mother = Morlet(6)
    W, scales, freqs, _, _, _ = cwt(x, dt, 1 / 12, wavelet=mother)
    glbl = (np.abs(W) ** 2).mean(axis=1)
    alpha, _, _ = ar1(x)
    sig, _ = significance(1.0, dt, scales, 1, alpha, dof=x.size - scales, wavelet=mother)
    period = 1 / freqs
    is_peak = np.r_[False, (glbl[1:-1] > glbl[:-2]) & (glbl[1:-1] > glbl[2:]), False]
    idx = np.flatnonzero(is_peak)
    idx = idx[np.argsort(glbl[idx])[::-1]][:top]
    return [(float(period[i]), float(glbl[i]), float(sig[i])) for i in idx]


def main() -> None:
    sst, dt = load_elnino()
    print(f"El Nino SST anomalies: {sst.size} monthly values ({sst.size * dt:.0f} years)")
    print("Dominant periods of the global wavelet spectrum (Morlet, dj=1/12):")
    for period, power, sig in dominant_periods(sst, dt):
        verdict = "significant" if power > sig else "not significant"
        print(f"  {period:6.2f} years  power {power:6.2f}  95% level {sig:5.2f}  ({verdict})")


if __name__ == "__main__":
    main()
