"""cwt, icwt, xwt, wct, scale_grid, cone_of_influence.

Two kinds of test: parity with pycwt 0.5.0b0 (the oracle, to rtol 1e-6) where pycwt is
right, and physics from Torrence & Compo (1998) [TC98] where it is not or where no
oracle is needed (delta reconstruction factor, inverse transform, spectral peaks).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import pycwt_mod as wavelet
from pycwt_mod import DOG, MexicanHat, Morlet, Paul

WAVELETS = ["morlet", "paul", "dog", "mexicanhat"]
LENGTHS = [64, 100, 1000, 1023, 4097]
GRIDS = {
    "defaults": dict(dt=1.0),
    "dt0.25-dj0.25-s0": dict(dt=0.25, dj=0.25, s0=0.5),
    "dt2-dj0.125-s0-J30": dict(dt=2.0, dj=1 / 8, s0=4.0, J=30),
    "dt1/12-dj0.1-J40": dict(dt=1 / 12, dj=0.1, J=40),
}
# The mothers of TC98 Table 2, with the reconstruction factor C_delta it gives.
TABLE2 = {
    "Morlet(6)": (Morlet(6), 0.776),
    "Paul(4)": (Paul(4), 1.132),
    "DOG(2)": (DOG(2), 3.541),
    "DOG(6)": (DOG(6), 1.966),
}
MOTHERS = {**{k: v[0] for k, v in TABLE2.items()}, "MexicanHat": MexicanHat()}

# pycwt's Paul psi_ft evaluates exp(-f) at negative f and overflows (then drops the
# NaN scales); those warnings are pycwt's, not ours.
ignore_pycwt_overflow = pytest.mark.filterwarnings(
    "ignore:(overflow|invalid value) encountered:RuntimeWarning"
)


def assert_parity(actual, desired, zeros=False):
    """Agreement with pycwt to rtol 1e-6.

    ``zeros=True`` for arrays that hold exact or near zeros (wavelet coefficients,
    FFT bins, coherence): there a relative tolerance alone would demand bit-for-bit
    equality, so an absolute floor of 1e-12 * max|desired| is added.
    """
    desired = np.asarray(desired)
    atol = 1e-12 * np.abs(desired).max() if zeros else 0.0
    assert np.shape(actual) == desired.shape
    assert_allclose(actual, desired, rtol=1e-6, atol=atol)


def assert_same_phase(actual, desired):
    """Angles equal modulo 2 pi (a phase at +pi may come back as -pi)."""
    assert_allclose(np.exp(1j * np.asarray(actual)), np.exp(1j * desired), rtol=0, atol=1e-6)


def _paul_overflow_scales(sj, dt):
    """Scales at which pycwt's Paul psi_ft overflows: s * pi / dt > log(max float)."""
    return sj * np.pi / dt > np.log(np.finfo(float).max)


def _compare_cwt(pycwt, x, name, **grid):
    ours = wavelet.cwt(x, wavelet=name, **grid)
    ref = pycwt.cwt(x, wavelet=name, **grid)
    W, sj, freqs, coi, fft, fftfreqs = ours
    k = ref[1].size
    if name == "paul":
        # pycwt drops every scale above ~226 dt (exp overflow -> NaN rows); ours keeps
        # them: ours must be a superset with the same leading scales.
        assert sj.size >= k
        assert np.all(_paul_overflow_scales(sj[k:], grid["dt"]))
        assert not np.any(_paul_overflow_scales(sj[:k], grid["dt"]))
        assert np.isfinite(W).all()
    else:
        assert sj.size == k
    assert W.shape == (sj.size, x.size) and W.dtype == np.complex128
    assert_parity(W[:k], ref[0], zeros=True)
    assert_parity(sj[:k], ref[1])
    assert_parity(freqs[:k], ref[2])
    assert_parity(coi, ref[3])
    assert_parity(fft, ref[4], zeros=True)
    assert_parity(fftfreqs, ref[5])
    return ours, ref


def _rms_error(y, x, trim=0.1):
    c = slice(int(trim * x.size), x.size - int(trim * x.size))
    return np.sqrt(np.mean((y[c] - x[c]) ** 2) / np.mean(x[c] ** 2))


