"""The wavelet transform of one series, with its power tests (Torrence & Compo 1998).

The references cited by name are listed in `pycwt_mod.pipeline`.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np

from ..areawise import AreawiseResult, areawise_power
from ..options import Areawise, MonteCarlo, Preprocessing, ResolvedGrid, ScaleGrid, Spectrum
from ..significance import significance
from ..spectra import rectified
from ..transform import cwt
from .prepare import (
    CancelCheck,
    PreparedSeries,
    ProgressCallback,
    _gap_mask,
    draw_seed,
    prepare_series,
    red_noise,
)

__all__ = ["CWTAnalysis", "analyze_cwt", "power_test"]

# ---------------------------------------------------------------------- CWT


@dataclass
class CWTAnalysis:
    """Result of `analyze_cwt`.

    Attributes
    ----------
    wave : (n_scales, n) complex ndarray
    scales, freqs : (n_scales,) ndarray
    coi : (n,) ndarray
        Cone of influence, in periods.
    fft, fftfreqs : ndarray
        The series' FFT and its frequencies, as `pycwt_mod.cwt` returns them.
    grid : ResolvedGrid
    series : PreparedSeries
    gap_mask : (n_scales, n) bool ndarray
        True within the wavelet's e-folding time of a gap (Torrence & Compo 1998, sec. 3g).
    variance, ar1 : float or None
        Of the valid samples, with a power test.
    sig95 : (n_scales,) ndarray or None
        Red-noise power level at ``significance_level`` (Torrence & Compo 1998,
        eq. 18), with a power test; divided by the scale with ``rectify``.
    significance_level : float or None
    warnings : tuple of str
    areawise : AreawiseResult or None
        The areawise test, when asked.
    rectify : bool
        `power` and `sig95` are divided by the scale (`Spectrum.rectify`; Liu et
        al. 2007); ``wave`` is the transform either way.
    elapsed_s : float
    """

    wave: np.ndarray
    scales: np.ndarray
    freqs: np.ndarray
    coi: np.ndarray
    fft: np.ndarray
    fftfreqs: np.ndarray
    grid: ResolvedGrid
    series: PreparedSeries
    gap_mask: np.ndarray
    variance: float | None = None
    ar1: float | None = None
    sig95: np.ndarray | None = None
    significance_level: float | None = None
    warnings: tuple[str, ...] = ()
    areawise: AreawiseResult | None = None
    rectify: bool = False
    elapsed_s: float = 0.0

    @property
    def power(self) -> np.ndarray:
        """``|wave|**2``, or ``|wave|**2 / s`` with ``rectify``, (n_scales, n)."""
        power = np.abs(self.wave) ** 2
        return rectified(power, self.scales) if self.rectify else power


def power_test(
    series: PreparedSeries,
    dt: float,
    scales: np.ndarray,
    significance_level: float,
    *,
    wavelet,
    ar1: float | None = None,
    name: str = "data",
    rectify: bool = False,
) -> tuple[np.ndarray, float, float, tuple[str, ...]]:
    """The chi-square red-noise power level of a prepared series (Torrence & Compo
    1998, eq. 18), from the variance and AR(1) of its valid samples (`red_noise`).

    With ``rectify`` the level is divided by the scale, as the rectified power is
    (`pycwt_mod.spectra.rectified`; Liu et al. 2007).

    Returns
    -------
    sig95 : (n_scales,) ndarray
    variance, ar1 : float
    warnings : tuple of str
        The AR(1) fallback's, if it was used.
    """
    valid = series.values[~series.missing]
    variance = float(valid.var())
    (alpha,), warnings = red_noise((valid,), (ar1,), (name,))
    sig, _ = significance(
        variance, dt, scales, 0, alpha, significance_level=significance_level, wavelet=wavelet
    )
    sig = np.asarray(sig, dtype=float)
    return (rectified(sig, scales) if rectify else sig), variance, alpha, warnings


def analyze_cwt(
    data,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    significance_level: float | None = None,
    ar1: float | None = None,
    monte_carlo: MonteCarlo | None = None,
    areawise: Areawise | None = None,
    spectrum: Spectrum | None = None,
    workers: int | None = None,
    name: str = "data",
    unit: str = "",
    labels=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> CWTAnalysis:
    """Continuous wavelet transform of one series, with its tests.

    Parameters
    ----------
    data : (n,) array_like
        The series (NaN marks a gap).
    grid : ScaleGrid
        With its ``dt`` (or the time axis gave it).
    pre : Preprocessing
    significance_level : float, optional
        Run the chi-square red-noise power test at this level (Torrence & Compo
        1998, eq. 18), against ``ar1`` or the fitted coefficient of the valid
        samples (`fit_ar1`).
    monte_carlo, areawise : optional
        Run the areawise test of the wavelet power (`pycwt_mod.areawise_power`)
        with these options (the Monte Carlo ``significance_level`` is its pointwise
        level).
    spectrum : Spectrum, optional
        ``rectify``: the result's `power` and ``sig95`` divided by the scale.
    workers : int, optional
        Threads of scipy.fft.
    name, unit, labels
        The field's name, the time unit and labels (see `prepare_series`).
    progress_callback, cancel
        As in `pycwt_mod.wct_significance`, for the areawise test.

    Returns
    -------
    CWTAnalysis

    Raises
    ------
    ValueError
        Bad data or options, naming the field.
    """
    pre = Preprocessing() if pre is None else pre
    spectrum = Spectrum() if spectrum is None else spectrum
    t0 = _time.perf_counter()
    series = prepare_series(data, pre, name, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(series.values.size)
    W, scales, freqs, coi, fft, fftfreqs = cwt(
        series.values, rg.dt, rg.dj, rg.s0, rg.J, rg.mother, workers=workers
    )
    out = CWTAnalysis(
        W,
        scales,
        freqs,
        coi,
        fft,
        fftfreqs,
        rg,
        series,
        _gap_mask(series.missing, freqs, rg),
        rectify=spectrum.rectify,
    )
    if significance_level is not None:
        out.sig95, out.variance, out.ar1, out.warnings = power_test(
            series,
            rg.dt,
            scales,
            significance_level,
            wavelet=rg.mother,
            ar1=ar1,
            name=name,
            rectify=spectrum.rectify,
        )
        out.significance_level = float(significance_level)
    if areawise is not None:
        mc = monte_carlo or MonteCarlo()
        out.areawise = areawise_power(
            series.values, rg.dt, rg.dj, rg.s0, rg.J, rg.mother,
            surrogate=mc.surrogate.name, significance_level=mc.significance_level,
            area_level=areawise.area_level, mc_count=mc.mc_count,
            seed=draw_seed() if mc.seed is None else mc.seed, area_measure=areawise.area_measure,
            area_test=areawise.area_test, backend=mc.backend, chunk_size=mc.chunk_size,
            cache=mc.cache, progress_callback=progress_callback, cancel=cancel,
        )  # fmt: skip
    out.elapsed_s = _time.perf_counter() - t0
    return out
