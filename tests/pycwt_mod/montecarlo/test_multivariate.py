"""Tests of the partial and multiple coherence Monte Carlo test: `MultivariatePlan`, its
kernel and `multivariate_significance`.

The problems are those of ``test_engine.py`` (dt = 1, dj = 1/4, s0 = 2, J = 12:
13 scales, surrogates of 96 samples, a few surrogate sets), so a call takes
milliseconds. The other backends run these plans in ``test_backends.py``.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import pycwt_mod as wavelet
from pycwt_mod import rednoise
from pycwt_mod.montecarlo import (
    Cancelled,
    MultivariatePlan,
    checkpoint_key,
    estimate_multivariate_work,
    estimate_work,
    make_multivariate_plan,
    make_plan,
    multivariate_noise,
    multivariate_significance,
    pair_noise,
    run_plan,
    thresholds,
    wct_significance,
)
from pycwt_mod.montecarlo.cache import ThresholdCache
from pycwt_mod.montecarlo.chunks import run_chunk  # every plan (the kernel's: the pair's)

DT, DJ, S0, J = 1.0, 0.25, 2.0, 12
AL = (0.6, 0.3, 0.5)
MC = 10
SEED = 20240611
GRID = dict(dt=DT, dj=DJ, s0=S0, J=J)


def plan(kind="partial", al=AL, **kw):
    return make_multivariate_plan(kind, al, **{**GRID, "mc_count": MC, "seed": SEED, **kw})


def significance(kind="partial", al=AL, **kw):
    args = dict(mc_count=MC, seed=SEED, progress=False, cache=False, backend="sequential")
    return multivariate_significance(kind, al, **GRID, **{**args, **kw})


class TestMakePlan:
    def test_fields(self):
        p = plan()
        assert isinstance(p, MultivariatePlan)
        assert (p.kind, p.al, p.k, p.n_scales, p.n) == ("partial", AL, 3, 13, 96)
        assert p.n == make_plan(0.6, 0.3, **GRID, mc_count=MC, seed=SEED).n
        assert pickle.loads(pickle.dumps(p)) == p and hash(p) == hash(plan())

    def test_data_driven_family_takes_its_series_from_the_data(self):
        data = [rednoise(150, a, rng=i) for i, a in enumerate(AL)]
        p = plan(al=None, surrogate="phase", data=data)
        assert (p.k, p.n, p.al) == (3, 150, (0.0, 0.0, 0.0))
        assert p.data.values.shape == (3, 150)

    @pytest.mark.parametrize(
        ("kw", "message"),
        [
            (dict(kind="both"), "`kind` must be one of 'partial', 'multiple'"),
            (dict(al=(0.5, 0.5)), r"partial coherence needs 3 to 8 series \(got 2\)"),
            (dict(kind="multiple", al=(0.5,)), "multiple coherence needs 2 to 8"),
            (dict(al=(0.5,) * 9), r"\(got 9\)"),
            (dict(al=(0.5, 1.0, 0.2)), r"`al\[1\]` must be in \(-1, 1\)"),
            (dict(al=None), "`al` must be a sequence"),
            (dict(surrogate="phase"), "resamples the observed series: pass data"),
            (dict(seed=-1), "`seed` must be a whole number"),
            (dict(J=-1), "J=-1 cannot be resolved here"),
        ],
    )
    def test_validates(self, kw, message):
        with pytest.raises(ValueError, match=message):
            plan(**kw)

    def test_none_seed_draws_fresh_entropy(self):
        assert plan(seed=None).seed != plan(seed=None).seed


class TestEstimateWork:
    def test_scales_the_pair_s_by_the_spectra(self):
        pair = estimate_work(**GRID, mc_count=MC)
        assert estimate_multivariate_work(2, **GRID, mc_count=MC) == pair
        assert estimate_multivariate_work(3, **GRID, mc_count=MC) == 2 * pair
        assert estimate_multivariate_work(4, **GRID, mc_count=MC) == -(-10 * pair // 3)
        with pytest.raises(ValueError, match="`k` must be at most 8"):
            estimate_multivariate_work(9, **GRID, mc_count=MC)
        with pytest.raises(ValueError, match="`k`"):
            estimate_multivariate_work(1, **GRID, mc_count=MC)


class TestNoise:
    def test_two_series_are_the_pair_engine_s_pairs(self):
        got = multivariate_noise(plan("multiple", (0.6, 0.3)), 2, 7)
        ref = pair_noise(make_plan(0.6, 0.3, **GRID, mc_count=MC, seed=SEED), 2, 7)
        np.testing.assert_array_equal(got, ref)

    def test_set_k_has_its_own_stream(self):
        p = plan()
        whole = multivariate_noise(p, 0, MC)
        assert whole.shape == (MC, 3, 96)
        np.testing.assert_array_equal(multivariate_noise(p, 4, 6), whole[4:6])
        # each row has its own coefficient: a row filtered with 0.6 correlates more
        lag1 = [np.mean([np.corrcoef(s[r, :-1], s[r, 1:])[0, 1] for s in whole]) for r in range(3)]
        assert lag1[0] > lag1[2] > lag1[1]


class TestKernel:
    @pytest.mark.parametrize("precision", ["float64", "float32"])
    def test_multiple_coherence_of_a_pair_is_the_pair_kernel(self, precision):
        # Same noise, same transforms and smoothing: only the last division differs
        # ((|S12|^2 / S22) / S11 against |S12|^2 / (S11 S22)), which moves no value
        # across a bin edge in float64; at most a handful of counts in float32.
        p = plan("multiple", (0.6, 0.3), precision=precision)
        pair = make_plan(0.6, 0.3, **GRID, mc_count=MC, seed=SEED, precision=precision)
        got, ref = run_chunk(p, 0, MC), run_chunk(pair, 0, MC)
        assert got.sum() == ref.sum() > 0
        if precision == "float64":
            np.testing.assert_array_equal(got, ref)
        else:
            assert np.abs(got - ref).sum() <= 1e-3 * ref.sum()

    @pytest.mark.parametrize("kind", ["partial", "multiple"])
    def test_the_kernel_is_the_library_s_estimator(self, kind):
        # Float64, one group of the full length: each set's coherence, outside the
        # surrogate's cone of influence, from partial_wct / multiple_wct on the same
        # noise. Only rounding differs (the kernel folds 1/s into the daughter).
        p = plan(kind, precision="float64", estimator="full", mc_count=4)
        noise = multivariate_noise(p, 0, 4)
        ref = np.zeros((p.n_scales, p.nbins), dtype=np.int64)
        kw = dict(dj=DJ, s0=S0, J=J, sig=False, normalize=False)
        for y, x, z in noise:
            if kind == "partial":
                r2, _, coi, freq, _ = wavelet.partial_wct(y, x, z, DT, **kw)
            else:
                r2, coi, freq, _ = wavelet.multiple_wct(y, [x, z], DT, **kw)
            ok = (1 / freq)[:, None] <= coi[None, :]
            rows = np.nonzero(ok)[0]
            bins = np.minimum((r2[ok] * p.nbins).astype(int), p.nbins - 1)
            np.add.at(ref, (rows, bins), 1)
        got = run_chunk(p, 0, 4)
        assert got.sum() == ref.sum() > 0
        assert np.abs(got - ref).sum() <= 2e-3 * ref.sum()

    @pytest.mark.parametrize("precision", ["float32", "float64"])
    @pytest.mark.parametrize(("kind", "al"), [("partial", AL), ("multiple", (*AL, 0.1))])
    def test_chunks_and_batches_give_the_same_bits(self, kind, al, precision):
        # Several multirate groups; one set per batch (batch_bytes=1), uneven chunks
        # and FFT threads: every set's values are the same bits whatever it shares
        # its arrays with (the sweep's complex products are done in real arithmetic).
        p = plan(kind, al, J=32, mc_count=7, precision=precision)
        whole = run_chunk(p, 0, 7)
        np.testing.assert_array_equal(run_chunk(p, 0, 3) + run_chunk(p, 3, 7), whole)
        np.testing.assert_array_equal(run_chunk(p, 0, 7, batch_bytes=1), whole)
        np.testing.assert_array_equal(run_chunk(p, 0, 7, workers=2), whole)

    def test_rejects_chunks_outside_the_plan(self):
        with pytest.raises(ValueError, match=r"chunk \[0, 11\) is outside \[0, 10\)"):
            run_chunk(plan(), 0, 11)

    def test_partial_thresholds_are_above_the_pair_s(self):
        # Removing a series costs degrees of freedom: under the null the partial
        # coherence is higher than the ordinary one at every scale (40 sets each).
        part = thresholds(plan(mc_count=40), run_chunk(plan(mc_count=40), 0, 40), 0.95)
        pair = wct_significance(0.6, 0.3, **GRID, mc_count=40, seed=SEED, progress=False,
                                cache=False, backend="sequential")  # fmt: skip
        assert np.all(part > pair)


class TestMultivariateSignificance:
    def test_shape_levels_and_info(self):
        sig, info = significance(significance_level=[0.9, 0.95], return_info=True)
        assert sig.shape == (2, 13) and np.all(sig[1] > sig[0])
        assert info["seed"] == SEED and info["n_scales"] == 13 and not info["cache_hit"]
        np.testing.assert_array_equal(significance(), sig[1])

    def test_multiple_of_a_pair_is_wct_significance(self):
        kw = dict(
            mc_count=MC,
            seed=SEED,
            progress=False,
            cache=False,
            precision="float64",
            backend="sequential",
        )
        ref = wct_significance(0.6, 0.3, **GRID, **kw)
        np.testing.assert_array_equal(significance("multiple", (0.6, 0.3), **kw), ref)

    @pytest.mark.parametrize("chunk_size", [1, 3, MC])
    def test_chunk_size_does_not_change_the_bits(self, chunk_size):
        np.testing.assert_array_equal(significance(chunk_size=chunk_size), significance())

    def test_seed_kind_and_coefficients_matter(self):
        ref = significance()
        assert not np.array_equal(significance(seed=SEED + 1), ref)
        assert not np.array_equal(significance(al=(0.6, 0.3, 0.0)), ref)
        assert not np.array_equal(significance("multiple"), ref)

    def test_cache_keys_and_hits(self, tmp_path):
        kw = dict(cache=True, cache_dir=tmp_path, return_info=True)
        first, info = significance(**kw)
        again, info2 = significance(**kw)
        assert not info["cache_hit"] and info2["cache_hit"]
        np.testing.assert_array_equal(again, first)
        keys = {
            ThresholdCache.multivariate_key(p, 0.95)["kind"] for p in (plan(), plan("multiple"))
        }
        assert keys == {"partial", "multiple"}
        _, other = significance("multiple", **kw)
        assert not other["cache_hit"]

    def test_data_driven_families(self):
        data = [rednoise(128, a, rng=i) for i, a in enumerate(AL)]
        phase = significance(al=None, surrogate="phase", data=data)
        assert phase.shape == (13,) and np.isfinite(phase[:8]).all()
        np.testing.assert_array_equal(
            significance(al=None, surrogate="phase", data=data, chunk_size=3), phase
        )
        assert not np.array_equal(significance(al=None, surrogate="iaaft", data=data), phase)

    def test_checkpoint_resumes_with_the_same_bits(self):
        kept: dict = {}

        class Memory:
            def kept(self, key):
                return dict(kept.get(key, {}))

            def keep(self, key, chunk, part, where):
                kept.setdefault(key, {})[chunk] = part

        polls = []
        with pytest.raises(Cancelled):
            significance(chunk_size=3, checkpoint=Memory(),
                         cancel=lambda: polls.append(1) or len(polls) > 2)  # fmt: skip
        (key,) = kept
        assert key == checkpoint_key(plan()) and key.startswith("MultivariatePlan-")
        assert sorted(kept[key]) == [(0, 3), (3, 6)]
        assert checkpoint_key(plan("multiple")) != key
        _, info = run_plan(plan(), "sequential", 4, checkpoint=Memory())
        assert info["kept"] == 6
        np.testing.assert_array_equal(significance(checkpoint=Memory()), significance())

    def test_partial_wct_thresholds_hold_their_level_on_independent_series(self):
        # Calibration against the library's own estimator: thresholds from 200
        # surrogate sets of three independent AR(1) series, then the partial
        # coherence of 12 fresh independent triples with the same coefficients
        # (512 samples). The share of points outside the cone of influence above
        # the 95% threshold is 5% in expectation; over five sets of data seeds it
        # was 3.4% to 4.0% (the points are strongly correlated in time and scale),
        # and 5.8% to 6.9% above the pair's (ordinary coherence) thresholds, which
        # ignore the degrees of freedom the removed series takes.
        sig = significance(mc_count=200)
        pair = wct_significance(0.6, 0.3, **GRID, mc_count=200, seed=SEED, progress=False,
                                cache=False, backend="sequential")  # fmt: skip
        above = above_pair = total = 0
        for i in range(12):
            y, x, z = (rednoise(512, a, rng=100 + 3 * i + r) for r, a in enumerate(AL))
            P, _, coi, freq, _ = wavelet.partial_wct(y, x, z, DT, dj=DJ, s0=S0, J=J, sig=False)
            ok = (1 / freq)[:, None] <= coi[None, :]
            above += np.count_nonzero((P > sig[:, None])[ok])
            above_pair += np.count_nonzero((P > pair[:, None])[ok])
            total += np.count_nonzero(ok)
        assert 0.02 < above / total < 0.08
        assert above_pair / total > above / total