class TestCwt:
    @pytest.mark.parametrize("grid", GRIDS.values(), ids=GRIDS.keys())
    @pytest.mark.parametrize("name", WAVELETS)
    @pytest.mark.parametrize("n", LENGTHS)
    @ignore_pycwt_overflow
    def test_parity_random(self, pycwt, n, name, grid):
        x = np.random.default_rng(n).standard_normal(n)
        _compare_cwt(pycwt, x, name, **grid)

    @pytest.mark.parametrize("name", WAVELETS)
    @pytest.mark.parametrize("grid", [dict(dt=1.0), dict(dt=1.0, dj=1 / 8, s0=1.5, J=50)])
    @ignore_pycwt_overflow
    def test_parity_sunspots(self, pycwt, sunspots, name, grid):
        _compare_cwt(pycwt, sunspots, name, **grid)

    @pytest.mark.parametrize("name", WAVELETS)
    @pytest.mark.parametrize("grid", [dict(dt=1 / 12), dict(dt=1 / 12, dj=0.25, s0=0.25)])
    @ignore_pycwt_overflow
    def test_parity_elnino(self, pycwt, elnino, name, grid):
        _compare_cwt(pycwt, elnino, name, **grid)

    @pytest.mark.parametrize("name", WAVELETS)
    @ignore_pycwt_overflow
    def test_parity_custom_freqs(self, pycwt, rng, name):
        x = rng.standard_normal(500)
        freqs = 1 / np.geomspace(2.5, 150, 37)
        ours = wavelet.cwt(x, 0.5, freqs=freqs, wavelet=name)
        ref = pycwt.cwt(x, 0.5, freqs=freqs, wavelet=name)
        for a, b, zeros in zip(ours, ref, [True, False, False, False, True, False], strict=True):
            assert_parity(a, b, zeros=zeros)
        assert_allclose(ours[2], freqs)

    @ignore_pycwt_overflow
    def test_paul_keeps_scales_pycwt_drops(self, pycwt, rng):
        x = rng.standard_normal(1000)
        (W, sj, *_), (_, sj_ref, *_) = _compare_cwt(pycwt, x, "paul", dt=1.0)
        assert sj_ref.size < sj.size  # the case above really happens
        assert sj[-1] > 226 and sj_ref[-1] < 227
        assert np.all(np.abs(W[sj_ref.size :]) > 0)

    @pytest.mark.parametrize("dt", [1.0, 0.25])
    @pytest.mark.parametrize("key", TABLE2)
    def test_delta_reconstruction_factor(self, key, dt):
        # TC98 Sec. 3i, eq. 13: transform a unit impulse at n = 0 and sum the real part
        # over scales: C_delta = dj sqrt(dt) / psi0(0) * sum_j Re W_delta(s_j) / sqrt(s_j).
        # The scales must reach well below the Nyquist period (s0 = dt / 10) for the
        # broad-band DOG(2), and up to the series length.
        mother, table = TABLE2[key]
        n, dj = 4096, 1 / 8
        s0 = dt / 10
        J = int(np.log2(n * dt / s0) / dj)
        impulse = np.zeros(n)
        impulse[0] = 1.0
        W, sj, *_ = wavelet.cwt(impulse, dt, dj, s0, J, mother)
        psi0 = np.real(mother.psi(0))
        cdelta = dj * np.sqrt(dt) / psi0 * np.sum(W[:, 0].real / np.sqrt(sj))
        assert cdelta == pytest.approx(table, rel=0.02)

    @pytest.mark.parametrize("period", [5.0, 12.0, 37.0, 80.0])
    @pytest.mark.parametrize("name", WAVELETS)
    def test_global_spectrum_peaks_at_period(self, name, period):
        # TC98 Sec. 3h: the Fourier period of a scale is defined so that a sinusoid's
        # power peaks at its own period.
        dt, dj = 0.5, 1 / 12
        t = np.arange(2048) * dt
        W, _, freqs, *_ = wavelet.cwt(np.cos(2 * np.pi * t / period), dt, dj, wavelet=name)
        global_ws = np.mean(np.abs(W) ** 2, axis=1)
        peak = 1 / freqs[np.argmax(global_ws)]
        assert abs(np.log2(peak / period)) <= dj + 1e-9

    @pytest.mark.parametrize("key", MOTHERS)
    def test_variance_is_conserved(self, key, rng):
        # TC98 eq. 14: var(x) = dj dt / (C_delta N) sum_n sum_j |W_n(s_j)|^2 / s_j, with
        # the scales reaching below the Nyquist period (5% for finite scale range).
        mother = MOTHERS[key]
        x = rng.standard_normal(4096)
        dt, dj = 0.5, 1 / 8
        W, sj, *_ = wavelet.cwt(x, dt, dj, dt / 10, -1, mother)
        var = dj * dt / (mother.cdelta * x.size) * np.sum(np.abs(W) ** 2 / sj[:, None])
        assert var == pytest.approx(x.var(), rel=0.05)

    @pytest.mark.parametrize("name", WAVELETS)
    def test_float32(self, rng, name):
        x = rng.standard_normal(3000)
        W32, sj32, _, coi32, fft32, _ = wavelet.cwt(x, 0.5, wavelet=name, dtype="float32")
        W64, sj64, _, coi64, fft64, _ = wavelet.cwt(x, 0.5, wavelet=name)
        assert W32.dtype == np.complex64 and fft32.dtype == np.complex64
        assert W64.dtype == np.complex128
        assert_allclose(W32, W64, rtol=0, atol=1e-4 * np.abs(W64).max())
        assert_allclose(fft32, fft64, rtol=0, atol=1e-4 * np.abs(fft64).max())
        assert_allclose(sj32, sj64, rtol=1e-6)
        assert_allclose(coi32, coi64, rtol=1e-6)
        # float32 input is accepted with dtype="float32" too.
        W32b = wavelet.cwt(x.astype(np.float32), 0.5, wavelet=name, dtype=np.float32)[0]
        assert W32b.dtype == np.complex64
        assert_allclose(W32b, W64, rtol=0, atol=1e-4 * np.abs(W64).max())

    @pytest.mark.parametrize("name", WAVELETS)
    def test_linear(self, rng, name):
        x, y = rng.standard_normal((2, 700))
        Wx, Wy, Wxy = (wavelet.cwt(v, 1.0, 1 / 4, wavelet=name)[0] for v in (x, y, 2 * x - 3 * y))
        assert_allclose(Wxy, 2 * Wx - 3 * Wy, rtol=0, atol=1e-12 * np.abs(Wxy).max())

    def test_workers_and_list_input(self, rng):
        x = rng.standard_normal(513)
        W = wavelet.cwt(x, 1.0)[0]
        assert_allclose(wavelet.cwt(list(x), 1.0, workers=1)[0], W, rtol=1e-12, atol=1e-14)


