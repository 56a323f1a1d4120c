"""The wavelet coherence map, with its significance contours and phase arrows.

Grinsted et al. (2004), Fig. 3-4: squared coherence shaded from 0 to 1, arrows
pointing right for in-phase, left for anti-phase and up when the first series
leads by 90 degrees (`PHASE_LEGEND`), drawn only where the coherence is significant
and outside the cone of influence and the gap mask. With ``phase`` (a
`pycwt_mod.phase.PhaseStatistics`) the band it summarises is marked and its mean
phase, interval and lag written on the map. The arrow convention is stated in a
caption under the time axis (never over its label). It also draws the Dataset of
`pycwt_mod.labelled.wct`, and into a given ``ax``.
"""

from __future__ import annotations

import numpy as np

from .axes import (
    AREAWISE_LABELS,
    _caption,
    _check_drawable,
    _draw_significance,
    _figure,
    _finish_map,
    _map_axes,
    _significance_ratio,
)
from .dataset import _coherence_arrays, _is_dataset

__all__ = ["PHASE_LEGEND", "coherence_figure"]

PHASE_LEGEND = (
    "Arrows: phase of {a} relative to {b}: \u2192 in phase, \u2190 anti-phase, "
    "\u2191 {a} leads by 90\u00b0, \u2193 {b} leads by 90\u00b0 "
    "(shown where coherence is significant, outside the cone of influence)"
)


