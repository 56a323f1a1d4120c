"""Plots of wavelet results: scalogram, coherence map, global spectrum, summary.

Needs matplotlib (``pip install 'pycwt-mod[plot]'``). The functions build
``matplotlib.figure.Figure`` objects directly (no pyplot state, no GUI), so they
are safe in servers and threads; `to_png` renders one to PNG bytes.

Conventions follow Torrence & Compo (1998), Fig. 1, and Grinsted et al. (2004),
Fig. 3-4: period on a log2 axis increasing downwards with ticks at powers of two
of the data's time unit (0.25, 0.5, 1, 2, 4 ... years), wavelet power normalised
by the variance and shaded at powers of two, significance as thick contours, the
cone of influence (and the gap mask, `pycwt_mod.preprocess.gap_mask`) hatched,
and phase arrows pointing right for in-phase, left for anti-phase and up when the
first series leads by 90 degrees, drawn only where the coherence is significant
and outside the cone of influence. An areawise significance mask
(`pycwt_mod.areawise_power`, `pycwt_mod.areawise_coherence`), when given, is
outlined bold (linewidth 2.5) over the thin pointwise contour (1.0), with a legend
saying which is which. ``time`` may hold dates (``datetime64``); the
time axis is then labelled with dates.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlinear
   Processes in Geophysics, 11, 561-566.
"""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np

__all__ = [
    "AREAWISE_LABELS",
    "POWER_LEVELS",
    "coherence_figure",
    "global_spectrum_figure",
    "period_tick_labels",
    "scalogram_figure",
    "summary_figure",
    "to_png",
]

#: Exponents k of the shading levels ``2**k`` of normalised power (T&C Fig. 1).
POWER_LEVELS = tuple(range(-4, 5))
_PLURAL = {"year", "month", "day", "hour", "minute", "second"}
_COI_STYLE = dict(facecolor="0.6", alpha=0.35, hatch="xx", edgecolor="0.25", linewidth=0)
_GAP_HATCH = "////"
_THIN, _BOLD = 1.0, 2.5  # pointwise and areawise contours when both are drawn
AREAWISE_LABELS = ("pointwise 95%", "areawise 95%")
PHASE_LEGEND = (
    "Arrows: phase of {a} relative to {b}: \u2192 in phase, \u2190 anti-phase, "
    "\u2191 {a} leads by 90\u00b0, \u2193 {b} leads by 90\u00b0 "
    "(shown where coherence is significant, outside the cone of influence)"
)


def _check_drawable(A: np.ndarray, name: str) -> None:
    """A filled contour needs at least 2 scales and 2 samples."""
    if A.ndim != 2 or A.shape[0] < 2 or A.shape[1] < 2:
        raise ValueError(
            f"`{name}` of shape {A.shape} cannot be drawn: a figure needs at least 2 "
            "scales and 2 samples (lower dj or raise J for more scales)"
        )


def _check_areawise(areawise, shape: tuple[int, int]):
    """``areawise`` as a bool array of the field's shape, or None."""
    if areawise is None:
        return None
    mask = np.asarray(areawise)
    if mask.shape != tuple(shape):
        raise ValueError(
            f"`areawise` must be a (n_scales, n) = {tuple(shape)} mask like the field "
            f"(got shape {mask.shape})"
        )
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("`areawise` must hold booleans (True where areawise significant)")
        mask = mask.astype(bool)
    return mask


def _draw_significance(ax, t, period, ratio, areawise, labels) -> None:
    """Pointwise contour where ``ratio = 1``; bold areawise outline and legend if given."""
    from matplotlib.lines import Line2D

    width = 1.2 if areawise is None else _THIN
    handles = []
    if ratio is not None:
        ax.contour(t, period, ratio, levels=[1.0], colors="k", linewidths=width)
        handles.append(Line2D([], [], color="k", linewidth=_THIN, label=labels[0]))
    if areawise is None:
        return
    if areawise.any():
        ax.contour(t, period, areawise.astype(float), levels=[0.5], colors="k",
                   linewidths=_BOLD)  # fmt: skip
    handles.append(Line2D([], [], color="k", linewidth=_BOLD, label=labels[1]))
    ax.legend(handles=handles, loc="lower left", fontsize="small", framealpha=0.85)


