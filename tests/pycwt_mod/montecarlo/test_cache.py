"""Tests of the threshold cache, `pycwt_mod.montecarlo.cache`, and its use by `wct_significance`.

Every cache lives in ``tmp_path``; the problems are small (13 scales, 96-sample
surrogates, 5 pairs), so a miss costs milliseconds.
"""

from __future__ import annotations

import io
import json
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pycwt_mod import DOG, Paul
from pycwt_mod.montecarlo import make_plan, wct_significance
from pycwt_mod.montecarlo.cache import AR1_DECIMALS, ThresholdCache, default_cache_dir

AL1, AL2 = 0.6, 0.3
MC = 5
SEED = 11
BASE = dict(al1=AL1, al2=AL2, dt=1.0, dj=0.25, s0=2.0, J=12, mc_count=MC, seed=SEED)


def significance(cache_dir, **kw):
    """(thresholds, info) of the small problem through the cache in ``cache_dir``."""
    args = dict(
        BASE,
        progress=False,
        cache=True,
        cache_dir=cache_dir,
        backend="sequential",
        return_info=True,
    )
    args.update(kw)
    return wct_significance(**args)


def plan_and_key(**kw):
    args = {k: v for k, v in BASE.items()}
    level = kw.pop("significance_level", 0.95)
    args.update(kw)
    plan = make_plan(**args)
    return plan, ThresholdCache.key(plan, level)


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


