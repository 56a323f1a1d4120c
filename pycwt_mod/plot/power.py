"""Wavelet power: the scalogram and the global wavelet spectrum.

`scalogram_figure` shades ``|W|^2`` normalised by the variance at the levels
``2**k`` of `POWER_LEVELS` (Torrence & Compo 1998, Fig. 1b) with its significance
contours; `global_spectrum_figure` is the time-averaged power per period (Fig. 1c).
The drawing of both (`_draw_power`, `_draw_global`) is shared with `summary_figure`.
Both also draw the Dataset of `pycwt_mod.labelled.cwt`, and into a given ``ax``.
"""

from __future__ import annotations

import numpy as np

from .axes import (
    AREAWISE_LABELS,
    POWER_LEVELS,
    _check_drawable,
    _draw_significance,
    _figure,
    _finish_map,
    _map_axes,
    _period_yaxis,
    _power_tick_labels,
    _significance_ratio,
)
from .dataset import _is_dataset, _power_arrays

__all__ = ["global_spectrum_figure", "scalogram_figure"]


def _draw_power(
    fig,
    ax,
    t,
    period,
    power,
    variance,
    signif,
    colorbar=True,
    areawise=None,
    labels=AREAWISE_LABELS,
    coi=None,
):
    norm = variance if variance is not None else float(np.mean(power))
    norm = norm if norm > 0 else 1.0  # an all-zero transform: draw it, do not divide by 0
    label = r"$|W|^2/\sigma^2$" if variance is not None else r"$|W|^2$ / mean $|W|^2$"
    levels = np.asarray(POWER_LEVELS, dtype=float)
    ratio = np.log2(np.maximum(power / norm, 2.0**-30))
    cf = ax.contourf(t, period, ratio, levels=levels, extend="both", cmap="viridis")
    if colorbar:
        cb = fig.colorbar(cf, ax=ax, ticks=levels, pad=0.01, aspect=30)
        cb.ax.set_yticklabels(_power_tick_labels(POWER_LEVELS))
        cb.set_label(f"Normalised power {label}")
    ratio = None
    if signif is not None:
        inf = np.full(power.shape[1], np.inf)
        ratio = _significance_ratio(power, signif, period, inf if coi is None else coi)
    _draw_significance(ax, t, period, ratio, areawise, labels)
    return cf


def scalogram_figure(
    W,
    scales=None,
    freqs=None,
    coi=None,
    dt: float = 1.0,
    *,
    time=None,
    t0: float = 0.0,
    signif=None,
    title: str = "Wavelet power spectrum",
    time_label: str = "Time",
    period_label: str = "Period",
    figsize=(9, 4.5),
    variance: float | None = None,
    period_unit: str | None = None,
    gap_mask=None,
    areawise=None,
    areawise_labels: tuple[str, str] = AREAWISE_LABELS,
    ax=None,
):
    """Wavelet power ``|W|^2`` over time and period.

    Parameters
    ----------
    W : (n_scales, n) complex ndarray, or xarray.Dataset
        Output of `cwt`; or the Dataset of `pycwt_mod.labelled.cwt`, which gives the
        power, periods, cone of influence, dates, ``signif`` (``sig95``), ``variance``,
        ``gap_mask``, the areawise mask and the period unit (the keywords given here
        win), and names the series in the default title.
    scales, freqs : (n_scales,) ndarray
        Scales and Fourier frequencies from `cwt` (scales are unused but kept for
        symmetry with the return tuple); not with a Dataset.
    coi : (n,) ndarray
        Cone of influence from `cwt`; not with a Dataset.
    dt : float, optional
        Sample spacing (for the time axis when ``time`` is not given).
    time : (n,) array_like of numbers or datetime64, optional
        Time of each sample; default ``t0 + dt * arange(n)``. Dates label the
        axis with dates.
    signif : (n_scales,) or (n_scales, n) ndarray, optional
        Power that is significant (e.g. from `significance`); drawn as a thick
        contour where ``|W|^2 / signif = 1``.
    variance : float, optional
        Variance of the series: the power is shaded as ``|W|^2 / variance`` at the
        levels ``2**k`` of `POWER_LEVELS` ([1]_, Fig. 1b). Default: normalised by
        the mean power (stated on the colour bar).
    period_unit : str, optional
        Unit of the periods ("year" labels the axis "Period (years)").
    gap_mask : (n_scales, n) array_like of bool, optional
        Points influenced by gaps, hatched like the cone of influence.
    areawise : (n_scales, n) array_like of bool, optional
        Areawise-significant points (``AreawiseResult.areawise``), outlined with a
        bold contour (linewidth 2.5); the pointwise contour is then thin (1.0) and
        a legend names both. Default None: no outline, no legend.
    areawise_labels : (str, str), optional
        Legend labels of the pointwise and areawise contours (default
        ``("pointwise 95%", "areawise 95%")``; say so when the levels differ).
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
        not that of ``W``; for a Dataset without ``power`` (not `labelled.cwt`'s).
    """
    if _is_dataset(W):
        d = _power_arrays(W)
        power, freqs, coi, dt, time = d["power"], d["freqs"], d["coi"], d["dt"], d["time"]
        signif = d["signif"] if signif is None else signif
        variance = d["variance"] if variance is None else variance
        gap_mask = d["gap_mask"] if gap_mask is None else gap_mask
        areawise = d["areawise"] if areawise is None else areawise
        period_unit = period_unit or d["period_unit"]
        if d["name"] and title == "Wavelet power spectrum":
            title = f"Wavelet power spectrum: {d['name']}"
    else:
        if freqs is None or coi is None:
            raise TypeError("scalogram_figure needs W, scales, freqs and coi (or a Dataset)")
        power = np.abs(np.asarray(W)) ** 2
    _check_drawable(power, "W")
    areawise, period, t, is_date = _map_axes(power.shape, freqs, areawise, dt, t0, time)
    fig, ax = _figure(figsize, ax)
    _draw_power(fig, ax, t, period, power, variance, signif, areawise=areawise,
                labels=areawise_labels, coi=np.asarray(coi, dtype=float))  # fmt: skip
    _finish_map(ax, t, is_date, period, coi, gap_mask, title, time_label, period_label,
                period_unit)  # fmt: skip
    return fig


