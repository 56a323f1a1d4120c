"""Tests of the Monte Carlo significance engine, `pycwt_mod.montecarlo`.

Every problem is small (dt = 1, dj = 1/4, s0 = 2, J = 12: 13 scales, surrogates of
96 samples, a few surrogate pairs), so a call takes milliseconds. Backends other
than the sequential one (reproducibility across backends, cancellation of joblib
and Ray runs) are exercised in ``test_backends.py``, which starts their worker
processes once, and the threshold cache in ``test_cache.py``; here ``cache=False``
everywhere.
"""

from __future__ import annotations

import dataclasses
import pickle
import time
import warnings

import numpy as np
import pytest

from pycwt_mod import DOG, MexicanHat, Morlet, Paul, ar1, cone_of_influence, wct
from pycwt_mod import montecarlo as mc
from pycwt_mod.montecarlo import (
    ESTIMATORS,
    PRECISIONS,
    Cancelled,
    MonteCarloPlan,
    estimate_work,
    kernel,
    make_plan,
    pair_noise,
    run_chunk,
    split_chunks,
    surrogate_groups,
    thresholds,
    wct_significance,
)
from pycwt_mod.smoothing import boxcar_window, smooth_scale

AL1, AL2 = 0.6, 0.3
DT, DJ, S0, J = 1.0, 0.25, 2.0, 12
MC = 10
SEED = 20240611

GRID = dict(dt=DT, dj=DJ, s0=S0, J=J)


def significance(**kw):
    """`wct_significance` of the small problem, sequential and uncached by default."""
    args = dict(
        al1=AL1,
        al2=AL2,
        **GRID,
        mc_count=MC,
        seed=SEED,
        progress=False,
        cache=False,
        backend="sequential",
    )
    args.update(kw)
    return wct_significance(**args)


def small_plan(**kw) -> MonteCarloPlan:
    args = dict(al1=AL1, al2=AL2, **GRID, mc_count=MC, seed=SEED)
    args.update(kw)
    return make_plan(**args)


def outside_coi(plan: MonteCarloPlan) -> np.ndarray:
    """(n_scales, n) mask of the points outside the cone of influence of a surrogate.

    Built from the public `cone_of_influence` (Torrence & Compo 1998, Sec. 3g): a
    point is outside when the Fourier period of its scale is <= the COI there.
    """
    coi = cone_of_influence(plan.n, plan.dt, plan.wavelet)
    period = plan.wavelet.flambda() * plan.scales
    return period[:, np.newaxis] <= coi[np.newaxis, :]


class TestMonteCarloPlan:
    def test_scales_are_the_dyadic_grid(self):
        plan = small_plan()
        assert plan.n_scales == J + 1
        np.testing.assert_allclose(plan.scales, S0 * 2.0 ** (DJ * np.arange(J + 1)), rtol=1e-15)

    def test_picklable_and_hashable(self):
        # Backends ship plans to other processes and cache operators per plan.
        plan = small_plan()
        clone = pickle.loads(pickle.dumps(plan))
        assert clone == plan
        assert hash(clone) == hash(plan)
        assert clone != dataclasses.replace(plan, seed=SEED + 1)

    def test_frozen(self):
        plan = small_plan()
        with pytest.raises(dataclasses.FrozenInstanceError):
            plan.seed = 1