def _mpl():
    try:
        import matplotlib.dates as mdates
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("pycwt_mod.plot needs matplotlib: pip install 'pycwt-mod[plot]'") from exc
    return Figure, mdates


def _figure(figsize):
    Figure, _ = _mpl()
    return Figure(figsize=figsize, layout="constrained")


def _time_axis(n: int, dt: float, t0: float, time):
    """Numbers for plotting, and whether they are matplotlib dates."""
    if time is None:
        return t0 + dt * np.arange(n), False
    time = np.asarray(time)
    if np.issubdtype(time.dtype, np.datetime64):
        _, mdates = _mpl()
        return mdates.date2num(time), True
    return time.astype(float), False


def _date_axis(ax, is_date: bool) -> None:
    if is_date:
        _, mdates = _mpl()
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def period_tick_labels(pmin: float, pmax: float) -> tuple[np.ndarray, list[str]]:
    """Ticks at the powers of two between two periods, with plain labels.

    Parameters
    ----------
    pmin, pmax : float
        Shortest and longest period shown (> 0).

    Returns
    -------
    ticks : (k,) ndarray
        ``2**j`` for every integer ``j`` with ``pmin <= 2**j <= pmax``.
    labels : list of str
        ``"0.125"``, ``"0.25"``, ``"0.5"``, ``"1"``, ``"2"``, ... (periods below
        1/8 are written as fractions, ``"1/16"``).

    Examples
    --------
    >>> period_tick_labels(0.2, 9.0)[1]
    ['0.25', '0.5', '1', '2', '4', '8']
    """
    lo, hi = int(np.ceil(np.log2(pmin) - 1e-9)), int(np.floor(np.log2(pmax) + 1e-9))
    ticks = 2.0 ** np.arange(lo, hi + 1)
    labels = []
    for v in ticks:
        if v >= 1:
            labels.append(f"{v:.0f}")
        elif v >= 1 / 8:
            labels.append(f"{v:g}")
        else:
            labels.append(str(Fraction(v).limit_denominator()))
    return ticks, labels


def _period_label(period_label: str, period_unit: str | None) -> str:
    if not period_unit:
        return period_label
    unit = f"{period_unit}s" if period_unit in _PLURAL else period_unit
    return f"{period_label} ({unit})"


def _period_yaxis(ax, period, period_label, period_unit) -> None:
    ax.set_yscale("log", base=2)
    ticks, labels = period_tick_labels(period.min(), period.max())
    ax.set_yticks(ticks, labels)
    ax.minorticks_off()
    ax.set_ylim(period.max(), period.min())
    ax.set_ylabel(_period_label(period_label, period_unit))


def _hatch_masks(ax, t, period, coi, gap_mask) -> None:
    """Hatch the cone of influence and, if given, the gap mask."""
    ax.fill_between(t, np.minimum(coi, period.max()), period.max(), **_COI_STYLE)
    if gap_mask is not None:
        mask = np.asarray(gap_mask, dtype=bool)
        if mask.any():
            ax.contourf(t, period, mask.astype(float), levels=[0.5, 1.5],
                        colors=["0.6"], alpha=0.35)  # fmt: skip
            hatched = ax.contourf(t, period, mask.astype(float), levels=[0.5, 1.5],
                                  colors="none", hatches=[_GAP_HATCH])  # fmt: skip
            hatched.set_edgecolor("0.25")


def _finish(ax, t, is_date, title, xlabel, period, period_label, period_unit) -> None:
    _period_yaxis(ax, period, period_label, period_unit)
    ax.set_xlim(t[0], t[-1])
    _date_axis(ax, is_date)
    if title:
        ax.set_title(title)
    if xlabel and not is_date:
        ax.set_xlabel(xlabel)


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
):
    norm = variance if variance is not None else float(np.mean(power))
    norm = norm if norm > 0 else 1.0  # an all-zero transform: draw it, do not divide by 0
    label = r"$|W|^2/\sigma^2$" if variance is not None else r"$|W|^2$ / mean $|W|^2$"
    levels = np.asarray(POWER_LEVELS, dtype=float)
    ratio = np.log2(np.maximum(power / norm, 2.0**-30))
    cf = ax.contourf(t, period, ratio, levels=levels, extend="both", cmap="viridis")
    if colorbar:
        cb = fig.colorbar(cf, ax=ax, ticks=levels, pad=0.01, aspect=30)
        cb.ax.set_yticklabels([str(Fraction(2.0**k).limit_denominator()) for k in POWER_LEVELS])
        cb.set_label(f"Normalised power {label}")
    ratio = None
    if signif is not None:
        signif = np.asarray(signif, dtype=float)
        ratio = power / (signif[:, None] if signif.ndim == 1 else signif)
    _draw_significance(ax, t, period, ratio, areawise, labels)
    return cf


