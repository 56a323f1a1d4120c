"""Mother wavelets: Torrence & Compo (1998) Tables 1-2, parity with pycwt, its defects.

Table 2 of Torrence & Compo (1998) is the reference for ``psi0(0)``, ``C_delta``,
``gamma`` and ``delta j0``; the closed forms of Table 1 are checked through their own
properties (unit energy, Fourier pair, Fourier wavelength).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import pycwt_mod as wavelet
from pycwt_mod import DOG, MexicanHat, Morlet, Mother, Paul, get_wavelet

# name, factory, pycwt class name and argument, Table 2: psi0(0), C_delta, gamma, deltaj0,
# and the degrees of freedom of one local spectrum (2 for complex, 1 for real wavelets).
TABLE2 = {
    "Morlet(6)": (lambda: Morlet(6), ("Morlet", 6), 0.751, 0.776, 2.32, 0.60, 2),
    "Paul(4)": (lambda: Paul(4), ("Paul", 4), 1.079, 1.132, 1.17, 1.50, 2),
    "DOG(2)": (lambda: DOG(2), ("DOG", 2), 0.867, 3.541, 1.43, 1.40, 1),
    "DOG(6)": (lambda: DOG(6), ("DOG", 6), 0.884, 1.966, 1.37, 0.97, 1),
    "MexicanHat": (MexicanHat, ("MexicanHat", None), 0.867, 3.541, 1.43, 1.40, 1),
}
# Mothers whose psi/psi_ft pycwt computes correctly (pycwt's Paul psi is wrong).
PYCWT_OK = ["Morlet(6)", "DOG(2)", "DOG(6)", "MexicanHat"]
ALL_MOTHERS = {
    **{k: v[0] for k, v in TABLE2.items()},
    "Morlet(5)": lambda: Morlet(5),
    "Paul(2)": lambda: Paul(2),
    "DOG(3)": lambda: DOG(3),
}


def _pycwt_mother(pycwt, key):
    cls_name, arg = TABLE2[key][1]
    cls = getattr(pycwt, cls_name)
    return cls() if arg is None else cls(arg)


def _energy(mother, half_width=400.0, step=0.01):
    t = np.arange(-half_width, half_width, step)
    return np.sum(np.abs(mother.psi(t)) ** 2) * step


class TestMother:
    """Properties every mother wavelet must have (Torrence & Compo 1998, Sec. 3b)."""

    @pytest.mark.parametrize("key", TABLE2)
    def test_psi0_matches_table2(self, key):
        factory, _, psi0, *_ = TABLE2[key]
        value = complex(factory().psi(0))
        assert abs(value.real - psi0) < 5e-4  # Table 2 gives 3 decimals
        assert value.imag == pytest.approx(0, abs=1e-15)

    @pytest.mark.parametrize("key", TABLE2)
    def test_factors_match_table2(self, key):
        factory, _, _, cdelta, gamma, deltaj0, dofmin = TABLE2[key]
        mother = factory()
        assert (mother.cdelta, mother.gamma, mother.deltaj0, mother.dofmin) == (
            cdelta,
            gamma,
            deltaj0,
            dofmin,
        )

    @pytest.mark.parametrize("key", ["Morlet(5)", "Paul(2)", "DOG(3)"])
    def test_untabulated_factors_are_minus_one(self, key):
        mother = ALL_MOTHERS[key]()
        assert mother.cdelta == mother.gamma == mother.deltaj0 == -1
        with pytest.raises(ValueError, match="Table 2"):
            mother.check_tabulated("icwt")

    @pytest.mark.parametrize("key", TABLE2)
    def test_unit_energy(self, key):
        # TC98 normalise every mother to unit energy, int |psi(t)|^2 dt = 1.
        assert _energy(TABLE2[key][0]()) == pytest.approx(1.0, rel=1e-6)

    @pytest.mark.parametrize("key", ALL_MOTHERS)
    def test_psi_ft_is_fourier_transform_of_psi(self, key):
        # psi_ft(w) = (2 pi)^-1/2 int psi(t) exp(-i w t) dt, the convention the transform
        # uses (numpy's forward FFT). Paul's psi carries a phase i^m that psi_ft (like
        # Table 1) leaves out; it is 1 for m = 4 and cancelled here for other m.
        mother = ALL_MOTHERS[key]()
        step = 0.01
        t = np.arange(-300, 300, step)
        psi = mother.psi(t)
        if isinstance(mother, Paul):
            psi = psi / 1j**mother.m
        omega = np.array([-3.0, -1.0, 0.5, 1.0, 2.0, 3.5, 5.0, 6.0, 7.5, 10.0])
        numeric = np.array([np.sum(psi * np.exp(-1j * w * t)) * step for w in omega])
        numeric /= np.sqrt(2 * np.pi)
        # Paul(2) decays as |t|^-3, so truncating at |t| = 300 costs ~1e-7.
        assert_allclose(mother.psi_ft(omega), numeric, rtol=0, atol=1e-6)

    @pytest.mark.parametrize("key", ALL_MOTHERS)
    def test_flambda_is_period_of_peak_power(self, key):
        # TC98 Sec. 3h: a cosine of angular frequency w has its largest power at the
        # scale s where s |psi_ft(s w)|^2 peaks; the Fourier period is 2 pi / w, so
        # flambda = period / scale = 2 pi / u* with u* = argmax_u u |psi_ft(u)|^2.
        mother = ALL_MOTHERS[key]()
        u = np.linspace(1e-3, 30, 3_000_001)
        u_star = u[np.argmax(u * np.abs(mother.psi_ft(u)) ** 2)]
        assert mother.flambda() == pytest.approx(2 * np.pi / u_star, rel=1e-5)

    @pytest.mark.parametrize("key", ALL_MOTHERS)
    def test_sup_is_inverse_efolding_time(self, key):
        mother = ALL_MOTHERS[key]()
        assert mother.sup() == pytest.approx(1 / mother.coi())
        assert mother.sup() * mother.coi() == pytest.approx(1.0)

    @pytest.mark.parametrize("key", TABLE2)
    def test_pycwt_sup_raises(self, pycwt, key):
        # pycwt 0.5's sup() divides by the bound method coi instead of its value.
        with pytest.raises(TypeError):
            _pycwt_mother(pycwt, key).sup()

    @pytest.mark.parametrize("key", PYCWT_OK)
    def test_parity_with_pycwt(self, pycwt, key):
        ours, ref = TABLE2[key][0](), _pycwt_mother(pycwt, key)
        t = np.linspace(-8, 8, 1001)
        omega = np.linspace(-20, 20, 1001)
        assert_allclose(ours.psi(t), ref.psi(t), rtol=1e-6, atol=1e-15)
        assert_allclose(ours.psi_ft(omega), ref.psi_ft(omega), rtol=1e-6, atol=1e-15)
        assert ours.flambda() == pytest.approx(ref.flambda(), rel=1e-12)
        assert ours.coi() == pytest.approx(ref.coi(), rel=1e-12)
        for attr in ("cdelta", "gamma", "deltaj0", "dofmin"):
            assert getattr(ours, attr) == getattr(ref, attr)

    def test_equality_and_hash(self):
        assert Morlet() == Morlet(6) and hash(Morlet()) == hash(Morlet(6))
        assert Morlet(6) != Morlet(5)
        assert DOG(2) != MexicanHat()  # same numbers, different names in messages/caches
        assert Paul(4) != DOG(4)
        assert len({Morlet(), Morlet(6), Paul(), DOG(), DOG(6), MexicanHat()}) == 5


class TestMorlet:
    def test_psi_ft_peaks_at_f0(self):
        for f0 in (4.0, 6.0, 8.0):
            omega = np.linspace(0, 20, 20001)
            assert omega[np.argmax(Morlet(f0).psi_ft(omega))] == pytest.approx(f0)

    def test_flambda_formula(self):
        # TC98 Table 1: 4 pi / (f0 + sqrt(2 + f0^2)) = 1.033 for f0 = 6.
        assert Morlet().flambda() == pytest.approx(1.033, abs=5e-4)


class TestPaul:
    def test_psi0_fixed_where_pycwt_is_12_times_too_small(self, pycwt):
        ours = Paul().psi(0).real
        theirs = pycwt.Paul().psi(0).real
        assert ours == pytest.approx(1.079, abs=5e-4)
        assert theirs == pytest.approx(0.090, abs=5e-4)  # pycwt uses (m-2)! for m!
        assert ours / theirs == pytest.approx(12.0)

    def test_pycwt_psi_is_not_normalised(self, pycwt):
        assert _energy(Paul()) == pytest.approx(1.0, rel=1e-6)
        assert _energy(pycwt.Paul()) == pytest.approx(1 / 144, rel=1e-4)

    def test_psi_ft_zero_for_negative_frequencies(self):
        omega = np.linspace(-50, 0, 101)
        assert np.all(Paul().psi_ft(omega) == 0)

    def test_flambda_formula(self):
        assert Paul().flambda() == pytest.approx(4 * np.pi / 9)  # TC98 Table 1, m = 4


class TestDOG:
    def test_mexican_hat_is_dog2(self):
        t = np.linspace(-6, 6, 101)
        omega = np.linspace(-10, 10, 101)
        assert_allclose(MexicanHat().psi(t), DOG(2).psi(t))
        assert_allclose(MexicanHat().psi_ft(omega), DOG(2).psi_ft(omega))
        assert MexicanHat().flambda() == DOG(2).flambda()

    @pytest.mark.parametrize("m", [1, 2, 3, 4, 6])
    def test_integrates_to_zero(self, m):
        # Admissibility: every derivative of a Gaussian has zero mean.
        t = np.arange(-40, 40, 0.01)
        assert np.sum(DOG(m).psi(t)) * 0.01 == pytest.approx(0, abs=1e-10)

    def test_flambda_formula(self):
        assert DOG(2).flambda() == pytest.approx(2 * np.pi / np.sqrt(2.5))  # TC98 Table 1


class TestMexicanHat:
    def test_name_and_defaults(self):
        mother = MexicanHat()
        assert mother.m == 2 and mother.dofmin == 1
        assert mother.name == "Mexican Hat"
        assert repr(mother) == "MexicanHat()"


class TestGetWavelet:
    @pytest.mark.parametrize(
        "name, cls",
        [
            ("morlet", Morlet),
            ("Morlet", Morlet),
            ("paul", Paul),
            ("dog", DOG),
            ("mexicanhat", MexicanHat),
            ("mexican_hat", MexicanHat),
            ("Mexican Hat", MexicanHat),
        ],
    )
    def test_names(self, name, cls):
        mother = get_wavelet(name)
        assert type(mother) is cls

    def test_names_match_constant(self):
        assert set(wavelet.WAVELETS) == {"morlet", "paul", "dog", "mexicanhat"}
        for name, cls in wavelet.WAVELETS.items():
            assert type(get_wavelet(name)) is cls

    def test_instance_and_class(self):
        mother = DOG(6)
        assert get_wavelet(mother) is mother
        assert type(get_wavelet(Paul)) is Paul

    @pytest.mark.parametrize("key", TABLE2)
    def test_pycwt_mother_gets_the_full_interface(self, pycwt, key):
        # Documented: a pycwt mother is accepted. It is wrapped so the methods pycwt
        # lacks or gets wrong (sup, smooth, ft_support, check_tabulated) exist.
        ref = _pycwt_mother(pycwt, key)
        mother = get_wavelet(ref)
        assert isinstance(mother, Mother)
        assert mother.sup() == pytest.approx(1 / ref.coi())
        assert mother.flambda() == ref.flambda()
        assert (mother.cdelta, mother.deltaj0, mother.dofmin) == (
            ref.cdelta,
            ref.deltaj0,
            ref.dofmin,
        )
        mother.check_tabulated("icwt")  # tabulated: does not raise
        assert get_wavelet(ref) == mother and hash(get_wavelet(ref)) == hash(mother)
        assert mother != TABLE2[key][0]()  # a pycwt Paul(4) is not ours

    # pycwt's Paul psi_ft overflows at negative frequencies (its NaN scales are dropped).
    @pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
    @pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
    @pytest.mark.parametrize("key", ["Morlet(6)", "Paul(4)", "DOG(6)"])
    def test_pycwt_mother_in_the_transforms(self, pycwt, rng, key):
        x = rng.standard_normal(300)
        ref = _pycwt_mother(pycwt, key)
        W, sj, *_ = wavelet.cwt(x, 1.0, 1 / 8, wavelet=ref)
        W_ref, sj_ref, *_ = pycwt.cwt(x, 1.0, 1 / 8, wavelet=ref)
        assert_allclose(W, W_ref, rtol=1e-6, atol=1e-12 * np.abs(W_ref).max())
        assert_allclose(sj, sj_ref, rtol=1e-12)
        assert np.isfinite(wavelet.icwt(W, sj, 1.0, 1 / 8, ref)).all()
        WCT = wavelet.wct(x, x[::-1].copy(), 1.0, 1 / 8, sig=False, wavelet=ref)[0]
        assert np.isfinite(WCT).all()

    def test_pycwt_untabulated_mother_explains(self, pycwt, rng):
        x = rng.standard_normal(100)
        with pytest.raises(ValueError, match="Table 2"):
            wavelet.wct(x, x[::-1].copy(), 1.0, sig=False, wavelet=pycwt.Morlet(5))
