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


class TestPeriodTickLabels:
    def test_powers_of_two_in_range(self):
        ticks, labels = plot.period_tick_labels(0.2, 9.0)
        np.testing.assert_allclose(ticks, [0.25, 0.5, 1, 2, 4, 8])
        assert labels == ["0.25", "0.5", "1", "2", "4", "8"]

    def test_small_periods_as_fractions_and_exact_ends_kept(self):
        assert plot.period_tick_labels(1 / 16, 0.125)[1] == ["1/16", "0.125"]


@pytest.fixture(scope="module")
def dated():
    rng = np.random.default_rng(1)
    x = np.sin(2 * np.pi * np.arange(360) / 48) + 0.5 * rng.standard_normal(360)
    time = np.arange("1990-01", "2020-01", dtype="datetime64[M]").astype("datetime64[ns]")
    return x, time


class TestScalogramOptions:
    def test_dates_units_levels_and_gap_hatching(self, dated):
        x, time = dated
        W, sj, freqs, coi, _, _ = pm.cwt(x, 1 / 12)
        mask = np.zeros(W.shape, dtype=bool)
        mask[:, 100:120] = True
        fig = plot.scalogram_figure(W, sj, freqs, coi, 1 / 12, time=time, variance=x.var(),
                                    period_unit="year", gap_mask=mask)  # fmt: skip
        ax = fig.axes[0]
        assert ax.get_ylabel() == "Period (years)"
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            "0.25",
            "0.5",
            "1",
            "2",
            "4",
            "8",
            "16",
        ]
        assert type(ax.xaxis.get_major_formatter()).__name__ == "ConciseDateFormatter"
        filled = [c for c in ax.collections if type(c).__name__ == "QuadContourSet"]
        np.testing.assert_array_equal(filled[0].levels, np.arange(-4, 5))  # log2 of power
        assert any("////" in c.hatches for c in filled)
        cbar = fig.axes[1]
        assert [t.get_text() for t in cbar.get_yticklabels()][:3] == ["1/16", "1/8", "1/4"]
        _decode(plot.to_png(fig, dpi=30))


class TestCoherenceArrows:
    def test_only_where_significant_and_outside_the_cone(self, series):
        x, y = series
        WCT, aWCT, coi, freq, _ = pm.wct(x, y, 1.0, sig=False)
        sig = np.full(freq.size, 0.8)
        fig = plot.coherence_figure(WCT, aWCT, coi, freq, sig, arrows=60,
                                    series_labels=("x", "y"))  # fmt: skip
        quiver = next(c for c in fig.axes[0].collections if type(c).__name__ == "Quiver")
        t, p = quiver.X, quiver.Y
        assert t.size > 5
        i = np.round(t).astype(int)
        j = np.array([np.argmin(np.abs(1 / freq - v)) for v in p])
        assert (p <= coi[i]).all()
        assert (WCT[j, i] >= 0.8).all()
        texts = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
        assert any("x leads by 90" in text for text in texts)  # the caption

    def test_in_phase_points_right_and_lead_points_up(self):
        WCT = np.ones((4, 40))
        aWCT = np.zeros((4, 40))
        aWCT[2:] = np.pi / 2
        freq = 1 / np.array([1.0, 2.0, 4.0, 8.0])
        fig = plot.coherence_figure(WCT, aWCT, np.full(40, 100.0), freq, arrows=40)
        quiver = next(c for c in fig.axes[0].collections if type(c).__name__ == "Quiver")
        right = quiver.Y <= 2
        np.testing.assert_allclose(quiver.U[right], 1.0)
        np.testing.assert_allclose(quiver.V[~right], 1.0, atol=1e-12)


class TestSummaryFigure:
    def test_four_panels_with_dates(self, dated):
        x, time = dated
        W, _, freqs, coi, _, _ = pm.cwt(x, 1 / 12)
        power = np.abs(W) ** 2
        fig = plot.summary_figure(x, power, freqs, coi, time=time, variance=x.var(),
                                  band=(2, 8), band_power=power[:4].mean(axis=0),
                                  band_signif=1.0, period_unit="year", power_unit="K²")  # fmt: skip
        titles = [ax.get_title(loc="left") for ax in fig.axes]
        assert titles[:3] == ["a) Time series", "b) Wavelet power spectrum", "c) Global spectrum"]
        assert "d) Scale-averaged power, 2-8 years" in titles
        _decode(plot.to_png(fig, dpi=30))


class TestGlobalSpectrumOptions:
    def test_given_global_power_and_unit(self):
        freqs = 1 / np.array([1.0, 2.0, 4.0])
        fig = plot.global_spectrum_figure(None, freqs, global_power=np.array([1.0, 3.0, 2.0]),
                                          period_unit="day")  # fmt: skip
        ax = fig.axes[0]
        np.testing.assert_allclose(ax.lines[0].get_xdata(), [1.0, 3.0, 2.0])
        assert ax.get_ylabel() == "Period (days)"


class TestTooSmallToDraw:
    """One scale (or one sample) cannot be contoured: a clear ValueError (HTTP 400)."""

    def test_one_scale(self):
        W = np.ones((1, 8), dtype=complex)
        with pytest.raises(ValueError, match="at least 2 scales and 2 samples"):
            plot.scalogram_figure(W, np.ones(1), np.ones(1), np.ones(8))
        with pytest.raises(ValueError, match="`WCT` of shape"):
            plot.coherence_figure(W.real, W.real, np.ones(8), np.ones(1), None)


class TestCoherencePhase:
    def test_band_and_phase_statistics_written(self, series):
        from pycwt_mod.phase import phase_statistics

        x, y = series  # y follows x by 4 samples
        WCT, aWCT, coi, freq, _ = pm.wct(x, y, 1.0, sig=False)
        st = phase_statistics(aWCT, 1 / freq, band=(24, 40), coi=coi, lag_period=32)
        fig = plot.coherence_figure(WCT, aWCT, coi, freq, phase=st, phase_band=(24, 40),
                                    period_unit="day")  # fmt: skip
        ax = fig.axes[0]
        lines = [ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert sorted(lines) == [24, 40]
        text = next(t.get_text() for t in ax.texts if " lag " in t.get_text())  # not the caption
        assert text.startswith(f"24-40 day: phase {np.degrees(st.mean_phase):.0f}\u00b0")
        assert text.endswith(f"lag {st.lag:.3g} day")
        assert st.lag == pytest.approx(4, abs=0.5)
        _decode(plot.to_png(fig, dpi=30))
