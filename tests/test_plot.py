"""Plots decode as PNG images of the requested size and show what they claim."""

import io

import numpy as np
import pytest

import pycwt_mod as pm

plot = pytest.importorskip("pycwt_mod.plot")
Image = pytest.importorskip("matplotlib.image")


def _decode(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.imread(io.BytesIO(png), format="png")


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    t = np.arange(512)
    x = np.sin(2 * np.pi * t / 32) + 0.3 * rng.standard_normal(t.size)
    y = np.roll(x, 4) + 0.3 * rng.standard_normal(t.size)
    return x, y


class TestScalogram:
    def test_png_has_requested_size(self, series):
        W, sj, freqs, coi, _, _ = pm.cwt(series[0], 1.0)
        sig, _ = pm.significance(1.0, 1.0, sj, 0, 0.0)
        fig = plot.scalogram_figure(W, sj, freqs, coi, 1.0, signif=sig, figsize=(6, 3))
        img = _decode(plot.to_png(fig, dpi=50))
        assert img.shape[:2] == (150, 300)
        assert img[..., :3].std() > 0.05  # not a blank canvas

    def test_period_axis_is_log2_and_inverted(self, series):
        W, sj, freqs, coi, _, _ = pm.cwt(series[0], 1.0)
        ax = plot.scalogram_figure(W, sj, freqs, coi).axes[0]
        assert ax.get_yscale() == "log"
        lo, hi = ax.get_ylim()
        assert lo > hi  # longest period at the bottom


class TestCoherence:
    def test_png_with_contour_and_arrows(self, series):
        x, y = series
        WCT, aWCT, coi, freq, _ = pm.wct(x, y, 1.0, sig=False)
        sig = np.full(freq.size, 0.7)
        fig = plot.coherence_figure(WCT, aWCT, coi, freq, sig, figsize=(5, 3))
        ax = fig.axes[0]
        assert any(type(c).__name__ == "Quiver" for c in ax.collections)
        img = _decode(plot.to_png(fig, dpi=40))
        assert img.shape[:2] == (120, 200)

    def test_no_arrows_when_disabled(self, series):
        x, y = series
        WCT, aWCT, coi, freq, _ = pm.wct(x, y, 1.0, sig=False)
        ax = plot.coherence_figure(WCT, aWCT, coi, freq, arrows=0).axes[0]
        assert not any(type(c).__name__ == "Quiver" for c in ax.collections)


class TestGlobalSpectrum:
    def test_peak_of_plotted_line_is_at_the_sinusoid_period(self, series):
        W, _, freqs, _, _, _ = pm.cwt(series[0], 1.0)
        fig = plot.global_spectrum_figure(W, freqs, signif=np.ones(freqs.size))
        power, period = fig.axes[0].lines[0].get_data()
        assert abs(np.log2(period[np.argmax(power)] / 32)) < 1 / 6
        _decode(plot.to_png(fig, dpi=30))