def _arrow_grid(n_scales: int, n: int, period: np.ndarray, arrows: int):
    octaves = max(np.log2(period.max() / period.min()), 1.0)
    js = slice(None, None, max(1, round(n_scales / (2.5 * octaves))))
    it = slice(None, None, max(1, n // arrows))
    return js, it


def _draw_arrows(ax, t, period, WCT, aWCT, coi, gap_mask, sig, arrows, legend, labels):
    """Phase arrows where the coherence is significant, outside the COI and gaps."""
    js, it = _arrow_grid(WCT.shape[0], WCT.shape[1], period, arrows)
    keep = period[:, None] <= coi[None, :]
    if gap_mask is not None:
        keep &= ~np.asarray(gap_mask, dtype=bool)
    with np.errstate(invalid="ignore"):
        keep &= (WCT >= np.asarray(sig, dtype=float)[:, None]) if sig is not None else (WCT > 0.5)
    keep = keep[js, it]
    u, v = np.cos(aWCT[js, it]), np.sin(aWCT[js, it])
    tt, pp = np.meshgrid(t[it], period[js])
    ax.quiver(tt[keep], pp[keep], u[keep], v[keep], angles="uv", pivot="mid",
              units="inches", scale=4.5, width=0.012, headwidth=4, headlength=4,
              headaxislength=3.5, color="k")  # fmt: skip
    if legend:
        a, b = labels
        _caption(ax, PHASE_LEGEND.format(a=a, b=b))


def coherence_figure(
    WCT,
    aWCT=None,
    coi=None,
    freq=None,
    sig=None,
    dt: float = 1.0,
    *,
    time=None,
    t0: float = 0.0,
    arrows: int = 30,
    title: str = "Wavelet coherence",
    time_label: str = "Time",
    period_label: str = "Period",
    figsize=(9, 4.5),
    period_unit: str | None = None,
    gap_mask=None,
    series_labels: tuple[str, str] | None = None,
    legend: bool = True,
    areawise=None,
    areawise_labels: tuple[str, str] = AREAWISE_LABELS,
    phase=None,
    phase_band: tuple[float, float] | None = None,
    ax=None,
):
    """Squared wavelet coherence with its significance contour and phase arrows.

    Parameters
    ----------
    WCT, aWCT : (n_scales, n) ndarray
        Coherence and phase angle (radians, ``angle(W1 conj(W2))``) from `wct`. Or
        ``WCT`` is the Dataset of `pycwt_mod.labelled.wct` (then no ``aWCT``,
        ``coi``, ``freq``): it gives the coherence, phase, periods, cone of
        influence, dates, ``sig`` (``sig95``), ``gap_mask``, the areawise mask, the
        period unit and the series names (the keywords given here win).
    coi : (n,) ndarray
        Cone of influence.
    freq : (n_scales,) ndarray
        Fourier frequencies.
    sig : (n_scales,) ndarray, optional
        Coherence thresholds per scale from `wct(..., sig=True)`; the contour is
        drawn where ``WCT = sig``, except at scales with no finite threshold and at
        scales wholly inside the cone of influence.
    dt, time, t0
        Time axis as in `scalogram_figure` (dates allowed).
    arrows : int, optional
        About how many phase arrows across the time axis (0 for none). They are
        drawn only outside the cone of influence and the gap mask, and only where
        the coherence is significant (``WCT >= sig``), or above 0.5 when no ``sig``
        is given.
    period_unit : str, optional
        Unit of the periods, for the axis label.
    gap_mask : (n_scales, n) array_like of bool, optional
        Points influenced by gaps, hatched.
    series_labels : (str, str), optional
        Names of the two series for the phase legend (default the Dataset's, else
        "series 1", "series 2").
    legend : bool, optional
        State the arrow convention under the plot (default True when arrows are
        drawn).
    areawise, areawise_labels
        Areawise-significant points (from `pycwt_mod.areawise_coherence`) and the
        legend labels, outlined as in `scalogram_figure` (default None: no outline,
        no legend).
    phase : PhaseStatistics, optional
        Phase statistics of a band (`pycwt_mod.phase.phase_statistics`,
        `pycwt_mod.pipeline.phase_of`): its mean phase, 95% interval and lag are
        written in the upper left corner.
    phase_band : (float, float), optional
        The band ``phase`` summarises, marked by dashed lines.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (its figure gets the colour bar) instead of a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure, or ``ax``'s.

    Raises
    ------
    ValueError
        For fewer than 2 scales or samples, or an ``areawise`` mask whose shape is
        not that of ``WCT``; for a Dataset without ``coherence`` (not `labelled.wct`'s).
    """
    if _is_dataset(WCT):
        d = _coherence_arrays(WCT)
        WCT, aWCT, coi, freq = d["WCT"], d["aWCT"], d["coi"], d["freqs"]
        dt, time = d["dt"], d["time"] if time is None else time
        sig = d["sig"] if sig is None else sig
        gap_mask = d["gap_mask"] if gap_mask is None else gap_mask
        areawise = d["areawise"] if areawise is None else areawise
        period_unit = period_unit or d["period_unit"]
        series_labels = series_labels or d["names"]
    elif aWCT is None or coi is None or freq is None:
        raise TypeError("coherence_figure needs WCT, aWCT, coi and freq (or a Dataset)")
    series_labels = tuple(series_labels or ("series 1", "series 2"))
    WCT = np.asarray(WCT, dtype=float)
    _check_drawable(WCT, "WCT")
    areawise, period, t, is_date = _map_axes(WCT.shape, freq, areawise, dt, t0, time)
    aWCT = np.asarray(aWCT, dtype=float)
    coi = np.asarray(coi, dtype=float)
    fig, ax = _figure(figsize, ax)
    cf = ax.contourf(t, period, WCT, levels=np.linspace(0, 1, 11), vmin=0, vmax=1, cmap="YlGnBu")
    fig.colorbar(cf, ax=ax, ticks=np.linspace(0, 1, 6), pad=0.01, aspect=30,
                 label="Squared coherence $R^2$")  # fmt: skip
    has_sig = sig is not None and np.size(sig) == period.size and np.isfinite(sig).any()
    ratio = _significance_ratio(WCT, sig, period, coi) if has_sig else None
    _draw_significance(ax, t, period, ratio, areawise, areawise_labels)
    if arrows:
        _draw_arrows(ax, t, period, WCT, aWCT, coi, gap_mask, sig if has_sig else None,
                     arrows, legend, series_labels)  # fmt: skip
    _finish_map(ax, t, is_date, period, coi, gap_mask, title, time_label, period_label,
                period_unit)  # fmt: skip
    if phase is not None or phase_band is not None:
        _draw_phase(ax, phase, phase_band, period_unit)
    return fig


def _draw_phase(ax, phase, band, unit: str | None) -> None:
    """The band summarised (dashed) and its phase statistics (a text box)."""
    if band is not None:
        for edge in band:
            ax.axhline(edge, color="k", ls="--", lw=0.8)
    if phase is None:
        return
    c, u = phase.circular, f" {unit}" if unit else ""
    where = f"{band[0]:g}-{band[1]:g}{u}: " if band is not None else ""
    text = (
        f"{where}phase {np.degrees(c.mean):.0f}\u00b0 \u00b1 "
        f"{np.degrees(c.ci_halfwidth):.0f}\u00b0 ({c.level:.0%}), R = "
        f"{c.resultant_length:.2f}; lag {phase.lag:.3g}{u}"
    )
    ax.text(0.01, 0.98, text, transform=ax.transAxes, ha="left", va="top",
            fontsize="small", bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})  # fmt: skip