class TestIcwt:
    @pytest.mark.parametrize("mother", ["morlet", "dog", "mexicanhat", DOG(6)], ids=str)
    @pytest.mark.parametrize("n", [100, 1023])
    def test_parity(self, pycwt, rng, mother, n):
        # pycwt's icwt returns complex values (psi(0) is complex for Morlet); its real
        # part is the reconstruction. Ours returns it as real.
        x = rng.standard_normal(n)
        W, sj, *_ = wavelet.cwt(x, 0.5, 1 / 8, wavelet=mother)
        ref_mother = pycwt.DOG(6) if isinstance(mother, DOG) else mother
        ref = pycwt.icwt(W, sj, 0.5, 1 / 8, ref_mother)
        ours = wavelet.icwt(W, sj, 0.5, 1 / 8, mother)
        assert np.isrealobj(ours)
        assert_parity(ours, np.real(ref), zeros=True)

    @pytest.mark.parametrize("name", ["morlet", "dog", "mexicanhat"])
    def test_parity_sunspots(self, pycwt, sunspots, name):
        W, sj, *_ = wavelet.cwt(sunspots - sunspots.mean(), 1.0, 1 / 12, wavelet=name)
        ref = pycwt.icwt(W, sj, 1.0, 1 / 12, name)
        assert_parity(wavelet.icwt(W, sj, 1.0, 1 / 12, name), np.real(ref), zeros=True)

    @pytest.mark.parametrize("key", MOTHERS)
    def test_reconstructs_sinusoids(self, key):
        # TC98 eq. 11. Periods inside the scale range; the edges (10% each end) are
        # dropped, where the cone of influence spoils the transform.
        mother = MOTHERS[key]
        dt, dj = 0.5, 1 / 12
        t = np.arange(2048) * dt
        x = sum(np.sin(2 * np.pi * t / (p * dt) + i) for i, p in enumerate((16, 40, 100)))
        W, sj, *_ = wavelet.cwt(x, dt, dj, wavelet=mother)
        y = wavelet.icwt(W, sj, dt, dj, mother)
        assert _rms_error(y, x) < 0.03

    def test_paul_pycwt_is_12_times_off(self, pycwt):
        dt, dj = 1.0, 1 / 12
        t = np.arange(2048) * dt
        x = np.sin(2 * np.pi * t / 20) + np.sin(2 * np.pi * t / 70)
        W, sj, *_ = wavelet.cwt(x, dt, dj, wavelet="paul")
        ours = wavelet.icwt(W, sj, dt, dj, "paul")
        theirs = np.real(pycwt.icwt(W, sj, dt, dj, "paul"))
        assert _rms_error(ours, x) < 0.03
        assert _rms_error(theirs, x) > 5  # pycwt's psi(0) is 12 times too small
        c = slice(200, -200)
        assert np.std(theirs[c]) / np.std(ours[c]) == pytest.approx(12, rel=1e-6)

    def test_transposed_input(self, rng):
        x = rng.standard_normal(300)
        W, sj, *_ = wavelet.cwt(x, 1.0, 1 / 8)
        assert_allclose(wavelet.icwt(W.T, sj, 1.0, 1 / 8), wavelet.icwt(W, sj, 1.0, 1 / 8))