class TestDefaultCacheDir:
    def test_environment_variable(self, monkeypatch, tmp_path):
        monkeypatch.setenv("PYCWT_MOD_CACHE_DIR", str(tmp_path / "c"))
        assert default_cache_dir() == tmp_path / "c"
        assert ThresholdCache().directory == tmp_path / "c"

    @pytest.mark.skipif(sys.platform != "linux", reason="the XDG layout is Linux's")
    def test_home(self, monkeypatch, tmp_path):
        monkeypatch.delenv("PYCWT_MOD_CACHE_DIR", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        assert default_cache_dir() == tmp_path / ".cache" / "pycwt_mod"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert default_cache_dir() == tmp_path / "xdg" / "pycwt_mod"

    def test_wct_significance_uses_it(self, monkeypatch, tmp_path):
        monkeypatch.setenv("PYCWT_MOD_CACHE_DIR", str(tmp_path))
        first, _ = significance(None)
        assert len(list(tmp_path.glob("wct_sig_*.npz"))) == 1
        again, info = significance(None)
        assert info["cache_hit"] is True
        np.testing.assert_array_equal(again, first)


class TestThresholdCache:
    def test_key_is_json(self):
        _, key = plan_and_key()
        assert json.loads(json.dumps(key)) == key
        assert key["seed"] == SEED

    def test_key_rounds_ar1(self):
        _, key = plan_and_key(al1=0.123456789)
        assert key["al1"] == round(0.123456789, AR1_DECIMALS)

    def test_key_is_dt_free(self):
        assert plan_and_key(dt=0.1, s0=0.2)[1] == plan_and_key()[1]
        assert plan_and_key(dt=0.1, s0=0.3)[1] != plan_and_key()[1]

    def test_unseeded_key(self):
        plan, _ = plan_and_key()
        assert ThresholdCache.key(plan, 0.95, seeded=False)["seed"] == "unseeded"

    def test_foreign_wavelets_have_their_own_keys(self, pycwt):
        # pycwt's mothers are wrapped in one adapter class; Morlet(6) and DOG(6) have
        # the same parameter and must still not share an entry.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            morlet, dog = pycwt.Morlet(6), pycwt.DOG(6)
        assert plan_and_key(wavelet=morlet)[1] != plan_and_key(wavelet=dog)[1]
        assert plan_and_key(wavelet=morlet)[1] == plan_and_key(wavelet=pycwt.Morlet(6))[1]

    def test_round_trip(self, tmp_path):
        cache = ThresholdCache(tmp_path)
        _, key = plan_and_key()
        sig = np.linspace(0.2, 0.8, 13)
        assert cache.load(key, 13) is None
        cache.save(key, sig, 42)
        got, seed = cache.load(key, 13)
        np.testing.assert_array_equal(got, sig)
        assert seed == 42
        assert cache.load(key, 12) is None  # shape checked against the plan
        assert [p.suffix for p in tmp_path.iterdir()] == [".npz"]  # no temporary left

    def test_round_trip_of_a_128_bit_seed(self, tmp_path):
        # Fresh entropy (seed=None) is a 128-bit integer.
        cache = ThresholdCache(tmp_path)
        _, key = plan_and_key()
        seed = 2**127 + 12345
        cache.save(key, np.full(13, 0.5), seed)
        assert cache.load(key, 13)[1] == seed

    def test_failed_save_leaves_no_temporary(self, tmp_path, monkeypatch):
        import pycwt_mod.montecarlo.cache as cache_module

        def boom(*args, **kwargs):
            raise OSError("disk full")

        cache = ThresholdCache(tmp_path)
        _, key = plan_and_key()
        monkeypatch.setattr(cache_module.np, "savez", boom)
        with pytest.raises(OSError, match="disk full"):
            cache.save(key, np.full(13, 0.5), 1)
        assert list(tmp_path.iterdir()) == []

    def test_entries_are_separate(self, tmp_path):
        cache = ThresholdCache(tmp_path)
        (_, a), (_, b) = plan_and_key(), plan_and_key(seed=SEED + 1)
        cache.save(a, np.full(13, 0.1), 1)
        cache.save(b, np.full(13, 0.2), 2)
        assert cache.path(a) != cache.path(b)
        assert cache.load(a, 13)[1] == 1 and cache.load(b, 13)[1] == 2

    def test_entry_of_another_key_at_this_path_is_ignored(self, tmp_path):
        cache = ThresholdCache(tmp_path)
        (_, a), (_, b) = plan_and_key(), plan_and_key(seed=SEED + 1)
        cache.save(b, np.full(13, 0.2), 2)
        cache.path(a).write_bytes(cache.path(b).read_bytes())
        assert cache.load(a, 13) is None

    def test_every_single_byte_corruption_is_a_miss_or_harmless(self, tmp_path):
        # Compressed and plain archives with one byte flipped: load must return the
        # original entry or None, and never raise (zlib.error, NotImplementedError, ...).
        cache = ThresholdCache(tmp_path)
        _, key = plan_and_key()
        sig = np.linspace(0.2, 0.8, 13)
        buf = io.BytesIO()
        np.savez_compressed(buf, key=json.dumps(key, sort_keys=True), sig=sig, seed="7")
        cache.save(key, sig, 7)
        # Every byte of the compressed archive (where zlib fails), every 5th of the other.
        for data, step in ((buf.getvalue(), 1), (cache.path(key).read_bytes(), 5)):
            for i in range(0, len(data), step):
                broken = bytearray(data)
                broken[i] ^= 0xFF
                cache.path(key).write_bytes(bytes(broken))
                got = cache.load(key, 13)
                if got is not None:
                    np.testing.assert_array_equal(got[0], sig)
                    assert got[1] == 7


def corrupt_entries(key: dict, good: bytes) -> dict[str, bytes]:
    text = json.dumps(key, sort_keys=True)
    npy = io.BytesIO()
    np.save(npy, np.full(13, 0.5))
    return {
        "garbage": b"\x00garbage\xff" * 50,
        "empty": b"",
        "truncated zip": good[: len(good) // 2],
        "zip without the end": good[:-8],
        "npy instead of npz": npy.getvalue(),
        "wrong array name": npz_bytes(key=text, thresholds=np.full(13, 0.5), seed="1"),
        "no seed": npz_bytes(key=text, sig=np.full(13, 0.5)),
        "wrong shape": npz_bytes(key=text, sig=np.full(12, 0.5), seed="1"),
        "wrong dtype": npz_bytes(key=text, sig=np.full(13, 0.5, dtype=np.float32), seed="1"),
        "object array": npz_bytes(key=text, sig=np.array([0.5] * 13, dtype=object), seed="1"),
        "key not json": npz_bytes(key="{not json", sig=np.full(13, 0.5), seed="1"),
        "other key": npz_bytes(key=json.dumps({**key, "J": 11}), sig=np.full(13, 0.5), seed="1"),
        "seed not a number": npz_bytes(key=text, sig=np.full(13, 0.5), seed="abc"),
    }


class TestWctSignificanceCache:
    def test_second_call_is_a_hit(self, tmp_path):
        calls = []
        first, info = significance(
            tmp_path, chunk_size=1, progress_callback=lambda *a: calls.append(a)
        )
        assert info["cache_hit"] is False
        assert len(calls) == MC  # one per chunk of one pair
        calls.clear()
        again, info = significance(
            tmp_path, chunk_size=1, progress_callback=lambda *a: calls.append(a)
        )
        assert info["cache_hit"] is True
        assert info["seed"] == SEED
        np.testing.assert_array_equal(again, first)
        assert calls == [(MC, MC)]  # no chunk ran
        uncached, _ = significance(tmp_path, cache=False)
        np.testing.assert_array_equal(uncached, first)

    def test_cache_false_neither_reads_nor_writes(self, tmp_path):
        significance(tmp_path, cache=False)
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize(
        "change",
        [
            {"al1": AL1 + 2e-4},
            {"al2": AL2 - 2e-4},
            {"dj": 1 / 6},
            {"s0": 2.5},
            {"dt": 2.0},  # s0 / dt changes
            {"J": 11},
            {"wavelet": "paul"},
            {"wavelet": "dog"},
            {"significance_level": 0.9},
            {"mc_count": MC + 1},
            {"seed": SEED + 1},
            {"seed": None},
            {"nbins": 500},
            {"estimator": "full"},
            {"precision": "float64"},
        ],
        ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()),
    )
    def test_any_parameter_change_misses(self, tmp_path, change):
        base, info = significance(tmp_path)
        assert info["cache_hit"] is False
        _, info = significance(tmp_path, **change)
        assert info["cache_hit"] is False
        _, info = significance(tmp_path, **change)
        assert info["cache_hit"] is True  # stored under its own key
        again, info = significance(tmp_path)
        assert info["cache_hit"] is True  # and the first entry is intact
        np.testing.assert_array_equal(again, base)

    def test_wavelet_parameter_change_misses(self, tmp_path):
        dog2, info = significance(tmp_path, wavelet=DOG(2))
        assert info["cache_hit"] is False
        dog6, info = significance(tmp_path, wavelet=DOG(6))
        assert info["cache_hit"] is False
        assert not np.array_equal(dog2, dog6)
        assert significance(tmp_path, wavelet=DOG(6))[1]["cache_hit"] is True

    def test_wavelet_name_and_object_share_an_entry(self, tmp_path):
        assert significance(tmp_path, wavelet="paul")[1]["cache_hit"] is False
        assert significance(tmp_path, wavelet=Paul())[1]["cache_hit"] is True

    def test_ar1_within_the_rounding_hits(self, tmp_path):
        first, _ = significance(tmp_path)
        again, info = significance(tmp_path, al1=AL1 + 2e-5, al2=AL2 - 2e-5)
        assert info["cache_hit"] is True
        np.testing.assert_array_equal(again, first)

    @pytest.mark.parametrize("dt", [0.1, 1 / 12, 3.0])
    def test_dt_scaled_with_s0_hits(self, tmp_path, dt):
        first, _ = significance(tmp_path, dj=1 / 6, s0=3.0, J=18)
        scaled, info = significance(tmp_path, dt=dt, dj=1 / 6, s0=3.0 * dt, J=18)
        assert info["cache_hit"] is True
        np.testing.assert_array_equal(scaled, first)
        # and that is what a fresh computation at this dt gives
        fresh, _ = significance(tmp_path, dt=dt, dj=1 / 6, s0=3.0 * dt, J=18, cache=False)
        np.testing.assert_array_equal(fresh, first)

    @pytest.mark.parametrize("case", list(corrupt_entries({}, b"0" * 64)))
    def test_corrupt_entry_is_ignored_and_overwritten(self, tmp_path, case):
        first, _ = significance(tmp_path)
        plan, key = plan_and_key()
        cache = ThresholdCache(tmp_path)
        path = cache.path(key)
        data = corrupt_entries(key, path.read_bytes())[case]
        path.write_bytes(data)
        assert cache.load(key, plan.n_scales) is None
        again, info = significance(tmp_path)
        assert info["cache_hit"] is False
        np.testing.assert_array_equal(again, first)
        np.testing.assert_array_equal(cache.load(key, plan.n_scales)[0], first)  # rewritten
        assert significance(tmp_path)[1]["cache_hit"] is True

    def test_unseeded_uses_one_entry_and_reports_its_seed(self, tmp_path):
        first, info = significance(tmp_path, seed=None)
        assert info["cache_hit"] is False
        drawn = info["seed"]
        again, info = significance(tmp_path, seed=None)
        assert info["cache_hit"] is True
        assert info["seed"] == drawn
        np.testing.assert_array_equal(again, first)
        # The reported seed reproduces the entry (a separate, seeded entry).
        seeded, info = significance(tmp_path, seed=drawn)
        assert info["cache_hit"] is False
        np.testing.assert_array_equal(seeded, first)
        assert significance(tmp_path, seed=drawn)[1]["cache_hit"] is True

    def test_foreign_wavelets_do_not_collide(self, tmp_path, pycwt):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            morlet, dog = pycwt.Morlet(6), pycwt.DOG(6)
        a, _ = significance(tmp_path, wavelet=morlet)
        b, info = significance(tmp_path, wavelet=dog)
        assert info["cache_hit"] is False
        assert not np.array_equal(a, b)

    def test_writes_into_a_new_directory(self, tmp_path):
        target = tmp_path / "a" / "b"
        significance(target)
        assert len(list(Path(target).glob("*.npz"))) == 1
        assert not list(Path(target).glob("*.tmp"))


def test_zip_is_what_is_written(tmp_path):
    # The format promised by the module docstring: an .npz holding key, sig, seed.
    significance(tmp_path)
    (path,) = tmp_path.glob("wct_sig_*.npz")
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["key.npy", "seed.npy", "sig.npy"]


class TestUnwritableCache:
    def test_result_is_returned_with_a_warning(self, tmp_path):
        blocker = tmp_path / "not_a_dir"
        blocker.write_text("a file where the cache directory should be")
        kw = dict(mc_count=4, progress=False, seed=3, backend="sequential")
        with pytest.warns(UserWarning, match="could not write the threshold cache"):
            sig = wct_significance(0.5, 0.5, 1.0, 0.25, 2.0, 8, cache_dir=blocker, **kw)
        fresh = wct_significance(0.5, 0.5, 1.0, 0.25, 2.0, 8, cache=False, **kw)
        np.testing.assert_array_equal(sig, fresh)
