"""PNG plots over HTTP: request models and the renderers the compute deployments call.

``POST /api/v1/plots/cwt`` and ``/api/v1/plots/wct`` take the fields of the matching
analysis request plus the `PlotOptions`. The PNG is rendered with `pycwt_mod.plot` in
the compute deployment that computed the transform (`CWTDeployment.cwt_png`,
`WCTDeployment.wct_png`), so the ingress stays light (it never imports matplotlib) and
only the PNG bytes cross the handle, not the arrays.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .schemas import CWTRequest, WCTRequest

__all__ = [
    "CWTPlotRequest",
    "PlotOptions",
    "WCTPlotRequest",
    "render_cwt_png",
    "render_wct_png",
]


class PlotOptions(BaseModel):
    """Labels and size of a plot; the time axis is ``t0 + dt * arange(n)``."""

    title: str | None = Field(None, max_length=200, description="Title; null: a default.")
    time_label: str = Field("Time", max_length=100, description="Label of the time axis.")
    period_label: str = Field("Period", max_length=100, description="Label of the period axis.")
    t0: float = Field(0.0, description="Time of the first sample.")
    width: float = Field(9.0, ge=2, le=30, description="Figure width, inches.")
    height: float = Field(4.5, ge=2, le=20, description="Figure height, inches.")
    dpi: int = Field(100, ge=30, le=300, description="Pixels per inch.")


#: Fields of `PlotOptions` (split off the analysis fields by the ingress).
PLOT_FIELDS = frozenset(PlotOptions.model_fields)


class CWTPlotRequest(CWTRequest, PlotOptions):
    """Body of POST /api/v1/plots/cwt: a CWT request plus plot options."""


class WCTPlotRequest(WCTRequest, PlotOptions):
    """Body of POST /api/v1/plots/wct: a coherence request plus plot options.

    With ``significance_test`` the thresholds are drawn as a contour (within the
    synchronous work budget, as /analysis/wct).
    """


def _figure_kwargs(dt: float, opts: dict[str, Any], default_title: str) -> dict[str, Any]:
    return {
        "dt": dt,
        "t0": opts.get("t0", 0.0),
        "title": opts.get("title") or default_title,
        "time_label": opts.get("time_label", "Time"),
        "period_label": opts.get("period_label", "Period"),
        "figsize": (opts.get("width", 9.0), opts.get("height", 4.5)),
    }


def render_cwt_png(result, dt: float, opts: dict[str, Any]) -> bytes:
    """PNG of the wavelet power of a `serve_app.analysis.CWTResult`."""
    from pycwt_mod.plot import scalogram_figure, to_png

    fig = scalogram_figure(
        result.wave,
        result.scales,
        result.freqs,
        result.coi,
        **_figure_kwargs(dt, opts, "Wavelet power spectrum"),
    )
    return to_png(fig, dpi=opts.get("dpi", 100))


def render_wct_png(result, dt: float, opts: dict[str, Any]) -> bytes:
    """PNG of the coherence of a `serve_app.analysis.WCTResult` (with its contour)."""
    from pycwt_mod.plot import coherence_figure, to_png

    fig = coherence_figure(
        result.wct,
        result.awct,
        result.coi,
        result.freqs,
        result.sig,
        **_figure_kwargs(dt, opts, "Wavelet coherence"),
    )
    return to_png(fig, dpi=opts.get("dpi", 100))