class TestXwt:
    @pytest.mark.parametrize("normalize", [True, False])
    @pytest.mark.parametrize("name", WAVELETS)
    @pytest.mark.parametrize("n", [100, 1023])
    @ignore_pycwt_overflow
    def test_parity(self, pycwt, n, name, normalize):
        rng = np.random.default_rng(n)
        x = np.cumsum(rng.standard_normal(n)) * 0.2 + rng.standard_normal(n)
        y = 0.5 * x + 2.0 * rng.standard_normal(n) + 3.0
        kw = dict(dj=1 / 8, wavelet=name, normalize=normalize)
        self._compare(pycwt, x, y, 0.5, kw)

    @pytest.mark.parametrize("name", WAVELETS)
    @ignore_pycwt_overflow
    def test_parity_elnino(self, pycwt, elnino, name):
        half = elnino.size // 2
        kw = dict(dj=1 / 12, s0=0.25, significance_level=0.9, wavelet=name)
        self._compare(pycwt, elnino[:half], elnino[half:], 1 / 12, kw)

    @staticmethod
    def _compare(pycwt, x, y, dt, kw):
        W12, coi, freq, signif = wavelet.xwt(x, y, dt, **kw)
        ref = pycwt.xwt(x, y, dt, **kw)
        k = ref[2].size
        assert freq.size >= k if kw["wavelet"] == "paul" else freq.size == k
        assert_parity(W12[:k], ref[0], zeros=True)
        assert_parity(coi, ref[1])
        assert_parity(freq[:k], ref[2])
        assert_parity(signif[:k], ref[3])

    @pytest.mark.parametrize("name", WAVELETS)
    def test_with_itself_is_power(self, rng, name):
        x = rng.standard_normal(400)
        W12 = wavelet.xwt(x, x, 1.0, wavelet=name, normalize=False)[0]
        W = wavelet.cwt(x, 1.0, wavelet=name)[0]
        assert_allclose(W12, np.abs(W) ** 2, rtol=0, atol=1e-12 * np.abs(W12).max())


