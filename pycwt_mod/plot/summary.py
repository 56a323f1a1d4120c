"""The four-panel summary of one series (Torrence & Compo 1998, Fig. 1).

a) the series, b) its wavelet power with significance contours and the hatched
cone of influence, c) the global wavelet spectrum, d) the scale-averaged power of
a period band; panels b and c are drawn as `scalogram_figure` and
`global_spectrum_figure` draw them.
"""

from __future__ import annotations

import numpy as np

from .axes import (
    _PLURAL,
    AREAWISE_LABELS,
    POWER_LEVELS,
    _date_axis,
    _finish_map,
    _map_axes,
    _mpl,
    _power_tick_labels,
)
from .power import _draw_global, _draw_power

__all__ = ["summary_figure"]


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
    areawise, areawise_labels
        Areawise-significant points (``AreawiseResult.areawise``) and the legend
        labels, outlined in panel b as in `scalogram_figure` (default None: no
        outline, no legend).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For an ``areawise`` mask whose shape is not that of ``power``.
    """
    power = np.asarray(power, dtype=float)
    areawise, period, t, is_date = _map_axes(power.shape, freqs, areawise, dt, t0, time)
    Figure, _ = _mpl()
    fig = Figure(figsize=figsize, layout="constrained")
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
                     areawise=areawise, labels=areawise_labels,
                     coi=np.asarray(coi, dtype=float))  # fmt: skip
    _finish_map(ax_w, t, is_date, period, coi, gap_mask, "", "", "Period", period_unit)
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
    cb.ax.set_xticklabels(_power_tick_labels(every_other))
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
