"""Areawise significance in the figures: a bold outline over the thin pointwise contour."""

import numpy as np
import pytest

import pycwt_mod as pm

ContourSet = pytest.importorskip("matplotlib.contour").ContourSet
from pycwt_mod import plot  # noqa: E402 - after the matplotlib check


def _line_widths(ax) -> list[float]:
    """Line widths of the contour lines (not the filled contours) of an Axes."""
    return [
        float(w)
        for c in ax.collections
        if isinstance(c, ContourSet) and not c.filled
        for w in np.atleast_1d(c.get_linewidths())
    ]


def _legend_labels(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


@pytest.fixture(scope="module")
def power_case():
    """A sinusoid in noise, its transform, chi-square thresholds and a patch mask."""
    rng = np.random.default_rng(0)
    x = np.sin(2 * np.pi * np.arange(256) / 16) + 0.5 * rng.standard_normal(256)
    W, sj, freqs, coi, _, _ = pm.cwt(x, 1.0, dj=1 / 4)
    sig, _ = pm.significance(1.0, 1.0, sj, 0, 0.0)
    mask = np.zeros(W.shape, dtype=bool)
    mask[8:12, 60:200] = True
    return W, sj, freqs, coi, sig, mask


@pytest.fixture(scope="module")
def coherence_case():
    rng = np.random.default_rng(1)
    x = np.sin(2 * np.pi * np.arange(256) / 16) + 0.3 * rng.standard_normal(256)
    y = np.roll(x, 2) + 0.3 * rng.standard_normal(256)
    WCT, aWCT, coi, freq, _ = pm.wct(x, y, 1.0, dj=1 / 4, sig=False)
    mask = WCT > 0.9
    return WCT, aWCT, coi, freq, np.full(freq.size, 0.8), mask


class TestScalogramAreawise:
    def test_bold_outline_thin_pointwise_and_legend(self, power_case):
        W, sj, freqs, coi, sig, mask = power_case
        ax = plot.scalogram_figure(W, sj, freqs, coi, signif=sig, areawise=mask).axes[0]
        assert sorted(_line_widths(ax)) == [1.0, 2.5]
        assert _legend_labels(ax) == ["pointwise 95%", "areawise 95%"]
        handles = ax.get_legend().legend_handles
        assert [h.get_linewidth() for h in handles] == [1.0, 2.5]

    def test_none_keeps_todays_figure(self, power_case):
        W, sj, freqs, coi, sig, _ = power_case
        ax = plot.scalogram_figure(W, sj, freqs, coi, signif=sig).axes[0]
        assert _line_widths(ax) == [1.2]
        assert ax.get_legend() is None

    def test_empty_mask_draws_no_outline_but_says_so(self, power_case):
        W, sj, freqs, coi, sig, mask = power_case
        ax = plot.scalogram_figure(W, sj, freqs, coi, signif=sig,
                                   areawise=np.zeros_like(mask)).axes[0]  # fmt: skip
        assert _line_widths(ax) == [1.0]
        assert "areawise 95%" in _legend_labels(ax)

    def test_labels_and_integer_mask(self, power_case):
        W, sj, freqs, coi, _, mask = power_case
        ax = plot.scalogram_figure(W, sj, freqs, coi, areawise=mask.astype(np.int8),
                                   areawise_labels=("pw 90%", "aw 90%")).axes[0]  # fmt: skip
        assert _line_widths(ax) == [2.5]  # no signif: no pointwise contour
        assert _legend_labels(ax) == ["aw 90%"]

    @pytest.mark.parametrize("bad", [np.zeros((3, 256), bool), np.zeros(256, bool)])
    def test_wrong_shape_names_areawise(self, power_case, bad):
        W, sj, freqs, coi, _, _ = power_case
        with pytest.raises(ValueError, match=r"`areawise` must be a \(n_scales, n\)"):
            plot.scalogram_figure(W, sj, freqs, coi, areawise=bad)

    def test_non_boolean_values_refused(self, power_case):
        W, sj, freqs, coi, _, mask = power_case
        with pytest.raises(ValueError, match="`areawise` must hold booleans"):
            plot.scalogram_figure(W, sj, freqs, coi, areawise=mask * 2.5)

    def test_too_small_still_refused_first(self):
        W = np.ones((1, 8), dtype=complex)
        with pytest.raises(ValueError, match="at least 2 scales and 2 samples"):
            plot.scalogram_figure(W, np.ones(1), np.ones(1), np.ones(8),
                                  areawise=np.zeros((2, 8), bool))  # fmt: skip


class TestCoherenceAreawise:
    def test_bold_outline_thin_pointwise_and_legend(self, coherence_case):
        WCT, aWCT, coi, freq, sig, mask = coherence_case
        fig = plot.coherence_figure(WCT, aWCT, coi, freq, sig, areawise=mask)
        ax = fig.axes[0]
        assert sorted(_line_widths(ax)) == [1.0, 2.5]
        assert _legend_labels(ax) == ["pointwise 95%", "areawise 95%"]
        assert plot.to_png(fig, dpi=20).startswith(b"\x89PNG")

    def test_none_keeps_todays_figure(self, coherence_case):
        WCT, aWCT, coi, freq, sig, _ = coherence_case
        ax = plot.coherence_figure(WCT, aWCT, coi, freq, sig).axes[0]
        assert _line_widths(ax) == [1.2]
        assert ax.get_legend() is None

    def test_wrong_shape_names_areawise(self, coherence_case):
        WCT, aWCT, coi, freq, sig, mask = coherence_case
        with pytest.raises(ValueError, match=r"`areawise`.*got shape"):
            plot.coherence_figure(WCT, aWCT, coi, freq, sig, areawise=mask[:, :-1])


class TestSummaryAreawise:
    def test_outline_in_the_power_panel(self, power_case):
        W, _, freqs, coi, sig, mask = power_case
        x = np.zeros(W.shape[1])
        fig = plot.summary_figure(x, np.abs(W) ** 2, freqs, coi, signif=sig, areawise=mask)
        ax_w = fig.axes[1]
        assert sorted(_line_widths(ax_w)) == [1.0, 2.5]
        assert _legend_labels(ax_w) == ["pointwise 95%", "areawise 95%"]
        with pytest.raises(ValueError, match="`areawise`"):
            plot.summary_figure(x, np.abs(W) ** 2, freqs, coi, areawise=mask.T)
