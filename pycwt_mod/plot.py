"""Plots of wavelet results: scalogram, coherence map, global wavelet spectrum.

Needs matplotlib (``pip install 'pycwt-mod[plot]'``). The functions build
``matplotlib.figure.Figure`` objects directly (no pyplot state, no GUI), so they
are safe in servers and threads; `to_png` renders one to PNG bytes.

Conventions follow Torrence & Compo (1998), Fig. 1, and Grinsted et al. (2004),
Fig. 3-4: period on a log2 axis increasing downwards, the cone of influence
shaded, significance as a thick contour, and phase arrows pointing right for
in-phase and left for anti-phase.
"""

from __future__ import annotations

import io

import numpy as np

__all__ = ["coherence_figure", "global_spectrum_figure", "scalogram_figure", "to_png"]


def _figure(figsize):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("pycwt_mod.plot needs matplotlib: pip install 'pycwt-mod[plot]'") from exc
    return Figure(figsize=figsize, layout="constrained")


def _time_axis(n: int, dt: float, t0: float, time):
    return np.asarray(time, dtype=float) if time is not None else t0 + dt * np.arange(n)


def _period_axes(ax, t, period, coi, title, xlabel, ylabel):
    """Log2 period axis (increasing downwards) with the cone of influence hatched."""
    ax.set_yscale("log", base=2)
    ax.set_ylim(period.max(), period.min())
    ax.fill_between(
        t, np.minimum(coi, period.max()), period.max(), color="k", alpha=0.25, hatch="x",
        linewidth=0,
    )  # fmt: skip
    ax.set_xlim(t[0], t[-1])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


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
    time : (n,) array_like, optional
        Time of each sample; default ``t0 + dt * arange(n)``.
    signif : (n_scales,) ndarray, optional
        Power that is significant per scale (e.g. from `significance`); drawn as a
        thick contour where ``|W|^2 / signif = 1``.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    W = np.asarray(W)
    period = 1 / np.asarray(freqs, dtype=float)
    t = _time_axis(W.shape[1], dt, t0, time)
    power = np.abs(W) ** 2
    fig = _figure(figsize)
    ax = fig.add_subplot()
    levels = np.log2(np.percentile(power, [5, 25, 50, 75, 90, 95, 99, 99.9]) + 1e-300)
    cf = ax.contourf(t, period, np.log2(power + 1e-300), levels=np.unique(levels), extend="both")
    fig.colorbar(cf, ax=ax, label="log2 power")
    if signif is not None:
        ratio = power / np.asarray(signif, dtype=float)[:, None]
        ax.contour(t, period, ratio, levels=[1.0], colors="k", linewidths=1.5)
    _period_axes(ax, t, period, np.asarray(coi), title, time_label, period_label)
    return fig


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
):
    """Squared wavelet coherence with its significance contour and phase arrows.

    Parameters
    ----------
    WCT, aWCT : (n_scales, n) ndarray
        Coherence and phase angle (radians) from `wct`.
    coi : (n,) ndarray
        Cone of influence.
    freq : (n_scales,) ndarray
        Fourier frequencies.
    sig : (n_scales,) ndarray, optional
        Coherence thresholds per scale from `wct(..., sig=True)`; the contour is
        drawn where ``WCT = sig``.
    arrows : int, optional
        About how many phase arrows across the time axis (0 for none); arrows are
        drawn only where coherence exceeds 0.5.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    WCT = np.asarray(WCT, dtype=float)
    aWCT = np.asarray(aWCT, dtype=float)
    period = 1 / np.asarray(freq, dtype=float)
    t = _time_axis(WCT.shape[1], dt, t0, time)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    cf = ax.contourf(t, period, WCT, levels=np.linspace(0, 1, 11), vmin=0, vmax=1)
    fig.colorbar(cf, ax=ax, label="coherence $R^2$")
    if sig is not None and np.isfinite(sig).any():
        ratio = WCT / np.asarray(sig, dtype=float)[:, None]
        ax.contour(t, period, ratio, levels=[1.0], colors="k", linewidths=1.5)
    if arrows:
        it = slice(None, None, max(1, WCT.shape[1] // arrows))
        js = slice(None, None, max(1, WCT.shape[0] // 12))
        u, v = np.cos(aWCT[js, it]), np.sin(aWCT[js, it])
        keep = WCT[js, it] > 0.5
        tt, pp = np.meshgrid(t[it], period[js])
        ax.quiver(tt[keep], pp[keep], u[keep], v[keep], units="height", angles="uv",
                  pivot="mid", scale=30, width=0.003, headwidth=4)  # fmt: skip
    _period_axes(ax, t, period, np.asarray(coi), title, time_label, period_label)
    return fig


def global_spectrum_figure(
    W,
    freqs,
    signif=None,
    *,
    title: str = "Global wavelet spectrum",
    period_label: str = "Period",
    figsize=(4, 4.5),
):
    """Time-averaged wavelet power per period, with its significance line.

    Parameters
    ----------
    W : (n_scales, n) complex ndarray
        Output of `cwt`.
    freqs : (n_scales,) ndarray
        Fourier frequencies.
    signif : (n_scales,) ndarray, optional
        Significant time-averaged power (e.g. `significance` with
        ``sigma_test=1``), drawn dashed.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    power = (np.abs(np.asarray(W)) ** 2).mean(axis=1)
    period = 1 / np.asarray(freqs, dtype=float)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.plot(power, period, "k-", linewidth=1.5, label="global power")
    if signif is not None:
        ax.plot(np.asarray(signif, dtype=float), period, "k--", label="significance")
    ax.set_yscale("log", base=2)
    ax.set_ylim(period.max(), period.min())
    ax.set_xlabel("Power")
    ax.set_ylabel(period_label)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def to_png(fig, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