def _draw_global(ax, power, period, signif) -> None:
    ax.plot(power, period, "k-", linewidth=1.5, label="global power")
    if signif is not None:
        ax.plot(np.asarray(signif, dtype=float), period, "k--", linewidth=1,
                label="significance")  # fmt: skip
    ax.set_xlim(0, 1.25 * np.nanmax(power))  # as T&C Fig. 1c: the background may leave
    ax.legend(loc="lower right", fontsize="small", frameon=False)


def global_spectrum_figure(
    W,
    freqs=None,
    signif=None,
    *,
    title: str = "Global wavelet spectrum",
    period_label: str = "Period",
    figsize=(4, 4.5),
    global_power=None,
    period_unit: str | None = None,
    power_label: str = "Power",
    ax=None,
):
    """Time-averaged wavelet power per period, with its significance line.

    Parameters
    ----------
    W : (n_scales, n) complex ndarray, None or xarray.Dataset
        Output of `cwt` (ignored when ``global_power`` is given); or the Dataset of
        `pycwt_mod.labelled.cwt` (its ``global_power``, ``global_sig95`` and periods).
    freqs : (n_scales,) ndarray
        Fourier frequencies.
    signif : (n_scales,) ndarray, optional
        Significant time-averaged power (e.g.
        `pycwt_mod.spectra.global_wavelet_spectrum`), drawn dashed.
    global_power : (n_scales,) ndarray, optional
        The global spectrum itself (e.g. with gaps left out); default the time
        mean of ``|W|^2``.
    period_unit : str, optional
        Unit of the periods, for the axis label.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    if _is_dataset(W):
        d = _power_arrays(W, "global_spectrum_figure")
        freqs, period_unit = d["freqs"], period_unit or d["period_unit"]
        global_power = d["global_power"] if global_power is None else global_power
        signif = d["global_signif"] if signif is None else signif
        W = d["power"] ** 0.5
    if global_power is None:
        global_power = (np.abs(np.asarray(W)) ** 2).mean(axis=1)
    period = 1 / np.asarray(freqs, dtype=float)
    fig, ax = _figure(figsize, ax)
    _draw_global(ax, np.asarray(global_power, dtype=float), period, signif)
    _period_yaxis(ax, period, period_label, period_unit)
    ax.set_xlabel(power_label)
    ax.set_title(title)
    return fig
