"""``rng=`` (SPEC 7) on the Monte Carlo entry points: an int seed or a Generator,
resolved to the engine's root seed; the same Generator state gives the same numbers,
and ``seed`` with ``rng`` is an error."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import pycwt_mod
from pycwt_mod.montecarlo import observed, wct_significance
from pycwt_mod.montecarlo.observed import SEED_BOUND, resolve_seed

GRID = dict(dt=1.0, dj=0.5, s0=2.0, J=6)
FAST = dict(mc_count=16, cache=False, backend="sequential")


def _wct(**kw):
    return wct_significance(0.3, 0.5, **GRID, progress=False, return_info=True, **FAST, **kw)


class TestResolveSeed:
    def test_seed_rng_and_default(self):
        assert resolve_seed(5) == 5
        assert resolve_seed(None, 9) == 9
        assert resolve_seed(None, np.int64(9)) == 9
        assert resolve_seed(None) is None
        assert resolve_seed(None, None, default=0) == 0

    def test_a_generator_draws_the_seed_and_moves_on(self):
        gen = np.random.default_rng(42)
        first = resolve_seed(None, gen)
        assert first == int(np.random.default_rng(42).integers(SEED_BOUND))
        assert 0 <= first < SEED_BOUND
        assert resolve_seed(None, gen) != first  # the Generator's state moved on

    def test_both_or_a_bad_type(self):
        with pytest.raises(ValueError, match="give `seed` or `rng`, not both"):
            resolve_seed(1, 2)
        with pytest.raises(ValueError, match="not both"):
            resolve_seed(0, np.random.default_rng())
        for bad in (True, 1.5, "1", np.random.SeedSequence(1)):
            with pytest.raises(TypeError, match="`rng` must be an int seed or a numpy"):
                resolve_seed(None, bad)

    def test_docstring_examples(self):
        result = doctest.testmod(observed)
        assert result.attempted >= 2 and result.failed == 0


class TestWctSignificance:
    def test_generator_state_gives_the_same_thresholds(self):
        a, info_a = _wct(rng=np.random.default_rng(3))
        b, info_b = _wct(rng=np.random.default_rng(3))
        assert info_a["seed"] == info_b["seed"] == resolve_seed(None, np.random.default_rng(3))
        assert_array_equal(a, b)
        same, _ = _wct(seed=info_a["seed"])  # the Generator only drew the root seed
        assert_array_equal(a, same)
        other, info = _wct(rng=np.random.default_rng(4))
        assert info["seed"] != info_a["seed"] and not np.array_equal(a, other, equal_nan=True)

    def test_int_rng_is_the_seed(self):
        a, info = _wct(rng=11)
        b, _ = _wct(seed=11)
        assert info["seed"] == 11
        assert_array_equal(a, b)

    def test_seed_and_rng_refused(self):
        with pytest.raises(ValueError, match="not both"):
            _wct(seed=1, rng=1)

    def test_through_wct(self):
        rng = np.random.default_rng(0)
        y1, y2 = rng.standard_normal((2, 64))
        kw = dict(dj=0.5, s0=2.0, J=6, sig=True, progress=False, **FAST)
        sig_a = pycwt_mod.wct(y1, y2, 1.0, rng=np.random.default_rng(8), **kw)[4]
        sig_b = pycwt_mod.wct(y1, y2, 1.0, rng=np.random.default_rng(8), **kw)[4]
        assert_array_equal(sig_a, sig_b)


@pytest.fixture(scope="module")
def pair():
    return pycwt_mod.rednoise(96, 0.5, rng=1), pycwt_mod.rednoise(96, 0.4, rng=2)


class TestAreawise:
    def test_power(self, pair):
        x = pair[0]
        kw = dict(dj=0.5, mc_count=12, cache=False, backend="sequential")
        a = pycwt_mod.areawise_power(x, 1.0, rng=np.random.default_rng(5), **kw)
        b = pycwt_mod.areawise_power(x, 1.0, rng=np.random.default_rng(5), **kw)
        seed = resolve_seed(None, np.random.default_rng(5))
        c = pycwt_mod.areawise_power(x, 1.0, seed=seed, **kw)
        for other in (b, c):
            assert_array_equal(a.threshold, other.threshold)
            assert_array_equal(a.areawise, other.areawise)
        assert_array_equal(
            pycwt_mod.power_significance(x, 1.0, rng=seed, **kw),
            pycwt_mod.power_significance(x, 1.0, seed=seed, **kw),
        )
        with pytest.raises(ValueError, match="not both"):
            pycwt_mod.areawise_power(x, 1.0, seed=1, rng=1, **kw)
        # no seed, no rng: the root seed 0, as before
        d = pycwt_mod.areawise_power(x, 1.0, **kw)
        assert_array_equal(d.threshold, pycwt_mod.areawise_power(x, 1.0, seed=0, **kw).threshold)

    def test_coherence(self, pair):
        kw = dict(dj=0.5, mc_count=12, cache=False, backend="sequential")
        a = pycwt_mod.areawise_coherence(*pair, 1.0, rng=np.random.default_rng(6), **kw)
        b = pycwt_mod.areawise_coherence(*pair, 1.0, rng=np.random.default_rng(6), **kw)
        assert_array_equal(a.threshold, b.threshold)
        assert_array_equal(a.areawise, b.areawise)
        with pytest.raises(ValueError, match="not both"):
            pycwt_mod.areawise_coherence(*pair, 1.0, seed=0, rng=np.random.default_rng(), **kw)


def test_multivariate_significance_takes_rng_too():
    from pycwt_mod.montecarlo.multivariate import multivariate_significance

    def run(**kw):
        return multivariate_significance(
            "partial", (0.3, 0.5, 0.2), **GRID, progress=False, **FAST, **kw
        )

    assert_array_equal(run(rng=np.random.default_rng(5)), run(rng=np.random.default_rng(5)))
    assert_array_equal(run(rng=11), run(seed=11))
    with pytest.raises(ValueError, match="not both"):
        run(seed=1, rng=1)
