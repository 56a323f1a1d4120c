"""Figures of the service's results (PNG, SVG or PDF), rendered with `pycwt_mod.plot`.

The compute deployment that computed a transform renders it (`CWTDeployment.cwt_png`,
`WCTDeployment.wct_png`), so the ingress stays light (it never imports matplotlib) and
only the PNG bytes cross the handle, not the arrays. ``opts`` holds the fields of
`serve_app.http.schemas.PlotOptions` as plain values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pycwt_mod.plot import coherence_figure, scalogram_figure, to_bytes

from .records import CWTResult, WCTResult

__all__ = ["check_periods", "render_cwt_png", "render_wct_png"]


def check_periods(freqs, dt: float) -> None:
    """Raise ``ValueError`` when the Fourier periods cannot be drawn on a log axis."""
    with np.errstate(divide="ignore", over="ignore"):
        period = 1 / np.asarray(freqs, dtype=float)
    if period.size == 0 or not (np.isfinite(period).all() and (period > 0).all()):
        raise ValueError(
            f"the periods of this scale grid (dt={dt}) overflow or vanish, so no figure "
            "can be drawn: give dt in a unit that keeps it near 1 (e.g. years or days) "
            "and name the unit in period_unit"
        )


def _figure_kwargs(dt: float, opts: dict[str, Any], default_title: str) -> dict[str, Any]:
    names = opts.get("series_names") or ()
    if names:
        default_title = f"{default_title}: {' / '.join(names)}"
    return {
        "dt": dt,
        "t0": opts.get("t0", 0.0),
        "title": opts.get("title") or default_title,
        "time_label": opts.get("time_label", "Time"),
        "period_label": opts.get("period_label", "Period"),
        "figsize": (opts.get("width", 9.0), opts.get("height", 4.5)),
        "period_unit": opts.get("period_unit"),
    }


def _render(fig, opts: dict[str, Any]) -> bytes:
    return to_bytes(fig, opts.get("format") or "png", dpi=opts.get("dpi", 100))


def render_cwt_png(
    result: CWTResult,
    dt: float,
    opts: dict[str, Any],
    signif: np.ndarray | None = None,
    variance: float | None = None,
) -> bytes:
    """The figure (``opts["format"]``: PNG, SVG or PDF) of the wavelet power of a CWT.

    ``signif`` (per scale, `pycwt_mod.pipeline.analyze_cwt`'s ``sig95``) is drawn as the
    significance contour; ``variance`` shades the power as ``|W|^2 / variance``
    (Torrence & Compo 1998, Fig. 1b). A ``gap_mask`` is hatched.
    """
    check_periods(result.freqs, dt)
    fig = scalogram_figure(
        result.wave,
        result.scales,
        result.freqs,
        result.coi,
        signif=signif,
        variance=variance,
        gap_mask=result.gap_mask,
        **_figure_kwargs(dt, opts, "Wavelet power spectrum"),
    )
    return _render(fig, opts)


def render_wct_png(
    result: WCTResult, dt: float, opts: dict[str, Any], areawise: np.ndarray | None = None
) -> bytes:
    """The figure (PNG, SVG or PDF) of the coherence of a WCT result (with its
    significance contour); ``series_names`` name the series in the phase caption.

    ``areawise`` (``(n_scales, n)`` bool, an areawise job's mask) outlines the
    areawise-significant patches in bold over the thin pointwise contour.
    """
    check_periods(result.freqs, dt)
    fig = coherence_figure(
        result.WCT,
        result.aWCT,
        result.coi,
        result.freqs,
        result.sig95,
        gap_mask=result.gap_mask,
        areawise=areawise,
        series_labels=_pair_names(opts),
        **_figure_kwargs(dt, opts, "Wavelet coherence"),
    )
    return _render(fig, opts)


def _pair_names(opts: dict[str, Any]) -> tuple[str, str] | None:
    names = opts.get("series_names") or ()
    return (names[0], names[1]) if len(names) == 2 else None
