"""Regenerate docs/elnino_areawise.png: pointwise against areawise significance.

    python docs/make_significance_figure.py          # from the repository root

El Niño (Niño 1+2) SST anomalies 1950-2010 from statsmodels (the series of
``docs/elnino_scalogram.png``), linear trend removed, Morlet, dj = 1/12. Monte Carlo
power test against AR(1) surrogates (300, seed 1): thin contours enclose the
pointwise-significant patches (95%), bold contours the areawise-significant ones
(Maraun et al. 2007, areawise level 95%), as `pycwt_mod.plot.scalogram_figure`
draws them. See docs/significance.md.

Needs the plot extra and statsmodels.
"""

from __future__ import annotations

from pathlib import Path

from make_figures import DPI, elnino

import pycwt_mod as pm
from pycwt_mod import plot
from pycwt_mod.preprocess import detrend

DOCS = Path(__file__).resolve().parent


def make_areawise(path: Path, mc_count: int = 300, seed: int = 1):
    s = elnino()
    x = detrend(s.to_numpy(), "linear")
    dt, dj = 1 / 12, 1 / 12
    W, sj, freqs, coi, _, _ = pm.cwt(x, dt, dj=dj, s0=2 * dt)
    res = pm.areawise_power(x, dt, dj=dj, s0=2 * dt, surrogate="ar1", mc_count=mc_count, seed=seed)
    n_pw, n_aw = int(res.pointwise.sum()), int(res.areawise.sum())
    labels = (
        f"pointwise 95% ({n_pw} points)",
        f"areawise 95% ({n_aw} points; critical area {res.critical_area:.2f})",
    )
    fig = plot.scalogram_figure(
        W, sj, freqs, coi, time=s.index.to_numpy(), variance=float(x.var()),
        period_unit="year", figsize=(9, 4.8), signif=res.threshold,
        areawise=res.areawise, areawise_labels=labels,
        title=(f"Niño 1+2 SST anomalies: pointwise (thin) vs areawise (bold) 95%, "
               f"AR(1) surrogates ({mc_count})"),
    )  # fmt: skip
    fig.savefig(path, dpi=DPI)
    return res


def main() -> None:
    res = make_areawise(DOCS / "elnino_areawise.png")
    print(
        f"wrote docs/elnino_areawise.png: {res.pointwise.sum()} pointwise, "
        f"{res.areawise.sum()} areawise points, critical area {res.critical_area:.3f}"
    )


if __name__ == "__main__":
    main()