def scalogram_figure(
    W,
    scales,
    freqs,
    coi,
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
):
    """Wavelet power ``|W|^2`` over time and period.

    Parameters
    ----------
    W : (n_scales, n) complex ndarray
        Output of `cwt`.
    scales, freqs : (n_scales,) ndarray
        Scales and Fourier frequencies from `cwt` (scales are unused but kept for
        symmetry with the return tuple).
    coi : (n,) ndarray
        Cone of influence from `cwt`.
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

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For fewer than 2 scales or samples, or an ``areawise`` mask whose shape is
        not that of ``W``.
    """
    W = np.asarray(W)
    _check_drawable(W, "W")
    areawise = _check_areawise(areawise, W.shape)
    period = 1 / np.asarray(freqs, dtype=float)
    t, is_date = _time_axis(W.shape[1], dt, t0, time)
    power = np.abs(W) ** 2
    fig = _figure(figsize)
    ax = fig.add_subplot()
    _draw_power(fig, ax, t, period, power, variance, signif, areawise=areawise,
                labels=areawise_labels)  # fmt: skip
    _hatch_masks(ax, t, period, np.asarray(coi, dtype=float), gap_mask)
    _finish(ax, t, is_date, title, time_label, period, period_label, period_unit)
    return fig


def _arrow_grid(n_scales: int, n: int, period: np.ndarray, arrows: int):
    octaves = max(np.log2(period.max() / period.min()), 1.0)
    js = slice(None, None, max(1, round(n_scales / (2.5 * octaves))))
    it = slice(None, None, max(1, n // arrows))
    return js, it


def coherence_figure(
    WCT,
    aWCT,
    coi,
    freq,
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
    series_labels: tuple[str, str] = ("series 1", "series 2"),
    legend: bool = True,
    areawise=None,
    areawise_labels: tuple[str, str] = AREAWISE_LABELS,
):
    """Squared wavelet coherence with its significance contour and phase arrows.

    Parameters
    ----------
    WCT, aWCT : (n_scales, n) ndarray
        Coherence and phase angle (radians, ``angle(W1 conj(W2))``) from `wct`.
    coi : (n,) ndarray
        Cone of influence.
    freq : (n_scales,) ndarray
        Fourier frequencies.
    sig : (n_scales,) ndarray, optional
        Coherence thresholds per scale from `wct(..., sig=True)`; the contour is
        drawn where ``WCT = sig``.
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
        Names of the two series for the phase legend.
    legend : bool, optional
        State the arrow convention under the plot (default True when arrows are
        drawn).
    areawise : (n_scales, n) array_like of bool, optional
        Areawise-significant points (from `pycwt_mod.areawise_coherence`), outlined with a
        bold contour (linewidth 2.5); the pointwise contour is then thin (1.0) and
        a legend names both. Default None: no outline, no legend.
    areawise_labels : (str, str), optional
        Legend labels of the pointwise and areawise contours (default
        ``("pointwise 95%", "areawise 95%")``; say so when the levels differ).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For fewer than 2 scales or samples, or an ``areawise`` mask whose shape is
        not that of ``WCT``.
    """
    WCT = np.asarray(WCT, dtype=float)
    _check_drawable(WCT, "WCT")
    areawise = _check_areawise(areawise, WCT.shape)
    aWCT = np.asarray(aWCT, dtype=float)
    coi = np.asarray(coi, dtype=float)
    period = 1 / np.asarray(freq, dtype=float)
    t, is_date = _time_axis(WCT.shape[1], dt, t0, time)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    cf = ax.contourf(t, period, WCT, levels=np.linspace(0, 1, 11), vmin=0, vmax=1, cmap="YlGnBu")
    fig.colorbar(cf, ax=ax, ticks=np.linspace(0, 1, 6), pad=0.01, aspect=30,
                 label="Squared coherence $R^2$")  # fmt: skip
    has_sig = sig is not None and np.size(sig) == period.size and np.isfinite(sig).any()
    ratio = WCT / np.asarray(sig, dtype=float)[:, None] if has_sig else None
    _draw_significance(ax, t, period, ratio, areawise, areawise_labels)
    if arrows:
        js, it = _arrow_grid(WCT.shape[0], WCT.shape[1], period, arrows)
        keep = period[:, None] <= coi[None, :]
        if gap_mask is not None:
            keep &= ~np.asarray(gap_mask, dtype=bool)
        with np.errstate(invalid="ignore"):
            keep &= (WCT >= np.asarray(sig, dtype=float)[:, None]) if has_sig else (WCT > 0.5)
        keep = keep[js, it]
        u, v = np.cos(aWCT[js, it]), np.sin(aWCT[js, it])
        tt, pp = np.meshgrid(t[it], period[js])
        ax.quiver(tt[keep], pp[keep], u[keep], v[keep], angles="uv", pivot="mid",
                  units="inches", scale=4.5, width=0.012, headwidth=4, headlength=4,
                  headaxislength=3.5, color="k")  # fmt: skip
        if legend:
            a, b = series_labels
            fig.text(0.01, 0.0, PHASE_LEGEND.format(a=a, b=b), fontsize="small",
                     ha="left", va="bottom", wrap=True)  # fmt: skip
            fig.get_layout_engine().set(h_pad=0.25)
    _hatch_masks(ax, t, period, coi, gap_mask)
    _finish(ax, t, is_date, title, time_label, period, period_label, period_unit)
    return fig


def global_spectrum_figure(
    W,
    freqs,
    signif=None,
    *,
    title: str = "Global wavelet spectrum",
    period_label: str = "Period",
    figsize=(4, 4.5),
    global_power=None,
    period_unit: str | None = None,
    power_label: str = "Power",
):
    """Time-averaged wavelet power per period, with its significance line.

    Parameters
    ----------
    W : (n_scales, n) complex ndarray or None
        Output of `cwt` (ignored when ``global_power`` is given).
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

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    if global_power is None:
        global_power = (np.abs(np.asarray(W)) ** 2).mean(axis=1)
    period = 1 / np.asarray(freqs, dtype=float)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    _draw_global(ax, np.asarray(global_power, dtype=float), period, signif)
    _period_yaxis(ax, period, period_label, period_unit)
    ax.set_xlabel(power_label)
    ax.set_title(title)
    return fig


def _draw_global(ax, power, period, signif) -> None:
    ax.plot(power, period, "k-", linewidth=1.5, label="global power")
    if signif is not None:
        ax.plot(np.asarray(signif, dtype=float), period, "k--", linewidth=1,
                label="significance")  # fmt: skip
    ax.set_xlim(0, 1.25 * np.nanmax(power))  # as T&C Fig. 1c: the background may leave
    ax.legend(loc="lower right", fontsize="small", frameon=False)


def summary_figure(
    x,
    power,
    freqs,
    coi,
    dt: float = 1.0,
    *,
    time=None,
    t0: float = 0.0,
    variance: float | None = None,
    signif=None,
    global_power=None,
    global_signif=None,
    band: tuple[float, float] | None = None,
    band_power=None,
    band_signif: float | None = None,
    gap_mask=None,
    period_unit: str | None = None,
    value_label: str = "",
    power_unit: str = "",
    title: str = "",
    figsize=(10, 8),
    areawise=None,
    areawise_labels: tuple[str, str] = AREAWISE_LABELS,
):
    """Torrence & Compo (1998) Fig. 1: series, power, global spectrum, band average.

    Parameters
    ----------
    x : (n,) array_like
        The series as analysed (NaN gaps are drawn as breaks).
    power : (n_scales, n) ndarray
        Wavelet power ``|W|^2``.
    freqs : (n_scales,) ndarray
        Fourier frequencies.
    coi : (n,) ndarray
        Cone of influence.
    dt, time, t0
        Time axis as in `scalogram_figure` (dates allowed).
    variance : float, optional
        Variance used to normalise the power (see `scalogram_figure`).
    signif : (n_scales,) ndarray, optional
        Significant local power, drawn as contours.
    global_power, global_signif : (n_scales,) ndarray, optional
        Global wavelet spectrum and its significance (panel c; default the time
        mean of ``power``).
    band : (float, float), optional
        Period band of ``band_power`` (for its label).
    band_power : (n,) ndarray, optional
        Scale-averaged power (panel d, omitted when None).
    band_signif : float, optional
        Its significance level, drawn dashed.
    gap_mask : (n_scales, n) array_like of bool, optional
        Points influenced by gaps, hatched.
    period_unit : str, optional
        Unit of time and period.
    value_label : str, optional
        Label of the series' axis, e.g. "SST anomaly (°C)".
    power_unit : str, optional
        Unit of power and variance, e.g. "°C²", for panels c and d.
    areawise : (n_scales, n) array_like of bool, optional
        Areawise-significant points (``AreawiseResult.areawise``), outlined in panel b
        with a bold contour (linewidth 2.5); the pointwise contour is then thin (1.0) and
        a legend names both. Default None: no outline, no legend.
    areawise_labels : (str, str), optional
        Legend labels of the pointwise and areawise contours (default
        ``("pointwise 95%", "areawise 95%")``; say so when the levels differ).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For an ``areawise`` mask whose shape is not that of ``power``.
    """
    power = np.asarray(power, dtype=float)
    areawise = _check_areawise(areawise, power.shape)
    period = 1 / np.asarray(freqs, dtype=float)
    t, is_date = _time_axis(power.shape[1], dt, t0, time)
    fig = _figure(figsize)
    rows = 3 if band_power is not None else 2
    grid = fig.add_gridspec(rows, 2, width_ratios=[4, 1],
                            height_ratios=[1, 2.2, 1][:rows])  # fmt: skip
    ax_x = fig.add_subplot(grid[0, 0])
    ax_w = fig.add_subplot(grid[1, 0], sharex=ax_x)
    ax_g = fig.add_subplot(grid[1, 1], sharey=ax_w)
    unit = f" {period_unit}s" if period_unit in _PLURAL else f" {period_unit or ''}".rstrip()
    in_unit = f" ({power_unit})" if power_unit else ""
    ax_x.plot(t, np.asarray(x, dtype=float), "k-", linewidth=0.8)
    ax_x.set_ylabel(value_label)
    ax_x.set_title("a) " + (title or "Time series"), loc="left")
    cf = _draw_power(fig, ax_w, t, period, power, variance, signif, colorbar=False,
                     areawise=areawise, labels=areawise_labels)  # fmt: skip
    _hatch_masks(ax_w, t, period, np.asarray(coi, dtype=float), gap_mask)
    _finish(ax_w, t, is_date, "", "", period, "Period", period_unit)
    ax_w.set_title("b) Wavelet power spectrum", loc="left")
    if global_power is None:
        global_power = power.mean(axis=1)
    _draw_global(ax_g, np.asarray(global_power, dtype=float), period, global_signif)
    ax_g.tick_params(labelleft=False)
    ax_g.set_title("c) Global spectrum", loc="left")
    ax_g.set_xlabel("Power" + in_unit)
    cell = fig.add_subplot(grid[0, 1])
    cell.axis("off")
    cax = cell.inset_axes([0.0, 0.55, 1.0, 0.14])
    every_other = POWER_LEVELS[::2]  # a narrow bar: label 1/16, 1/4, 1, 4, 16
    cb = fig.colorbar(cf, cax=cax, orientation="horizontal", ticks=list(every_other))
    cb.ax.set_xticklabels([str(Fraction(2.0**k).limit_denominator()) for k in every_other])
    cb.ax.set_title(r"Power $|W|^2/\sigma^2$", fontsize="medium")
    if band_power is not None:
        ax_b = fig.add_subplot(grid[2, 0], sharex=ax_x)
        ax_b.plot(t, np.asarray(band_power, dtype=float), "k-", linewidth=1.2)
        if band_signif is not None:
            ax_b.axhline(band_signif, color="k", linestyle="--", linewidth=1)
        what = f"{band[0]:g}-{band[1]:g}{unit}" if band else "band"
        ax_b.set_title(f"d) Scale-averaged power, {what}", loc="left")
        ax_b.set_ylabel("Variance" + in_unit)
        ax_b.set_xlim(t[0], t[-1])
        _date_axis(ax_b, is_date)
    _date_axis(ax_x, is_date)
    return fig


def to_png(fig, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