class TestMakePlan:
    def test_surrogate_length_reaches_six_largest_scales(self):
        plan = small_plan()
        s_max = S0 * 2 ** (J * DJ)
        assert plan.n == int(np.ceil(6 * s_max / DT))

    def test_default_s0_is_two_dt_over_flambda(self):
        for wavelet in (Morlet(), Paul(), DOG(6)):
            plan = small_plan(dt=0.5, s0=-1, wavelet=wavelet)
            assert plan.s0 == pytest.approx(2 * 0.5 / wavelet.flambda(), rel=1e-15)

    def test_length_depends_on_s0_over_dt_only(self):
        # 3 * 0.1 / 0.1 * 2**3 * 6 is 144.00000000000003 in floating point: the length
        # must not jump to 145 for a grid that is the dt = 1 one scaled by dt.
        ref = make_plan(AL1, AL2, 1.0, 1 / 6, 3.0, 18, seed=1)
        for dt in (0.1, 0.0059995, 1 / 12, 7.0):
            plan = make_plan(AL1, AL2, dt, 1 / 6, 3 * dt, 18, seed=1)
            assert plan.n == ref.n

    def test_none_seed_draws_fresh_entropy(self):
        a, b = small_plan(seed=None), small_plan(seed=None)
        assert a.seed != b.seed
        assert small_plan(seed=a.seed) == a  # the drawn seed is the plan's, reusable

    @pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
    def test_bad_seed(self, seed):
        with pytest.raises(ValueError, match="seed"):
            small_plan(seed=seed)

    @pytest.mark.parametrize("nbins", [9, 0, 100.0])
    def test_bad_nbins(self, nbins):
        with pytest.raises(ValueError, match="nbins"):
            small_plan(nbins=nbins)

    @pytest.mark.parametrize("name,value", [("dt", 0), ("dj", -0.25), ("s0", 0)])
    def test_non_positive_grid(self, name, value):
        with pytest.raises(ValueError, match=name):
            small_plan(**{name: value})

    @pytest.mark.parametrize("J_", [-2, 1.5, None])
    def test_bad_J(self, J_):
        with pytest.raises(ValueError, match="J"):
            small_plan(J=J_)


class TestEstimateWork:
    def test_is_pairs_times_scales_times_length(self):
        plan = small_plan(mc_count=300)
        assert estimate_work(DT, DJ, S0, J, 300) == 300 * plan.n_scales * plan.n

    def test_validates(self):
        with pytest.raises(ValueError, match="J=-1"):
            estimate_work(DT, DJ, S0, -1, 10)
        with pytest.raises(ValueError, match="mc_count"):
            estimate_work(DT, DJ, S0, J, 0)
        with pytest.raises(ValueError, match="`estimator` must be one of"):
            estimate_work(DT, DJ, S0, J, 10, estimator="half")

    def test_per_estimator_is_the_sum_over_groups(self):
        # dj = 1/12 and s_max = 1024 (the benchmark grid): the multirate estimator
        # does about half the work of the full-length one.
        grid = (1.0, 1 / 12, 2.0, 108)
        full = estimate_work(*grid, 300, estimator="full")
        assert full == estimate_work(*grid, 300) == 300 * 109 * 6144
        plan = make_plan(0.5, 0.5, *grid, seed=1)
        groups = surrogate_groups(plan)
        multi = estimate_work(*grid, 300, estimator="multirate")
        assert multi == 300 * sum((hi - lo) * n for _, _, lo, hi, n in groups)
        assert multi < 0.6 * full


