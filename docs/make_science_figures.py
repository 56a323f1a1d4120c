"""Regenerate the figures of docs/science.md from real data shipped with pycwt.

    python docs/make_science_figures.py            # from the repository root

- ``docs/nino3_rectified.png``: the global wavelet spectrum of the Nino3 SST of
  Torrence & Compo (1998), 1871-1996, as |W|^2 and bias-rectified (|W|^2 / s, Liu et
  al. 2007), each with its 95% red-noise level.
- ``docs/nino3_reconstruction.png``: the 2-8 yr band of the same record rebuilt
  from every coefficient and from the significant ones outside the cone of influence.
- ``docs/ao_baltic_phase.png``: the phase of the Arctic Oscillation against the
  Baltic maximum sea-ice extent (Grinsted et al. 2004), at the significant cross
  power outside the cone in the 6-12 yr band: the phases, their circular mean and
  95% interval.

Needs matplotlib and pycwt (the plot and test extras).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from pycwt_mod import pipeline as P
from pycwt_mod.options import Preprocessing, ScaleGrid, Spectrum
from pycwt_mod.spectra import global_wavelet_spectrum

DOCS = Path(__file__).resolve().parent
DPI = 150


def _sample(name: str) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import pycwt.sample

    return Path(pycwt.sample.__file__).parent / name


def nino3() -> tuple[np.ndarray, np.ndarray]:
    """Seasonal Nino3 SST anomalies (deg C), 1871-1996, dt = 0.25 yr."""
    x = np.loadtxt(_sample("sst_nino3.dat"))
    return 1871 + 0.25 * np.arange(x.size), x


def ao_baltic() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    year, ao = np.loadtxt(_sample("jao.dat"), unpack=True)
    year2, ice = np.loadtxt(_sample("jbaltic.dat"), unpack=True)
    common = np.intersect1d(year, year2)
    return common, ao[np.isin(year, common)], ice[np.isin(year2, common)]


GRID = ScaleGrid(dt=0.25, dj=0.125, s0=0.5, J=56)  # Torrence & Compo's Sec. 5b grid
RAW = Preprocessing(normalize=False)


def make_rectified(path: Path) -> None:
    _, x = nino3()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
    for ax, rectify, label in ((axes[0], False, "|W|² (°C²)"),
                               (axes[1], True, "|W|² / s (°C² / yr)")):  # fmt: skip
        a = P.analyze_cwt(x, GRID, RAW, significance_level=0.95, spectrum=Spectrum(rectify))
        period = 1 / a.freqs
        glbl, sig, _ = global_wavelet_spectrum(
            np.abs(a.wave) ** 2, a.scales, 0.25, a.variance, a.ar1, rectify=rectify
        )
        ax.plot(glbl, period, "k", label="global spectrum")
        ax.plot(sig, period, "k--", label="95% red-noise level")
        ax.set_yscale("log", base=2)
        ax.set_xlabel(label)
        ax.set_title("rectified (Liu et al. 2007)" if rectify else "as Torrence & Compo")
    axes[0].set_ylabel("period (yr)")
    axes[0].invert_yaxis()
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Niño3 SST 1871-1996: global wavelet spectrum")
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def make_reconstruction(path: Path) -> None:
    year, x = nino3()
    a = P.analyze_cwt(x, GRID, RAW, significance_level=0.95)
    band = P.reconstruct_cwt(a, (2, 8))
    kept = P.reconstruct_cwt(a, (2, 8), significant=True, outside_coi=True)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.plot(year, x - x.mean(), color="0.75", lw=0.8, label="SST anomaly")
    ax.plot(year, band.series, "k", lw=1, label="2-8 yr band, every coefficient")
    ax.plot(year, kept.series, "C3", lw=1,
            label=f"significant, outside the cone ({kept.fraction_used:.0%} of all)")  # fmt: skip
    ax.set_xlabel("year")
    ax.set_ylabel("°C")
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    ax.set_title("Niño3 SST: the 2-8 yr band rebuilt (Torrence & Compo eq. 29)")
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def make_phase(path: Path) -> None:
    _, ao, ice = ao_baltic()
    x = P.analyze_xwt(ao, ice, ScaleGrid(dt=1.0, dj=1 / 12))
    band = (6.0, 12.0)
    st = P.phase_of(x, band, significant=True, outside_coi=True)
    period = 1 / x.freqs
    keep = ((period >= band[0]) & (period <= band[1]))[:, None]
    keep = keep & (np.abs(x.xwt) > x.signif[:, None]) & (period[:, None] <= x.coi[None, :])
    phases = np.angle(x.xwt)[keep]
    fig = plt.figure(figsize=(5, 5))
    ax = fig.add_subplot(projection="polar")
    ax.hist(phases, bins=36, range=(-np.pi, np.pi), color="0.6")
    c = st.circular
    top = ax.get_ylim()[1]
    ax.plot([c.mean, c.mean], [0, top], "C3", lw=2)
    lo, hi = c.ci
    ax.fill_between(np.linspace(lo, hi, 50), 0, top, color="C3", alpha=0.2)
    reading = (
        "anti-phase: the ice extent falls as the AO rises"
        if abs(c.mean) > 0.75 * np.pi
        else f"lag {st.lag:.1f} yr (AO leads when > 0)"
    )
    ax.set_title(
        f"AO vs Baltic ice, {band[0]:g}-{band[1]:g} yr, significant outside the cone\n"
        f"mean phase {np.degrees(c.mean):.0f}° ± {np.degrees(c.ci_halfwidth):.0f}° "
        f"(R = {c.resultant_length:.2f}, n = {st.n_points}): {reading}",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def main() -> None:
    for name, make in [("nino3_rectified.png", make_rectified),
                       ("nino3_reconstruction.png", make_reconstruction),
                       ("ao_baltic_phase.png", make_phase)]:  # fmt: skip
        make(DOCS / name)
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
