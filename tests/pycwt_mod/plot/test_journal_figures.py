"""Figures for a journal: the caption clear of the time axis, no stray significance
contours, vector output at any dpi, the labelled Datasets drawn, into a given axes."""

from __future__ import annotations

import numpy as np
import pytest

import pycwt_mod as pm

plot = pytest.importorskip("pycwt_mod.plot")
pytest.importorskip("matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

N, NS = 240, 40


def _pair(n=N, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    x = np.sin(2 * np.pi * t / 24) + 0.4 * rng.standard_normal(n)
    return x, np.roll(x, 3) + 0.4 * rng.standard_normal(n)


def _lines(ax):
    """Each connected piece of every (unfilled) contour line of ``ax``."""
    for c in ax.collections:
        if isinstance(c, ContourSet) and not c.filled:
            for path in c.get_paths():
                yield from path.to_polygons(closed_only=False)


def _full_width_flat(ax, t_span: float) -> list:
    """Contour pieces running across (nearly) the whole time axis at one period."""
    return [
        p for p in _lines(ax) if np.ptp(p[:, 0]) > 0.9 * t_span and np.ptp(np.log2(p[:, 1])) < 0.25
    ]


def _smooth_field():
    """A field smooth along time (as coherence is at long periods): high at the long
    periods, low below; periods 2..2**9 samples, a cone of influence reaching 64."""
    period = 2.0 ** np.linspace(1, 9, NS)
    field = np.where(period[:, None] > 100, 0.95, 0.4) * np.ones((NS, N))
    coi = np.minimum(np.arange(N) + 1, N - np.arange(N)) * 0.5 + 1
    coi = np.minimum(coi, 64.0)
    return field, period, coi


class TestCaption:
    @pytest.mark.parametrize("dates", [False, True])
    def test_phase_caption_does_not_cover_the_time_axis(self, dates):
        x, y = _pair()
        WCT, aWCT, coi, freq, _ = pm.wct(x, y, 1.0, dj=0.25, sig=False)
        time = np.datetime64("1950-01") + np.arange(N).astype("timedelta64[M]") if dates else None
        fig = plot.coherence_figure(WCT, aWCT, coi, freq, time=time, time_label="Year")
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = fig.axes[0]
        (caption,) = [t for t in ax.texts if "leads by 90" in t.get_text()]
        cap = caption.get_window_extent(renderer)
        axis = ax.xaxis.get_tightbbox(renderer)  # tick labels, offset text, label
        assert cap.y1 <= axis.y0 + 0.5, (cap, axis)  # wholly below the time axis
        if not dates:
            assert not cap.overlaps(ax.xaxis.label.get_window_extent(renderer))
        page = fig.bbox
        assert cap.y0 >= page.y0 - 0.5 and cap.x1 <= page.x1 + 0.5  # on the page


class TestNoStrayContours:
    def test_coherence_scales_wholly_in_the_cone_have_no_contour(self):
        field, period, coi = _smooth_field()
        before = Figure()
        ax = before.add_subplot()
        ax.contour(np.arange(N), period, field / 0.8, levels=[1.0])  # what was drawn
        assert _full_width_flat(ax, N - 1)  # the test can fail: the old contour was a line
        fig = plot.coherence_figure(field, np.zeros_like(field), coi, 1 / period,
                                    np.full(NS, 0.8), arrows=0)  # fmt: skip
        assert not _full_width_flat(fig.axes[0], N - 1)

    def test_no_contour_where_the_thresholds_are_nan(self):
        field, period, coi = _smooth_field()
        coi = np.full(N, 1e6)  # nothing in the cone: only the NaN thresholds matter
        sig = np.where(period > 100, np.nan, 0.8)
        sig[np.argmin(np.abs(period - 60))] = 0.0  # a zero threshold is no threshold
        field[period < 40] = 0.9  # a significant band below: its contour is real
        fig = plot.coherence_figure(field, np.zeros_like(field), coi, 1 / period, sig,
                                    arrows=0)  # fmt: skip
        ax = fig.axes[0]
        pieces = list(_lines(ax))
        assert pieces  # the real contour, between 40 and 60 samples, is drawn
        assert all(p[:, 1].max() <= 100 for p in pieces)  # none where sig is NaN

    def test_power_scales_wholly_in_the_cone_have_no_contour(self):
        field, period, coi = _smooth_field()
        fig = plot.scalogram_figure(np.sqrt(field), period, 1 / period, coi,
                                    signif=np.full(NS, 0.8))  # fmt: skip
        assert not _full_width_flat(fig.axes[0], N - 1)


class TestOutput:
    def test_svg_pdf_png_at_any_dpi(self):
        x, _ = _pair()
        W, sj, freqs, coi, _, _ = pm.cwt(x, 1.0, 0.25)
        fig = plot.scalogram_figure(W, sj, freqs, coi, figsize=(4, 2), title="Niño3")
        svg = plot.to_bytes(fig, "svg")
        assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg[:2000]
        assert "Niño3</text>".encode() in svg  # text as text, not outlines
        pdf = plot.to_bytes(fig, "pdf")
        assert pdf[:5] == b"%PDF-" and b"/FontFile2" in pdf  # TrueType text, as journals ask
        png = plot.to_bytes(fig, "png", dpi=300)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (1200, 600)
        with pytest.raises(ValueError, match="unknown figure format 'tif'"):
            plot.to_bytes(fig, "tif")


@pytest.fixture(scope="module")
def labelled():
    """The labelled API and two monthly pandas series."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("xarray")
    from pycwt_mod import labelled

    x, y = _pair(144)
    index = pd.date_range("1950-01-01", periods=144, freq="MS")
    return labelled, pd.Series(x, index, name="nino3"), pd.Series(y, index, name="rain")


class TestDatasets:
    def test_a_power_dataset_draws(self, labelled):
        lab, a, _ = labelled
        ds = lab.cwt(a, dj=0.25)
        fig = plot.scalogram_figure(ds)
        ax = fig.axes[0]
        assert ax.get_title() == "Wavelet power spectrum: nino3"
        assert ax.get_ylabel() == "Period (years)"  # the Dataset's period unit
        assert any(isinstance(c, ContourSet) and not c.filled for c in ax.collections)
        v = {k: ds[k].values for k in ("power", "scale", "period", "coi", "time", "sig95")}
        ref = plot.scalogram_figure(
            np.sqrt(v["power"]), v["scale"], 1 / v["period"], v["coi"], time=v["time"],
            signif=v["sig95"], variance=ds.attrs["variance"],
            title="Wavelet power spectrum: nino3", period_unit="year",
        )  # fmt: skip
        assert plot.to_png(fig, 30) == plot.to_png(ref, 30)
        g = plot.global_spectrum_figure(ds)
        assert len(g.axes[0].lines) == 2  # the spectrum and its significance

    def test_a_coherence_dataset_draws_into_a_given_axes(self, labelled):
        lab, a, b = labelled
        ds = lab.wct(a, b, dj=0.25, mc_count=20, seed=1)
        fig = Figure(figsize=(8, 6), layout="constrained")
        top, bottom = fig.subplots(2, 1)
        assert plot.coherence_figure(ds, ax=bottom) is fig
        assert bottom.collections and not top.collections  # drawn where asked
        captions = [t.get_text().replace("\n", " ") for t in bottom.texts]
        assert any("rain leads by 90" in c for c in captions)  # the Dataset's names
        assert bottom.get_ylabel() == "Period (years)"

    def test_a_dataset_of_the_other_kind_is_refused(self, labelled):
        lab, a, _ = labelled
        with pytest.raises(ValueError, match=r"labelled\.wct"):
            plot.coherence_figure(lab.cwt(a, dj=0.5))