class TestSurrogateGroups:
    @pytest.mark.parametrize("wavelet", ["morlet", "paul", "dog"])
    @pytest.mark.parametrize("grid", [(1.0, 0.25, 2.0, 32), (1.0, 1 / 12, 2.0, 108), GRID.values()])
    def test_groups_tile_the_scales_with_their_smoothing_halo(self, wavelet, grid):
        plan = make_plan(AL1, AL2, *grid, wavelet=wavelet, seed=1)
        groups = surrogate_groups(plan)
        assert groups[0][0] == 0 and groups[-1][1] == plan.n_scales
        k = boxcar_window(plan.wavelet.deltaj0, plan.dj).size
        for (a, b, lo, hi, n), nxt in zip(groups, [*groups[1:], None], strict=True):
            assert a < b and (nxt is None or nxt[0] == b)
            # Every scale the boxcar of a kept scale reaches is computed with it.
            assert lo == max(0, a - k // 2) and hi == min(plan.n_scales, b + (k - 1) // 2)
            # Surrogates at least min(full length, 12 x the group's largest scale).
            s_top = plan.scales[b - 1] / plan.dt
            assert min(plan.n, 12 * s_top) <= n <= plan.n
        assert groups[-1][4] == plan.n  # the largest scales: the full-length estimator

    def test_full_is_one_group_of_full_length(self):
        plan = small_plan(estimator="full")
        assert surrogate_groups(plan) == ((0, plan.n_scales, 0, plan.n_scales, plan.n),)

    def test_multirate_has_several_groups_on_a_long_grid(self):
        plan = make_plan(AL1, AL2, 1.0, 1 / 12, 2.0, 108, seed=1)
        assert len(surrogate_groups(plan)) >= 2


class TestScaleBoxcar:
    """The kernel's cumulative-sum boxcar equals `smoothing.smooth_scale` (BLAS)."""

    @pytest.mark.parametrize(
        "wavelet,dj",
        [
            ("morlet", 0.25),
            ("morlet", 1 / 12),
            ("paul", 0.25),
            ("dog", 0.1),
            ("morlet", 1.0),
            ("morlet", 0.6),
        ],
    )
    @pytest.mark.parametrize("dtype", [np.float64, np.complex128])
    def test_matches_smooth_scale_on_every_group(self, wavelet, dj, dtype):
        plan = make_plan(AL1, AL2, 1.0, dj, 2.0, int(6 / dj), wavelet=wavelet, seed=1,
                         precision="float64")  # fmt: skip
        win = boxcar_window(plan.wavelet.deltaj0, plan.dj)
        rng = np.random.default_rng(0)
        for g, (keep_lo, keep_hi, lo, hi, n) in zip(
            kernel._operators(plan, np), surrogate_groups(plan), strict=True
        ):
            T = rng.standard_normal((2, plan.n_scales, n)).astype(dtype)
            if dtype is np.complex128:
                T = T + 1j * rng.standard_normal(T.shape)
            # The reference: the whole grid smoothed, at the kept points outside the COI.
            sub = dataclasses.replace(plan, n=n)
            rows, cols = np.nonzero(outside_coi(sub)[keep_lo:keep_hi])
            ref = smooth_scale(T, win)[:, keep_lo + rows, cols]
            got = kernel._scale_boxcar(np.ascontiguousarray(T[:, lo:hi]), g, np)
            assert got.shape == ref.shape and ref.shape[1] > 0
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
            np.testing.assert_array_equal(g.flat_index, (keep_lo + rows) * plan.nbins)


class TestEstimators:
    def test_choices(self):
        assert ESTIMATORS == ("multirate", "full") and PRECISIONS == ("float32", "float64")
        plan = small_plan()
        assert (plan.estimator, plan.precision) == ("multirate", "float32")

    @pytest.mark.parametrize(
        "name,value", [("estimator", "fast"), ("precision", "float16"), ("precision", None)]
    )
    def test_bad_choice(self, name, value):
        with pytest.raises(ValueError, match=f"`{name}` must be one of"):
            small_plan(**{name: value})
        with pytest.raises(ValueError, match=f"`{name}` must be one of"):
            significance(**{name: value})

    @pytest.mark.parametrize("estimator", ESTIMATORS)
    @pytest.mark.parametrize("precision", PRECISIONS)
    def test_every_combination_runs_and_is_chunk_invariant(self, estimator, precision):
        plan = make_plan(AL1, AL2, 1.0, 0.25, 2.0, 32, mc_count=6, seed=3,
                         estimator=estimator, precision=precision)  # fmt: skip
        whole = run_chunk(plan, 0, 6)
        parts = run_chunk(plan, 0, 2) + run_chunk(plan, 2, 5) + run_chunk(plan, 5, 6)
        np.testing.assert_array_equal(whole, parts)
        np.testing.assert_array_equal(run_chunk(plan, 0, 6, batch_bytes=1), whole)
        sig = thresholds(plan, whole, 0.95)
        assert np.all(np.isfinite(sig)) and np.all((sig > 0) & (sig < 1))

    @pytest.mark.parametrize("precision", PRECISIONS)
    def test_full_and_multirate_share_the_largest_scales(self, precision):
        # The top group of the multirate estimator is the full-length computation on
        # fewer rows (its cumulative sums over scale start at another row, so a value
        # on a bin edge may round into the next bin); the groups below are not.
        grid = dict(dt=1.0, dj=0.25, s0=2.0, J=32, mc_count=4, seed=5, precision=precision)
        multi = make_plan(AL1, AL2, **grid)
        full = make_plan(AL1, AL2, **grid, estimator="full")
        top = surrogate_groups(multi)[-1][0]
        a, b = run_chunk(multi, 0, 4), run_chunk(full, 0, 4)
        np.testing.assert_array_equal(a[top:].sum(axis=1), b[top:].sum(axis=1))
        assert np.all(a[:top].sum(axis=1) < b[:top].sum(axis=1))  # shorter surrogates
        moved = 1e-3 if precision == "float64" else 1e-2
        assert np.abs(a[top:] - b[top:]).sum() <= moved * b[top:].sum()
        ta, tb = thresholds(multi, a, 0.95), thresholds(full, b, 0.95)
        np.testing.assert_allclose(ta[top:], tb[top:], rtol=0, atol=1e-3)  # one bin
        assert np.abs(a[:top] - b[:top]).sum() > 0.5 * b[:top].sum()


class TestSplitChunks:
    @pytest.mark.parametrize("size", [1, 3, 7, 10, 50])
    def test_tiles_range(self, size):
        chunks = split_chunks(10, size)
        covered = [k for a, b in chunks for k in range(a, b)]
        assert covered == list(range(10))
        assert all(0 < b - a <= size for a, b in chunks)

    @pytest.mark.parametrize("args", [(0, 3), (10, 0), (10, 2.5), (True, 3)])
    def test_validates(self, args):
        with pytest.raises(ValueError):
            split_chunks(*args)


class TestPairNoise:
    def test_shape(self):
        plan = small_plan()
        assert pair_noise(plan, 2, 5).shape == (3, 2, plan.n)

    def test_pair_k_has_its_own_stream(self):
        plan = small_plan()
        whole = pair_noise(plan, 0, MC)
        for k in range(MC):
            np.testing.assert_array_equal(pair_noise(plan, k, k + 1)[0], whole[k])

    def test_stream_is_the_kth_spawned_child(self):
        # The documented stream: SeedSequence(seed).spawn(...)[k], an AR(1) filter of
        # its standard normal draws (innovations recovered by inverting the filter).
        plan = small_plan(al1=0.9, al2=-0.5)
        children = np.random.SeedSequence(plan.seed).spawn(4)
        noise = pair_noise(plan, 0, 4)
        for k, child in enumerate(children):
            e = np.random.default_rng(child).standard_normal((2, plan.n))
            for series, g in ((0, 0.9), (1, -0.5)):
                y = noise[k, series]
                innovations = np.r_[y[0] * np.sqrt(1 - g**2), y[1:] - g * y[:-1]]
                np.testing.assert_allclose(innovations, e[series], rtol=0, atol=1e-12)

    def test_seeds_differ(self):
        a = pair_noise(small_plan(seed=1), 0, 2)
        b = pair_noise(small_plan(seed=2), 0, 2)
        assert not np.allclose(a, b)

    def test_red_noise_statistics(self):
        # 200 pairs of 2000 samples: 4e5 samples per series. The standard error of
        # the lag-1 autocorrelation is ~sqrt((1 - g^2) / N) < 2e-3, and that of the
        # variance relative to 1 / (1 - g^2) is ~sqrt(2 (1 + g^2) / (1 - g^2) / N)
        # < 5e-3 for g = 0.8; the tolerances are 5 and 10 standard errors. White noise
        # (what pycwt 0.5's rednoise returns) fails both by far.
        g1, g2 = 0.8, -0.4
        plan = dataclasses.replace(small_plan(al1=g1, al2=g2, mc_count=200), n=2000)
        noise = pair_noise(plan, 0, 200)
        for series, g in ((0, g1), (1, g2)):
            y = noise[:, series]
            r1 = (y[:, 1:] * y[:, :-1]).mean() / (y * y).mean()
            assert r1 == pytest.approx(g, abs=0.01)
            assert y.var() == pytest.approx(1 / (1 - g**2), rel=0.05)
            assert abs(y.mean()) < 5 * np.sqrt(1 / (1 - g) ** 2 / y.size)
        # The two series of a pair are independent.
        cross = (noise[:, 0] * noise[:, 1]).mean() / np.sqrt(noise[:, 0].var() * noise[:, 1].var())
        assert abs(cross) < 0.02

    def test_stationary_start(self):
        # The first sample already has the stationary variance 1 / (1 - g^2) (5.26
        # for g = 0.9), not the innovation variance 1. 4000 pairs: the relative
        # standard error of a variance is sqrt(2 / 4000) = 0.022.
        g = 0.9
        plan = dataclasses.replace(small_plan(al1=g, al2=0.0, mc_count=4000), n=4)
        noise = pair_noise(plan, 0, 4000)
        for t in range(4):
            assert noise[:, 0, t].var() == pytest.approx(1 / (1 - g**2), rel=0.1)
            assert noise[:, 1, t].var() == pytest.approx(1.0, rel=0.1)


class TestRunChunk:
    def test_histogram_shape_and_counts(self):
        # Every point outside the COI of every pair lands in exactly one bin.
        plan = small_plan()
        hist = run_chunk(plan, 0, MC)
        assert hist.shape == (plan.n_scales, plan.nbins)
        assert hist.dtype == np.int64
        np.testing.assert_array_equal(hist.sum(axis=1), MC * outside_coi(plan).sum(axis=1))

    def test_chunks_add_up(self):
        plan = small_plan()
        parts = sum(run_chunk(plan, a, b) for a, b in split_chunks(MC, 3))
        np.testing.assert_array_equal(parts, run_chunk(plan, 0, MC))

    def test_one_pair_per_batch_equals_default_batching(self):
        plan = small_plan()
        np.testing.assert_array_equal(run_chunk(plan, 0, MC, batch_bytes=1), run_chunk(plan, 0, MC))

    def test_fft_threads_do_not_change_the_result(self):
        plan = small_plan()
        np.testing.assert_array_equal(run_chunk(plan, 0, 4, workers=2), run_chunk(plan, 0, 4))

    @pytest.mark.parametrize("start,stop", [(-1, 3), (3, 3), (5, 2), (0, MC + 1)])
    def test_rejects_chunks_outside_the_plan(self, start, stop):
        with pytest.raises(ValueError, match="outside"):
            run_chunk(small_plan(), start, stop)

    def test_seeds_differ(self):
        a = run_chunk(small_plan(seed=1), 0, 3)
        b = run_chunk(small_plan(seed=2), 0, 3)
        assert not np.array_equal(a, b)


class TestThresholds:
    def test_shape_mismatch(self):
        plan = small_plan()
        with pytest.raises(ValueError, match="shape"):
            thresholds(plan, np.ones((plan.n_scales + 1, plan.nbins), int), 0.95)
        with pytest.raises(ValueError, match="shape"):
            thresholds(plan, np.ones((plan.n_scales, plan.nbins - 1), int), 0.95)

    @pytest.mark.parametrize("level", [0, 1, 1.5, -0.2, True, "0.95"])
    def test_bad_level(self, level):
        plan = small_plan()
        with pytest.raises(ValueError, match="significance_level"):
            thresholds(plan, np.ones((plan.n_scales, plan.nbins), int), level)

    def test_hand_built_histogram(self):
        # The documented rule: bin centres c_i = (i + 0.5) / nbins over the non-empty
        # bins, P = (cumsum - 0.5) / total, threshold = interp(level, P, c).
        plan = small_plan(J=3, nbins=10)
        hist = np.zeros((4, 10), dtype=np.int64)
        hist[0, 3] = 7  # one bin: its centre, whatever the level
        hist[1, 2], hist[1, 6] = 3, 1  # two bins: linear between (0.625, .25), (.875, .65)
        hist[3, 9] = 1
        centre = lambda i: (i + 0.5) / 10  # noqa: E731
        for level in (0.3, 0.7, 0.75, 0.8, 0.95):
            sig = thresholds(plan, hist, level)
            assert sig[0] == pytest.approx(centre(3))
            p0, p1 = (3 - 0.5) / 4, (4 - 0.5) / 4
            frac = min(max((level - p0) / (p1 - p0), 0.0), 1.0)
            assert sig[1] == pytest.approx(centre(2) + frac * (centre(6) - centre(2)))
            assert np.isnan(sig[2])  # no point outside the COI at that scale
            assert sig[3] == pytest.approx(centre(9))

    def test_increase_with_level(self):
        plan = small_plan(mc_count=30)
        hist = run_chunk(plan, 0, 30)
        levels = (0.5, 0.8, 0.9, 0.95, 0.99)
        sigs = np.array([thresholds(plan, hist, lev) for lev in levels])
        assert np.all((sigs > 0) & (sigs < 1))
        assert np.all(np.diff(sigs, axis=0) > 0)

    def test_every_scale_reached_outside_the_coi_is_finite(self):
        # The surrogate length puts points outside the COI at every scale, and every
        # such scale, the largest included, gets a threshold (pycwt leaves the last
        # one NaN).
        plan = small_plan()
        assert outside_coi(plan).any(axis=1).all()
        sig = thresholds(plan, run_chunk(plan, 0, MC), 0.95)
        assert np.all(np.isfinite(sig))
        assert np.all((sig > 0) & (sig < 1))

    @pytest.mark.parametrize("n", [20, 30, 40])
    def test_finite_exactly_where_points_are_outside_the_coi(self, n):
        # Shorter surrogates leave the largest scales entirely inside the COI: those
        # are NaN, and the last scale that still has points outside is not.
        plan = dataclasses.replace(small_plan(), n=n)
        reached = outside_coi(plan).any(axis=1)
        assert reached.any() and not reached.all()
        sig = thresholds(plan, run_chunk(plan, 0, MC), 0.95)
        np.testing.assert_array_equal(np.isfinite(sig), reached)


class TestWctSignificance:
    def test_shape(self):
        sig = significance()
        assert sig.shape == (J + 1,)
        assert np.all((sig > 0) & (sig < 1))

    @pytest.mark.parametrize(
        "wavelet", ["morlet", "paul", "dog", "mexicanhat", Morlet(), Paul(), DOG(6), MexicanHat()]
    )
    def test_wavelets(self, wavelet):
        sig = significance(wavelet=wavelet, mc_count=3)
        assert sig.shape == (J + 1,)
        assert np.all(np.isfinite(sig))

    def test_names_equal_objects(self):
        np.testing.assert_array_equal(significance(wavelet="paul"), significance(wavelet=Paul()))
        np.testing.assert_array_equal(significance(wavelet="dog"), significance(wavelet=DOG(2)))

    def test_wavelets_differ(self):
        assert not np.array_equal(significance(wavelet="paul"), significance(wavelet="morlet"))

    def test_J_default_is_rejected_with_the_way_out(self):
        with pytest.raises(ValueError, match="J=-1") as err:
            significance(J=-1)
        assert "Pass J explicitly" in str(err.value)
        assert "wct(" in str(err.value)

    def test_s0_default(self):
        flambda = Morlet().flambda()
        np.testing.assert_array_equal(
            significance(s0=-1, J=8), significance(s0=2 * DT / flambda, J=8)
        )

    def test_untabulated_morlet_raises_value_error(self):
        with pytest.raises(ValueError, match="deltaj0"):
            significance(wavelet=Morlet(f0=5))

    @pytest.mark.parametrize("name", ["al1", "al2"])
    @pytest.mark.parametrize("value", [1.0, -1.0, 1.5, np.nan, "0.5"])
    def test_bad_ar1(self, name, value):
        with pytest.raises(ValueError, match=name):
            significance(**{name: value})

    @pytest.mark.parametrize("count", [0, -5, 2.5, True])
    def test_bad_mc_count(self, count):
        with pytest.raises(ValueError, match="mc_count"):
            significance(mc_count=count)

    def test_unknown_backend_lists_the_names(self):
        with pytest.raises(ValueError, match="no-such-backend") as err:
            significance(backend="no-such-backend")
        for name in ("sequential", "joblib", "ray", "gpu"):
            assert name in str(err.value)

    @pytest.mark.parametrize("level", [0, 1, 1.2, -0.5])
    def test_bad_level(self, level):
        with pytest.raises(ValueError, match="significance_level"):
            significance(significance_level=level)

    def test_level(self):
        assert np.all(significance(significance_level=0.99) > significance(significance_level=0.9))

    def test_info(self):
        started = time.perf_counter()
        sig, info = significance(chunk_size=4, return_info=True)
        wall = time.perf_counter() - started
        assert info["seed"] == SEED
        assert info["backend"] == "sequential"
        assert info["mc_count"] == MC
        assert info["chunk_size"] == 4
        assert info["cache_hit"] is False
        assert info["n_scales"] == J + 1
        assert 0 < info["elapsed_s"] <= wall  # seconds of this call
        np.testing.assert_array_equal(sig, significance())

    def test_unseeded_run_reports_a_seed_that_reproduces_it(self):
        sig, info = significance(seed=None, return_info=True)
        again, info2 = significance(seed=None, return_info=True)
        assert info["seed"] != info2["seed"]
        assert not np.array_equal(sig, again)
        np.testing.assert_array_equal(significance(seed=info["seed"]), sig)
        np.testing.assert_array_equal(significance(seed=info2["seed"]), again)

    @pytest.mark.parametrize("chunk_size", [1, 3, 7, MC])
    def test_same_seed_same_thresholds_for_any_chunk_size(self, chunk_size):
        np.testing.assert_array_equal(significance(chunk_size=chunk_size), significance())
        plan = small_plan()
        hist = sum(run_chunk(plan, a, b) for a, b in split_chunks(MC, chunk_size))
        np.testing.assert_array_equal(hist, run_chunk(plan, 0, MC))

    def test_different_seeds_differ(self):
        assert not np.array_equal(significance(seed=1), significance(seed=2))

    def test_depends_on_dt_only_through_s0_over_dt(self):
        # The cache treats grids with the same s0 / dt as one: a fresh computation
        # must agree bit for bit.
        ref = significance(dt=1.0, dj=1 / 6, s0=3.0, J=18, mc_count=5)
        for dt in (0.1, 1 / 12, 7.0):
            got = significance(dt=dt, dj=1 / 6, s0=3 * dt, J=18, mc_count=5)
            np.testing.assert_array_equal(got, ref)

    def test_progress_callback(self):
        calls = []
        significance(chunk_size=3, progress_callback=lambda d, t: calls.append((d, t)))
        done = [d for d, _ in calls]
        assert done == sorted(done)
        assert len(calls) == len(split_chunks(MC, 3))
        assert all(t == MC for _, t in calls)
        assert calls[-1] == (MC, MC)

    def test_cancel_before_the_first_chunk(self):
        calls = []
        with pytest.raises(Cancelled):
            significance(cancel=lambda: True, progress_callback=lambda d, t: calls.append(d))
        assert calls == []

    def test_cancel_between_chunks(self):
        polls, calls = [], []

        def cancel():
            polls.append(1)
            return len(polls) > 2  # before the first chunk, after the first, then True

        with pytest.raises(Cancelled, match="cancelled after 4 of 10"):
            significance(
                chunk_size=2, cancel=cancel, progress_callback=lambda d, t: calls.append(d)
            )
        assert calls == [2, 4]

    def test_cancel_never_true_runs_to_the_end(self):
        np.testing.assert_array_equal(significance(cancel=lambda: False), significance())

    def test_progress_bar(self, capsys):
        sig = significance(progress=True)
        np.testing.assert_array_equal(sig, significance())
        assert "WCT significance" in capsys.readouterr().err

    def test_backend_instance(self):
        from pycwt_mod.montecarlo.backends import get_backend

        backend = get_backend("sequential", workers=2)
        np.testing.assert_array_equal(significance(backend=backend), significance())

    def test_pycwt_leaves_the_last_scale_nan(self, pycwt):
        # pycwt 0.5 loops over range(maxscale), maxscale being the *last* scale with
        # points outside the COI, so that scale stays NaN; ours has a threshold.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pycwt.wct_significance(
                AL1,
                AL2,
                DT,
                DJ,
                S0,
                J,
                wavelet=pycwt.Morlet(6),
                mc_count=2,
                progress=False,
                cache=False,
            )
        ours = significance(mc_count=2)
        last = np.flatnonzero(outside_coi(small_plan()).any(axis=1))[-1]
        assert np.isnan(theirs[last]) and np.all(np.isfinite(theirs[:last]))
        assert np.all(np.isfinite(ours))