class TestWct:
    @pytest.mark.parametrize("normalize", [True, False])
    @pytest.mark.parametrize("grid", list(GRIDS.values())[:3], ids=list(GRIDS)[:3])
    @pytest.mark.parametrize("n", [64, 100, 1000, 1023])
    def test_parity_morlet(self, pycwt, n, grid, normalize):
        # pycwt smooths only the Morlet wavelet, so only Morlet can be compared.
        rng = np.random.default_rng(n)
        x = np.cumsum(rng.standard_normal(n)) * 0.2 + rng.standard_normal(n)
        y = 0.5 * x + rng.standard_normal(n)
        self._compare(pycwt, x, y, dict(grid, normalize=normalize))

    def test_parity_elnino(self, pycwt, elnino):
        half = elnino.size // 2
        self._compare(pycwt, elnino[:half], elnino[half:], dict(dt=1 / 12, dj=1 / 12, s0=0.25))

    @staticmethod
    def _compare(pycwt, x, y, kw):
        WCT, aWCT, coi, freq, sig = wavelet.wct(x, y, sig=False, **kw)
        ref = pycwt.wct(x, y, sig=False, **kw)
        assert_parity(WCT, ref[0], zeros=True)
        assert_same_phase(aWCT, ref[1])
        assert_parity(coi, ref[2])
        assert_parity(freq, ref[3])
        assert_parity(sig, ref[4])  # array([0]) without the Monte Carlo

    @pytest.mark.parametrize("mother", ["morlet", "paul", "dog", "mexicanhat", DOG(6)], ids=str)
    def test_every_tabulated_wavelet_works(self, rng, mother):
        n = 1024
        t = np.arange(n)
        common = np.sin(2 * np.pi * t / 32)
        x = common + rng.standard_normal(n)
        y = common + rng.standard_normal(n)
        WCT, aWCT, coi, freq, _ = wavelet.wct(x, y, 1.0, sig=False, wavelet=mother)
        assert WCT.shape == aWCT.shape == (freq.size, n) and coi.shape == (n,)
        assert np.isfinite(WCT).all() and np.isfinite(aWCT).all()
        assert WCT.min() >= 0 and WCT.max() <= 1 + 1e-12
        # Coherent at the shared period, much less so far from it.
        period = 1 / freq
        inner = slice(n // 8, n - n // 8)
        at_period = WCT[np.argmin(np.abs(np.log2(period / 32))), inner].mean()
        far = WCT[period < 8][:, inner].mean()
        assert at_period > 0.6 and far < 0.35

    @pytest.mark.parametrize("name", ["paul", "dog", "mexicanhat"])
    def test_pycwt_cannot_smooth_other_wavelets(self, pycwt, rng, name):
        x, y = rng.standard_normal((2, 200))
        with pytest.raises(AttributeError, match="smooth"):
            pycwt.wct(x, y, 1.0, sig=False, wavelet=name)
        assert np.isfinite(wavelet.wct(x, y, 1.0, sig=False, wavelet=name)[0]).all()

    def test_morlet_f0_5_explains_table2(self, rng):
        x, y = rng.standard_normal((2, 200))
        with pytest.raises(ValueError, match="Table 2"):
            wavelet.wct(x, y, 1.0, sig=False, wavelet=Morlet(5))

    @pytest.mark.parametrize("mother", ["morlet", "paul", "dog", DOG(6)], ids=str)
    def test_identical_and_opposite_series(self, rng, mother):
        x = rng.standard_normal(500)
        WCT, aWCT, *_ = wavelet.wct(x, x, 1.0, sig=False, wavelet=mother)
        assert_allclose(WCT, 1.0, rtol=1e-9)
        assert_allclose(aWCT, 0.0, atol=1e-9)
        WCT, aWCT, *_ = wavelet.wct(x, -x, 1.0, sig=False, wavelet=mother)
        assert_allclose(WCT, 1.0, rtol=1e-9)
        assert_allclose(np.abs(aWCT), np.pi, atol=1e-9)

    @pytest.mark.parametrize("name", ["morlet", "paul"])
    def test_phase_of_lagged_series(self, rng, name):
        # y lags x by 5 samples at period 32: phase 2 pi 5 / 32 at that period.
        n = 1024
        t = np.arange(n)
        x = np.sin(2 * np.pi * t / 32) + 0.3 * rng.standard_normal(n)
        y = np.sin(2 * np.pi * (t - 5) / 32) + 0.3 * rng.standard_normal(n)
        _, aWCT, _, freq, _ = wavelet.wct(x, y, 1.0, sig=False, wavelet=name)
        j = np.argmin(np.abs(np.log2(1 / freq / 32)))
        phase = np.angle(np.mean(np.exp(1j * aWCT[j, n // 8 : -n // 8])))
        assert phase == pytest.approx(2 * np.pi * 5 / 32, abs=0.15)


class TestScaleGrid:
    @pytest.mark.parametrize("name", WAVELETS)
    def test_matches_cwt(self, rng, name):
        x = rng.standard_normal(777)
        for kw in (dict(), dict(s0=0.7, J=33)):
            sj = wavelet.cwt(x, 0.5, 1 / 10, wavelet=name, **kw)[1]
            assert_allclose(wavelet.scale_grid(777, 0.5, 1 / 10, wavelet=name, **kw), sj)

    def test_default_smallest_period_is_two_samples(self):
        # pycwt's default s0 = 2 dt / flambda: the smallest Fourier period is 2 dt.
        for name in WAVELETS:
            sj = wavelet.scale_grid(100, 0.3, 1 / 12, wavelet=name)
            assert sj[0] * wavelet.get_wavelet(name).flambda() == pytest.approx(0.6)


class TestConeOfInfluence:
    @pytest.mark.parametrize("n", [64, 101])
    @pytest.mark.parametrize("name", WAVELETS)
    def test_matches_cwt_and_is_symmetric(self, rng, name, n):
        coi = wavelet.cone_of_influence(n, 0.25, name)
        assert_allclose(coi, wavelet.cwt(rng.standard_normal(n), 0.25, wavelet=name)[3])
        assert_allclose(coi, coi[::-1])
        assert coi.min() > 0  # non-zero end points (TC98 Sec. 3g)
        mother = wavelet.get_wavelet(name)
        # e-folding time sqrt(2) s (Morlet, DOG) or s / sqrt(2) (Paul) at the edge.
        assert coi[0] == pytest.approx(mother.flambda() * mother.coi() * 0.25 * 0.5)
