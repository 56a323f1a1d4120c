"""Regenerate the figures in docs/ from real data shipped by installed packages.

    python docs/make_figures.py            # from the repository root

- ``docs/elnino_scalogram.png``: El Nino (Nino 1+2) SST anomalies 1950-2010 from
  statsmodels, in the layout of Torrence & Compo (1998), Fig. 1.
- ``docs/ao_baltic_coherence.png``: wavelet coherence of the Arctic Oscillation
  index and the Baltic maximum sea-ice extent, 1852-1997 (the data of Grinsted et
  al. 2004, Fig. 4, shipped with pycwt), 300-pair Monte Carlo significance.
- ``docs/co2_gaps.png``: weekly Mauna Loa CO2 1958-2001 from statsmodels, which has
  59 missing weeks: analysed with ``gaps="mask"`` and the gap mask hatched.

Needs the plot and xarray extras, statsmodels and pycwt (all in the test extra).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from pycwt_mod import labelled as pxr
from pycwt_mod import plot

DOCS = Path(__file__).resolve().parent
DPI = 150


def elnino() -> pd.Series:
    """Monthly Nino 1+2 SST anomalies (deg C) on month-start dates."""
    from statsmodels.datasets import elnino as data

    table = data.load_pandas().data.set_index("YEAR")
    anomalies = table - table.mean(axis=0)  # remove the mean annual cycle
    values = anomalies.to_numpy(dtype=float).ravel()
    index = pd.date_range(f"{int(table.index[0])}-01-01", periods=values.size, freq="MS")
    return pd.Series(values, index=index, name="Nino 1+2 SST anomaly")


def ao_baltic() -> tuple[pd.Series, pd.Series]:
    """Winter Arctic Oscillation index and Baltic maximum ice extent, yearly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import pycwt.sample

    folder = Path(pycwt.sample.__file__).parent
    year, ao = np.loadtxt(folder / "jao.dat", unpack=True)
    year2, ice = np.loadtxt(folder / "jbaltic.dat", unpack=True)
    common = np.intersect1d(year, year2)
    dates = pd.to_datetime([f"{int(y)}-01-01" for y in common])
    a = pd.Series(ao[np.isin(year, common)], index=dates, name="AO")
    b = pd.Series(ice[np.isin(year2, common)], index=dates, name="Baltic ice extent")
    return a, b


def co2() -> pd.Series:
    """Weekly Mauna Loa CO2 (ppm), with NaN for the missing weeks."""
    from statsmodels.datasets import co2 as data

    s = data.load_pandas().data["co2"]
    return s.rename("CO2")


def make_elnino(path: Path):
    s = elnino()
    ds = pxr.cwt(s, detrend="linear", normalize=False)  # power in deg C^2
    band = (2.0, 8.0)
    avg = pxr.scale_average(ds, band)
    fig = plot.summary_figure(
        s.to_numpy(), ds.power.values, 1 / ds.period.values, ds.coi.values,
        time=ds.time.values, variance=ds.attrs["variance"], signif=ds.sig95.values,
        global_power=ds.global_power.values, global_signif=ds.global_sig95.values,
        band=band, band_power=avg.power.values, band_signif=avg.attrs["sig95"],
        period_unit=ds.attrs["time_unit"], value_label="SST anomaly (°C)", power_unit="°C²",
        title="El Niño (Niño 1+2) sea-surface temperature anomalies, 1950-2010",
    )  # fmt: skip
    fig.savefig(path, dpi=DPI)
    return ds


def make_coherence(path: Path):
    a, b = ao_baltic()
    ds = pxr.wct(a, b, dj=1 / 12, mc_count=300, seed=1, progress=False)
    fig = plot.coherence_figure(
        ds.coherence.values, ds.phase.values, ds.coi.values, 1 / ds.period.values,
        ds.sig95.values, time=ds.time.values, period_unit=ds.attrs["time_unit"],
        series_labels=("AO", "ice extent"), figsize=(9, 4.8),
        title="Arctic Oscillation vs Baltic maximum sea-ice extent: wavelet coherence",
    )  # fmt: skip
    fig.savefig(path, dpi=DPI)
    return ds


def make_co2(path: Path):
    s = co2()
    ds = pxr.cwt(s, unit="year", detrend="linear", normalize=False, gaps="mask", dj=1 / 12)
    fig = plot.scalogram_figure(
        np.sqrt(ds.power.values), ds.scale.values, 1 / ds.period.values,
        ds.coi.values, time=ds.time.values, signif=ds.sig95.values,
        variance=ds.attrs["variance"], period_unit="year", gap_mask=ds.gap_mask.values,
        title=f"Mauna Loa CO2, weekly, linear trend removed ({ds.attrs['n_missing']} "
        "missing weeks hatched)",
    )  # fmt: skip
    fig.savefig(path, dpi=DPI)
    return ds


def main() -> None:
    for name, make in [("elnino_scalogram.png", make_elnino),
                       ("ao_baltic_coherence.png", make_coherence),
                       ("co2_gaps.png", make_co2)]:  # fmt: skip
        make(DOCS / name)
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