class TestWct:
    def test_sig_passes_kwargs_to_wct_significance(self, rng):
        n = 128
        e = rng.standard_normal((2, n))
        y1 = np.empty(n)
        y1[0] = e[0, 0]
        for t in range(1, n):
            y1[t] = 0.7 * y1[t - 1] + e[0, t]
        y2 = y1 + 2 * e[1]
        kw = dict(mc_count=6, seed=5, cache=False, progress=False, backend="sequential")
        *_, sig = wct(y1, y2, DT, dj=DJ, s0=S0, J=J, sig=True, significance_level=0.9, **kw)
        direct = wct_significance(
            ar1(y1)[0], ar1(y2)[0], DT, DJ, S0, J, significance_level=0.9, **kw
        )
        np.testing.assert_array_equal(sig, direct)
        # The kwargs reached it: another seed or count changes the answer.
        *_, other = wct(y1, y2, DT, dj=DJ, s0=S0, J=J, significance_level=0.9, **{**kw, "seed": 6})
        assert not np.array_equal(other, sig)

    def test_sig_false(self, rng):
        y = rng.standard_normal((2, 64))
        *_, sig = wct(y[0], y[1], DT, dj=DJ, s0=S0, J=6, sig=False)
        np.testing.assert_array_equal(sig, [0])


#: The engine's public names: the kernel's, the two entry points (README, Layout), the
#: checkpoint hook of resumable runs (`Checkpoint`, `checkpoint_key`) and the partial and
#: multiple coherence test's plan and entry point.
PUBLIC = {
    "CancelCheck", "Cancelled", "Checkpoint", "ESTIMATORS", "MonteCarloPlan", "PRECISIONS",
    "checkpoint_key",
    "ProgressCallback", "estimate_work", "histogram_quantiles", "make_plan", "pair_noise",
    "run_chunk", "run_plan", "split_chunks", "surrogate_groups", "thresholds",
    "wct_significance",
    "MultivariatePlan", "estimate_multivariate_work", "make_multivariate_plan",
    "multivariate_noise",
    "multivariate_significance",
}  # fmt: skip


def test_public_names():
    # Exactly these, each once: a name dropped, added or listed twice fails here.
    assert sorted(mc.__all__) == sorted(PUBLIC)
    star: dict = {}
    exec("from pycwt_mod.montecarlo import *", star)  # what a star import binds
    assert set(star) - {"__builtins__"} == PUBLIC
    for name in PUBLIC:
        assert star[name] is getattr(mc, name)
    # the kernel's names are the kernel's objects, not copies
    for name in kernel.__all__:
        assert getattr(mc, name) is getattr(kernel, name)
