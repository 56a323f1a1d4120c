"""Tests of the Monte Carlo backends, `pycwt_mod.montecarlo.backends`.

Worker processes are expensive on a small shared machine, so the joblib pool is
started once (its cancellation test, which tears the pool down, comes last in its
class) and the Ray tests run on the test run's one cluster, ``ray_cluster`` of
tests/conftest.py (skipped where Ray is not installed). Ray tests that must
not finish (timeout, cancellation) ask for more CPUs per task than the cluster has,
so their chunks stay pending instead of occupying (and having to kill) workers.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import pytest

import pycwt_mod.montecarlo.backends as backends
from pycwt_mod import areawise_coherence, areawise_power, rednoise
from pycwt_mod.montecarlo import (
    Cancelled,
    Checkpoint,
    checkpoint_key,
    make_multivariate_plan,
    make_plan,
    multivariate_significance,
    run_chunk,
    run_plan,
    split_chunks,
    thresholds,
    wct_significance,
)
from pycwt_mod.montecarlo.backends import (
    BackendUnavailableError,
    MonteCarloBackend,
    describe_backends,
    get_backend,
    list_backends,
    ray_backend,
    register_backend,
)
from pycwt_mod.montecarlo.backends import gpu as gpu_module
from pycwt_mod.montecarlo.backends.gpu import GPUBackend
from pycwt_mod.montecarlo.backends.joblib_backend import JoblibBackend
from pycwt_mod.montecarlo.backends.ray_backend import RayBackend
from pycwt_mod.montecarlo.backends.sequential import SequentialBackend
from pycwt_mod.montecarlo.chunks import run_chunk as run_any_chunk

AL1, AL2 = 0.6, 0.3
DT, DJ, S0, J = 1.0, 0.25, 2.0, 12
MC = 10
SEED = 7

BUILT_IN = ("sequential", "joblib", "ray", "gpu")
DESCRIBE_KEYS = {"name", "description", "available", "reason", "capabilities"}

HAS_GPU = GPUBackend.is_available()


def small_plan(**kw):
    args = dict(al1=AL1, al2=AL2, dt=DT, dj=DJ, s0=S0, J=J, mc_count=MC, seed=SEED)
    args.update(kw)
    return make_plan(**args)


def significance(**kw):
    args = dict(
        al1=AL1,
        al2=AL2,
        dt=DT,
        dj=DJ,
        s0=S0,
        J=J,
        mc_count=MC,
        seed=SEED,
        progress=False,
        cache=False,
        backend="sequential",
    )
    args.update(kw)
    return wct_significance(**args)


@pytest.fixture(scope="module")
def reference():
    """Histogram and thresholds of the small plan, computed in one piece in-process."""
    plan = small_plan()
    hist = run_chunk(plan, 0, MC)
    return plan, hist, thresholds(plan, hist, 0.95)


def multivariate_plans():
    """A partial coherence plan (red noise) and a multiple one (phase surrogates)."""
    data = [rednoise(128, a, rng=i) for i, a in enumerate((0.5, 0.2, 0.4))]
    return (
        make_multivariate_plan("partial", (0.6, 0.3, 0.5), DT, DJ, S0, J, mc_count=MC, seed=SEED),
        make_multivariate_plan("multiple", None, DT, DJ, S0, 7, mc_count=MC, seed=SEED,
                               surrogate="phase", data=data),
    )  # fmt: skip


def check_multivariate(backend, chunk_size=3):
    """A backend gives each multivariate plan the in-process histogram, bit for bit."""
    for plan in multivariate_plans():
        ref = run_any_chunk(plan, 0, MC)
        np.testing.assert_array_equal(backend.run(plan, split_chunks(MC, chunk_size)), ref)


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the backend registry, restored after the test."""
    monkeypatch.setattr(backends, "_REGISTRY", dict(backends._REGISTRY))
    return backends._REGISTRY


def numpy_as_cupy(device_count):
    """A stand-in ``cupy`` module: numpy arrays, scipy.fft, a CUDA runtime stub."""
    import scipy.fft

    fake = types.ModuleType("cupy")
    fake.__getattr__ = lambda name: getattr(np, name)  # PEP 562: the rest is numpy
    fake.fft = scipy.fft
    fake.asnumpy = np.asarray
    count = device_count if callable(device_count) else lambda: device_count
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=count))
    return fake


class Reversed(MonteCarloBackend):
    """A custom backend: chunks in reverse order, in this process."""

    name = "reversed"
    description = "Chunks last to first."
    capabilities = ("cpu",)

    def _imap(self, plan, chunks, cancel):
        for a, b in reversed(list(chunks)):
            yield (a, b), run_chunk(plan, a, b)


class FluxCapacitor(Reversed):
    name = "flux"

    @classmethod
    def unavailable_reason(cls):
        return "needs a flux capacitor (pip install flux)"


def check_hooks(backend, reference, where):
    """``run(done=, on_chunk=)``: the done chunks are joined, not rerun; ``on_chunk``
    sees each new chunk once with its part and where it ran; progress starts from the
    done pairs and never goes back; the same bits as an uninterrupted run."""
    plan, hist, _ = reference
    chunks = split_chunks(MC, 3)  # (0, 3) (3, 6) (6, 9) (9, 10)
    done = {c: run_chunk(plan, *c) for c in chunks[1:3]}
    todo = [c for c in chunks if c not in done]
    seen, progress = [], []
    got = backend.run(
        plan, todo, progress=lambda d, t: progress.append((d, t)), done=done,
        on_chunk=lambda c, part, w: seen.append((c, part, w)),
    )  # fmt: skip
    np.testing.assert_array_equal(got, hist)
    assert sorted(c for c, _, _ in seen) == todo  # each new chunk once, no done one
    for chunk, part, w in seen:
        np.testing.assert_array_equal(part, run_chunk(plan, *chunk))
        assert w == where
    assert progress[0] == (6, MC) and progress[-1] == (MC, MC)
    assert progress == sorted(progress)
    everything = {c: run_chunk(plan, *c) for c in chunks}
    ran = []
    out = backend.run(plan, [], done=everything, on_chunk=lambda *a: ran.append(a))
    np.testing.assert_array_equal(out, hist)
    assert ran == []
    with pytest.raises(ValueError, match="tile"):  # a done chunk run again
        backend.run(plan, chunks, done={(0, 3): everything[(0, 3)]})
    return seen


class MemoryCheckpoint:
    """A `pycwt_mod.montecarlo.Checkpoint` in a dict, logging every chunk it keeps."""

    def __init__(self):
        self.parts: dict[str, dict] = {}
        self.log: list[tuple] = []

    def kept(self, key):
        return dict(self.parts.get(key, {}))

    def keep(self, key, chunk, part, where):
        self.parts.setdefault(key, {})[chunk] = part
        self.log.append((key, chunk, where))


def cancel_after(polls: int):
    """A cancel check that answers True from its ``polls + 1``-th call on."""
    calls = []
    return lambda: calls.append(1) or len(calls) > polls


class TestListBackends:
    def test_built_in_names(self):
        names = list_backends()
        for name in BUILT_IN:
            assert name in names

    def test_returns_a_copy(self):
        list_backends().append("bogus")
        assert "bogus" not in list_backends()


class TestGetBackend:
    @pytest.mark.parametrize("name", ["sequential", "joblib", "ray"])
    def test_named(self, name):
        backend = get_backend(name)
        assert isinstance(backend, MonteCarloBackend)
        assert backend.name == name

    def test_options(self):
        assert get_backend("sequential", workers=3).options == {"workers": 3}
        assert get_backend("joblib", n_jobs=2).parallelism() == 2

    def test_unknown_lists_the_names(self):
        with pytest.raises(ValueError, match="'warp-drive'") as err:
            get_backend("warp-drive")
        for name in BUILT_IN:
            assert name in str(err.value)

    def test_unavailable_names_the_reason(self, registry):
        register_backend("flux", FluxCapacitor)
        with pytest.raises(BackendUnavailableError, match="needs a flux capacitor"):
            get_backend("flux")
        assert issubclass(BackendUnavailableError, RuntimeError)

    def test_unavailable_is_not_replaced_by_another_backend(self, registry):
        register_backend("flux", FluxCapacitor)
        calls = []
        with pytest.raises(BackendUnavailableError, match="flux"):
            significance(backend="flux", progress_callback=lambda d, t: calls.append(d))
        assert calls == []

    @pytest.mark.parametrize("name", [None, "auto"])
    def test_auto_is_available(self, name):
        backend = get_backend(name)
        assert backend.is_available()
        assert backend.name in backends.AUTO_ORDER

    def test_auto_skips_unavailable_and_ray_not_started(self, registry, monkeypatch):
        import ray

        class NoGPU(FluxCapacitor):
            name = "gpu"

        register_backend("gpu", NoGPU)
        monkeypatch.setattr(ray, "is_initialized", lambda: False)
        assert type(get_backend("auto")) is JoblibBackend
        assert get_backend("auto", n_jobs=1).options == {"n_jobs": 1}

    def test_auto_joins_a_started_ray(self, registry, monkeypatch):
        import ray

        class NoGPU(FluxCapacitor):
            name = "gpu"

        register_backend("gpu", NoGPU)
        monkeypatch.setattr(ray, "is_initialized", lambda: True)
        assert type(get_backend("auto")) is RayBackend

    def test_auto_falls_back_to_sequential(self, registry):
        for name in ("gpu", "ray", "joblib"):
            register_backend(name, type(f"No{name}", (FluxCapacitor,), {"name": name}))
        assert type(get_backend("auto")) is SequentialBackend
        del registry["sequential"]  # even when it was replaced or removed
        assert type(get_backend("auto")) is SequentialBackend

    @pytest.mark.parametrize(
        "name,reason", [("joblib", "pip install joblib"), ("ray", "pip install")]
    )
    def test_missing_package_is_explained(self, monkeypatch, name, reason):
        real = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util, "find_spec", lambda mod, *a: None if mod == name else real(mod, *a)
        )
        with pytest.raises(BackendUnavailableError, match=f"{name} is not installed") as err:
            get_backend(name)
        assert reason in str(err.value)


class TestRegisterBackend:
    @pytest.mark.parametrize("cls", [object, int, SequentialBackend(), "sequential", None])
    def test_rejects_non_backends(self, registry, cls):
        with pytest.raises(TypeError, match="MonteCarloBackend"):
            register_backend("bad", cls)
        assert "bad" not in list_backends()

    def test_custom_backend_gives_identical_thresholds(self, registry, reference):
        register_backend("reversed", Reversed)
        assert "reversed" in list_backends()
        order = []
        sig, info = significance(
            backend="reversed",
            chunk_size=3,
            return_info=True,
            progress_callback=lambda d, t: order.append(d),
        )
        assert info["backend"] == "reversed"
        assert order == [1, 4, 7, 10]  # the last chunk (one pair) finished first
        np.testing.assert_array_equal(sig, reference[2])

    def test_replaces_a_name(self, registry):
        register_backend("sequential", Reversed)
        assert type(get_backend("sequential")) is Reversed


class TestDescribeBackends:
    def test_keys(self):
        described = describe_backends()
        assert [d["name"] for d in described] == list_backends()
        for d in described:
            assert set(d) == DESCRIBE_KEYS
            assert isinstance(d["description"], str) and d["description"]
            assert isinstance(d["capabilities"], list)
            assert d["available"] == (d["reason"] is None)

    def test_unavailable_reason_is_reported(self, registry):
        register_backend("flux", FluxCapacitor)
        (flux,) = [d for d in describe_backends() if d["name"] == "flux"]
        assert flux["available"] is False
        assert "flux capacitor" in flux["reason"]


class TestMonteCarloBackend:
    def test_describe(self):
        assert SequentialBackend.describe() == {
            "name": "sequential",
            "description": SequentialBackend.description,
            "available": True,
            "reason": None,
            "capabilities": list(SequentialBackend.capabilities),
        }
        assert FluxCapacitor.is_available() is False

    def test_abstract(self):
        with pytest.raises(TypeError):
            MonteCarloBackend()

    @pytest.mark.parametrize(
        "chunks",
        [
            [],
            [(0, 5)],  # misses the end
            [(1, 10)],  # misses the start
            [(0, 4), (5, 10)],  # a gap
            [(0, 6), (4, 10)],  # an overlap
            [(0, 5), (0, 5), (5, 10)],  # a chunk twice
            [(0, 5), (5, 12)],  # past mc_count
        ],
    )
    def test_run_rejects_chunks_that_do_not_tile(self, chunks):
        with pytest.raises(ValueError, match="tile"):
            SequentialBackend().run(small_plan(), chunks)

    def test_run_accepts_chunks_in_any_order(self, reference):
        plan, hist, _ = reference
        chunks = split_chunks(MC, 3)[::-1]
        np.testing.assert_array_equal(SequentialBackend().run(plan, chunks), hist)

    def test_cancel_before_the_first_chunk(self):
        with pytest.raises(Cancelled, match="before the first chunk"):
            SequentialBackend().run(small_plan(), [(0, MC)], cancel=lambda: True)

    def test_default_chunk_size(self):
        # About four chunks per worker, between 1 and 50 pairs.
        assert SequentialBackend().default_chunk_size(small_plan(mc_count=300)) == 50
        assert SequentialBackend().default_chunk_size(small_plan(mc_count=40)) == 10
        assert SequentialBackend().default_chunk_size(small_plan(mc_count=1)) == 1
        assert JoblibBackend(n_jobs=5).default_chunk_size(small_plan(mc_count=40)) == 2


class TestCheckpoint:
    def test_memory_checkpoint_is_one(self):
        assert isinstance(MemoryCheckpoint(), Checkpoint)

    def test_run_plan_resumes_from_the_kept_chunks(self, reference):
        plan, hist, _ = reference
        ckpt = MemoryCheckpoint()
        with pytest.raises(Cancelled):  # polled before (0, 3), after it, after (3, 6)
            run_plan(plan, "sequential", 3, checkpoint=ckpt, cancel=cancel_after(2))
        key = checkpoint_key(plan)
        assert ckpt.log == [(key, (0, 3), None), (key, (3, 6), None)]
        progress = []
        out, info = run_plan(  # another chunking: the pairs no kept chunk covers
            plan, "sequential", 4, checkpoint=ckpt,
            progress_callback=lambda d, t: progress.append(d),
        )  # fmt: skip
        np.testing.assert_array_equal(out, hist)
        assert info["kept"] == 6 and ckpt.log[2:] == [(key, (6, 10), None)]
        assert progress == [6, 10]

    def test_key_names_the_plan(self):
        key = checkpoint_key(small_plan())
        assert key == checkpoint_key(small_plan()) and key.startswith("MonteCarloPlan-")
        for other in ({"seed": SEED + 1}, {"mc_count": MC + 1}, {"al1": AL1 + 1e-9}):
            assert checkpoint_key(small_plan(**other)) != key

    def test_areawise_pass_resumes_with_the_same_bits(self):
        # The thresholds pass (3 chunks) and the null patches (a PatchPlan, whose parts
        # are NullPatches) keep their chunks apart; a run stopped after the first chunk
        # of the patches resumes from the kept ones, under another chunking.
        y1, y2 = rednoise(128, 0.5, rng=1), rednoise(128, 0.2, rng=2)
        kw = dict(dj=DJ, s0=S0, J=7, mc_count=6, seed=3, cache=False, backend="sequential")
        ref = areawise_coherence(y1, y2, DT, chunk_size=2, **kw)
        ckpt = MemoryCheckpoint()
        with pytest.raises(Cancelled):
            areawise_coherence(y1, y2, DT, chunk_size=2, checkpoint=ckpt,
                               cancel=cancel_after(4), **kw)  # fmt: skip
        thr_key, patch_key = dict.fromkeys(k for k, _, _ in ckpt.log)  # in order kept
        assert thr_key.startswith("MonteCarloPlan-") and patch_key.startswith("PatchPlan-")
        assert [c for k, c, _ in ckpt.log if k == patch_key] == [(0, 2)]
        got = areawise_coherence(y1, y2, DT, chunk_size=3, checkpoint=ckpt, **kw)
        assert [(k, c) for k, c, _ in ckpt.log[4:]] == [(patch_key, (2, 5)), (patch_key, (5, 6))]
        np.testing.assert_array_equal(got.threshold, ref.threshold)
        np.testing.assert_array_equal(got.pointwise, ref.pointwise)
        np.testing.assert_array_equal(got.areawise, ref.areawise)
        assert got.critical_area == ref.critical_area


class TestSequentialBackend:
    @pytest.mark.parametrize("chunk_size", [1, 3, 7, MC])
    def test_reproducible(self, reference, chunk_size):
        plan, hist, sig = reference
        np.testing.assert_array_equal(
            SequentialBackend().run(plan, split_chunks(MC, chunk_size)), hist
        )
        np.testing.assert_array_equal(significance(chunk_size=chunk_size), sig)

    def test_done_and_on_chunk(self, reference):
        check_hooks(SequentialBackend(), reference, where=None)

    def test_fft_threads(self, reference):
        plan, hist, _ = reference
        np.testing.assert_array_equal(SequentialBackend(workers=2).run(plan, [(0, MC)]), hist)

    def test_blas_threads_do_not_change_the_histogram(self):
        # Worker processes of joblib and Ray run BLAS single-threaded, this process
        # with all cores; float32 BLAS products round differently with the thread
        # count, so the kernel must not depend on one (benchmark grid, 3 pairs).
        code = (
            "import numpy as np, sys; from pycwt_mod.montecarlo import make_plan, run_chunk; "
            "p = make_plan(0.72, 0.72, 1.0, 1 / 12, 2.0, 108, mc_count=3, seed=2024); "
            "np.save(sys.argv[1], run_chunk(p, 0, 3))"
        )
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "hist.npy")
            subprocess.run([sys.executable, "-c", code, out], env=env, check=True)
            single = np.load(out)
        # This side with several BLAS threads, whatever the machine or CI sets.
        threadpoolctl = pytest.importorskip("threadpoolctl")  # a test dependency
        plan = make_plan(0.72, 0.72, 1.0, 1 / 12, 2.0, 108, mc_count=3, seed=2024)
        with threadpoolctl.threadpool_limits(limits=4, user_api="blas"):
            blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
            assert blas and all(i["num_threads"] == 4 for i in blas), blas
            several = run_chunk(plan, 0, 3)
        np.testing.assert_array_equal(several, single)


class TestJoblibBackend:
    def test_parallelism(self):
        assert JoblibBackend().parallelism() == (os.cpu_count() or 1)
        assert JoblibBackend(n_jobs=3).parallelism() == 3

    def test_negative_n_jobs_follow_joblib(self, monkeypatch):
        monkeypatch.setattr("os.cpu_count", lambda: 8)
        assert JoblibBackend(n_jobs=-1).parallelism() == 8
        assert JoblibBackend(n_jobs=-2).parallelism() == 7
        assert JoblibBackend(n_jobs=-20).parallelism() == 1
        assert JoblibBackend.describe()["available"] is True

    def test_reproducible(self, reference):
        plan, hist, sig = reference
        backend = get_backend("joblib", n_jobs=2)
        for chunk_size in (1, 3, 7, MC):
            done = []
            got = backend.run(
                plan,
                split_chunks(MC, chunk_size),
                progress=lambda d, t, done=done: done.append((d, t)),
            )
            np.testing.assert_array_equal(got, hist)
            assert [d for d, _ in done] == sorted(d for d, _ in done)
            assert done[-1] == (MC, MC)
        np.testing.assert_array_equal(significance(backend=backend, chunk_size=3), sig)
        assert not np.array_equal(significance(backend=backend, seed=SEED + 1), sig)

    def test_done_and_on_chunk(self, reference):
        check_hooks(get_backend("joblib", n_jobs=2), reference, where=None)

    def test_multivariate_plans_same_bits(self):
        check_multivariate(get_backend("joblib", n_jobs=2))

    @pytest.mark.filterwarnings("ignore:.*tasks.*:UserWarning")  # joblib on abort
    def test_cancel(self):
        # Last joblib test: abandoning the generator tears down the worker pool.
        polls = []

        def cancel():
            polls.append(1)
            return len(polls) > 1  # after the first finished chunk

        done = []
        with pytest.raises(Cancelled):
            significance(
                backend=get_backend("joblib", n_jobs=2),
                chunk_size=2,
                cancel=cancel,
                progress_callback=lambda d, t: done.append(d),
            )
        assert len(polls) == 2
        assert done == [2]


@pytest.mark.usefixtures("ray_cluster")
class TestRayBackend:
    def test_describe(self):
        d = RayBackend.describe()
        assert d["available"] is True
        assert {"cpu", "gpu", "retries", "cancel"} <= set(d["capabilities"])

    def test_reproducible(self, reference):
        plan, hist, sig = reference
        backend = get_backend("ray")
        assert backend.parallelism() == 2
        for chunk_size in (1, 3, 7, MC):
            done = []
            got = backend.run(
                plan, split_chunks(MC, chunk_size), progress=lambda d, t, done=done: done.append(d)
            )
            np.testing.assert_array_equal(got, hist)
            assert done == sorted(done) and done[-1] == MC
        sig_ray, info = significance(backend="ray", return_info=True)
        assert info["backend"] == "ray"
        np.testing.assert_array_equal(sig_ray, sig)
        assert not np.array_equal(significance(backend="ray", seed=SEED + 1), sig)

    def test_done_and_on_chunk_report_the_node(self, ray_cluster, reference):
        node = ray_cluster.get_runtime_context().get_node_id()  # the only node
        seen = check_hooks(get_backend("ray"), reference, where=node)
        assert len(seen) == 2

    def test_gpu_check_runs_in_the_task(self, ray_cluster, monkeypatch, reference):
        # A logical GPU without a usable device: the task says which node it ran on
        # and why, as a value (a retry on that node would not help).
        plan = reference[0]
        monkeypatch.setattr(ray_backend, "gpu_unavailable_reason", lambda: "no CUDA device")
        monkeypatch.setattr(ray_cluster, "get_gpu_ids", lambda: [0])
        part, node, error = ray_backend._ray_chunk(plan, 0, 2, True)
        assert part is None and node == ray_cluster.get_runtime_context().get_node_id()
        assert error == (
            f"chunk [0, 2) was placed on Ray node {node} (GPU ids [0]), which cannot run "
            "the GPU kernel: no CUDA device"
        )

    def test_a_chunk_that_cannot_run_fails_the_run(self, ray_cluster, monkeypatch):
        def refuses(plan, a, b, use_gpu):
            return None, "node-x", f"chunk [{a}, {b}) cannot run on node-x"

        monkeypatch.setattr(ray_backend, "_ray_chunk", refuses)
        with pytest.raises(BackendUnavailableError, match=r"cannot run on node-x"):
            get_backend("ray").run(small_plan(), split_chunks(MC, 5))

    def test_defer_cancel_leaves_the_leftovers_to_the_caller(self, ray_cluster, monkeypatch):
        cancelled = self._spy_cancel(ray_cluster, monkeypatch)
        backend = self._pending_backend(ray_cluster, defer_cancel=True)
        with pytest.raises(Cancelled):
            backend.run(small_plan(), split_chunks(MC, 5), cancel=cancel_after(2))
        assert cancelled == []  # nothing cancelled on the way out
        backend.cancel_leftovers()
        assert len(cancelled) == 2
        backend.cancel_leftovers()
        assert len(cancelled) == 2  # once

    def test_surrogate_families_and_areawise_same_bits(self):
        # Phase surrogates through the coherence kernel, and both areawise passes
        # (power histogram, null patches) through the field kernel, as Ray tasks.
        y1 = rednoise(128, 0.5, rng=1)
        y2 = rednoise(128, 0.2, rng=2)
        kw = dict(mc_count=6, seed=3, progress=False, cache=False, surrogate="phase")
        J7 = 7
        seq = wct_significance(0, 0, DT, DJ, S0, J7, data=(y1, y2), backend="sequential", **kw)
        ray_sig = wct_significance(
            0, 0, DT, DJ, S0, J7, data=(y1, y2), backend="ray", chunk_size=2, **kw
        )
        np.testing.assert_array_equal(ray_sig, seq)
        aw = dict(dj=DJ, s0=S0, J=J7, surrogate="iaaft", mc_count=6, seed=3, cache=False)
        a = areawise_power(y1, DT, backend="sequential", **aw)
        b = areawise_power(y1, DT, backend="ray", chunk_size=2, **aw)
        np.testing.assert_array_equal(b.threshold, a.threshold)
        np.testing.assert_array_equal(b.areawise, a.areawise)
        assert b.critical_area == a.critical_area

    def test_multivariate_plans_same_bits(self):
        # Partial and multiple coherence plans (pickled to the tasks) as Ray tasks.
        check_multivariate(get_backend("ray"), chunk_size=4)

    def test_joins_ray_when_not_initialised(self, ray_cluster, monkeypatch, reference):
        # Before Ray is up the default chunk size assumes 4 workers, and the run calls
        # ray.init with the ``address`` option once its head answers (here a spy on
        # ray.init, and the fixture's head as the address; the fixture's Ray serves).
        plan, hist, _ = reference
        head = ray_cluster.get_runtime_context().gcs_address
        inits, answers = [], [False, False]  # parallelism(), then the run; then the truth
        real = ray_cluster.is_initialized
        monkeypatch.setattr(
            ray_cluster, "is_initialized", lambda: answers.pop(0) if answers else real()
        )
        monkeypatch.setattr(ray_cluster, "init", lambda **kw: inits.append(kw))
        backend = get_backend("ray", address=head)
        assert backend.parallelism() == 4
        np.testing.assert_array_equal(backend.run(plan, [(0, MC)]), hist)
        assert inits == [{"address": head}]

    def test_use_gpu_without_gpus_fails_fast(self, ray_cluster, monkeypatch):
        if ray_cluster.cluster_resources().get("GPU", 0) >= 1:  # a cluster we did not start
            monkeypatch.setattr(ray_cluster, "cluster_resources", lambda: {"CPU": 2.0})
        backend = get_backend("ray", use_gpu=True)
        puts = []
        real_put = ray_cluster.put
        monkeypatch.setattr(ray_cluster, "put", lambda *a, **k: puts.append(1) or real_put(*a, **k))
        with pytest.raises(BackendUnavailableError, match="no GPU"):
            backend.run(small_plan(), [(0, MC)])
        assert puts == []  # refused before anything was sent: no task can be left pending

    def _pending_backend(self, ray_cluster, **options):
        """Chunks that cannot be scheduled: one CPU more per task than the cluster has."""
        cpus = ray_cluster.cluster_resources()["CPU"] + 1
        return get_backend("ray", num_cpus=cpus, poll_s=0.05, **options)

    def _spy_cancel(self, ray_cluster, monkeypatch):
        cancelled = []
        real = ray_cluster.cancel

        def spy(ref, **kw):
            cancelled.append(ref)
            return real(ref, **kw)

        monkeypatch.setattr(ray_cluster, "cancel", spy)
        return cancelled

    def test_timeout(self, ray_cluster, monkeypatch):
        cancelled = self._spy_cancel(ray_cluster, monkeypatch)
        backend = self._pending_backend(ray_cluster, timeout_s=0.2)
        with pytest.raises(TimeoutError, match=r"within 0\.2 s"):
            backend.run(small_plan(), split_chunks(MC, 5))
        assert len(cancelled) == 2  # both pending chunks were cancelled

    def test_cancel_while_running(self, ray_cluster, monkeypatch):
        cancelled = self._spy_cancel(ray_cluster, monkeypatch)
        polls = []

        def cancel():
            polls.append(1)
            return len(polls) > 3  # run.start, then two polls of the waiting loop

        with pytest.raises(Cancelled, match="while chunks were running"):
            self._pending_backend(ray_cluster).run(small_plan(), split_chunks(MC, 4), cancel=cancel)
        assert len(polls) == 4
        assert len(cancelled) == 3

    @staticmethod
    def _flaky(marker_dir):
        """A chunk task that fails the first time it runs each chunk (by value in Ray)."""

        def flaky(plan, a, b, use_gpu):
            import pathlib

            from pycwt_mod.montecarlo import run_chunk

            marker = pathlib.Path(marker_dir) / f"chunk-{a}"
            if not marker.exists():
                marker.touch()
                raise RuntimeError(f"transient failure of chunk {a}")
            return run_chunk(plan, a, b), "node", None

        return flaky

    def test_failed_chunk_is_retried(self, reference, monkeypatch, tmp_path):
        plan, hist, _ = reference
        monkeypatch.setattr(ray_backend, "_ray_chunk", self._flaky(str(tmp_path)))
        got = get_backend("ray", max_retries=1).run(plan, split_chunks(MC, 5))
        np.testing.assert_array_equal(got, hist)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["chunk-0", "chunk-5"]

    def test_failure_without_retries_surfaces(self, monkeypatch, tmp_path):
        monkeypatch.setattr(ray_backend, "_ray_chunk", self._flaky(str(tmp_path)))
        with pytest.raises(RuntimeError, match="transient failure"):
            get_backend("ray", max_retries=0).run(small_plan(), split_chunks(MC, 5))


class TestGPUBackend:
    def test_availability_is_explained(self):
        reason = gpu_module.gpu_unavailable_reason()
        if HAS_GPU:
            assert reason is None
            assert isinstance(get_backend("gpu"), GPUBackend)
        else:
            assert reason
            with pytest.raises(BackendUnavailableError, match="'gpu' is unavailable") as err:
                get_backend("gpu")
            assert reason in str(err.value)
            assert GPUBackend.describe()["reason"] == reason

    def test_without_cupy(self, monkeypatch):
        real = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util, "find_spec", lambda name, *a: None if name == "cupy" else real(name, *a)
        )
        with pytest.raises(BackendUnavailableError, match="cupy is not installed"):
            get_backend("gpu")

    @pytest.mark.parametrize(
        "count,message",
        [(0, "no CUDA device is visible"), (RuntimeError("no driver"), "no driver")],
    )
    def test_without_device(self, monkeypatch, count, message):
        def get_device_count():
            if isinstance(count, Exception):
                raise count
            return count

        fake = numpy_as_cupy(device_count=get_device_count)
        monkeypatch.setitem(sys.modules, "cupy", fake)
        real = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util,
            "find_spec",
            lambda name, *a: object() if name == "cupy" else real(name, *a),
        )
        assert message in gpu_module.gpu_unavailable_reason()
        with pytest.raises(BackendUnavailableError, match=message):
            get_backend("gpu")

    def test_runs_the_kernel_on_the_array_module(self, monkeypatch, reference):
        # The backend hands run_chunk the cupy module; with a stand-in cupy that is
        # numpy underneath (scipy.fft for cupy.fft, asnumpy), the array-module-generic
        # path must give the numpy histogram exactly. Runs everywhere.
        plan, hist, sig = reference
        fake = numpy_as_cupy(device_count=1)
        monkeypatch.setitem(sys.modules, "cupy", fake)
        real = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util,
            "find_spec",
            lambda name, *a: object() if name == "cupy" else real(name, *a),
        )
        assert gpu_module.gpu_unavailable_reason() is None
        backend = get_backend("gpu", batch_bytes=1)
        np.testing.assert_array_equal(backend.run(plan, split_chunks(MC, 3)), hist)
        np.testing.assert_array_equal(run_chunk(plan, 0, MC, xp=fake), hist)
        np.testing.assert_array_equal(significance(backend="gpu"), sig)

    @pytest.mark.parametrize("estimator", ["multirate", "full"])
    @pytest.mark.parametrize("precision", ["float32", "float64"])
    @pytest.mark.parametrize("wavelet", ["morlet", "paul"])
    def test_array_module_path_is_bit_identical_on_numpy(self, estimator, precision, wavelet):
        # With an array module other than numpy the kernel smooths in scale with
        # whole-array cumulative sums and gathers (few kernel launches on a GPU);
        # with numpy standing in it must give the numpy path's histogram exactly,
        # on a grid with several groups and boxcar edges inside and at the grid ends.
        plan = make_plan(AL1, AL2, 1.0, 0.25, 2.0, 32, wavelet=wavelet, mc_count=3, seed=4,
                         estimator=estimator, precision=precision)  # fmt: skip
        fake = numpy_as_cupy(device_count=1)
        np.testing.assert_array_equal(run_chunk(plan, 0, 3, xp=fake), run_chunk(plan, 0, 3))

    def test_data_driven_family_on_the_array_module_path(self):
        # Phase surrogates are drawn on the host like red noise; the cupy path (numpy
        # standing in) gives the numpy histogram exactly.
        data = (rednoise(200, 0.5, rng=1), rednoise(200, 0.2, rng=2))
        plan = make_plan(0, 0, 1.0, 0.25, 2.0, 20, mc_count=3, seed=4, surrogate="phase", data=data)
        fake = numpy_as_cupy(device_count=1)
        np.testing.assert_array_equal(run_chunk(plan, 0, 3, xp=fake), run_chunk(plan, 0, 3))

    def test_multivariate_kernel_on_the_array_module(self):
        # The partial and multiple coherence kernel with numpy standing in for cupy
        # (the gather path of the boxcar in scale): the numpy histogram exactly.
        fake = numpy_as_cupy(device_count=1)
        for plan in multivariate_plans():
            np.testing.assert_array_equal(
                run_any_chunk(plan, 0, MC, xp=fake), run_any_chunk(plan, 0, MC)
            )

    @pytest.mark.gpu
    @pytest.mark.skipif(not HAS_GPU, reason="cupy and an NVIDIA GPU are required")
    def test_multivariate_thresholds_on_gpu(self):
        # Same draws on the host; cuFFT rounds differently: within a few bins.
        kw = dict(mc_count=MC, seed=SEED, progress=False, cache=False)
        args = ("partial", (0.6, 0.3, 0.5), DT, DJ, S0, J)
        cpu = multivariate_significance(*args, backend="sequential", **kw)
        gpu = multivariate_significance(*args, backend="gpu", **kw)
        np.testing.assert_allclose(gpu, cpu, rtol=0, atol=5e-3)

    @pytest.mark.gpu
    @pytest.mark.skipif(not HAS_GPU, reason="cupy and an NVIDIA GPU are required")
    def test_surrogate_families_and_areawise_on_gpu(self):
        # The coherence kernel runs phase surrogates on the device (within a bin or
        # so of the CPU, as for red noise); the areawise passes run on the host
        # whichever backend is named, so they match the CPU bit for bit.
        y1, y2 = rednoise(512, 0.5, rng=1), rednoise(512, 0.2, rng=2)
        kw = dict(
            mc_count=20, seed=3, progress=False, cache=False, surrogate="phase", data=(y1, y2)
        )
        cpu = wct_significance(0, 0, 1.0, 0.25, 2.0, 24, backend="sequential", **kw)
        gpu = wct_significance(0, 0, 1.0, 0.25, 2.0, 24, backend="gpu", **kw)
        np.testing.assert_allclose(gpu, cpu, rtol=0, atol=5e-3)
        aw = dict(dj=0.25, s0=2.0, surrogate="phase", mc_count=8, seed=3, cache=False)
        a = areawise_power(y1, 1.0, backend="sequential", **aw)
        b = areawise_power(y1, 1.0, backend="gpu", **aw)
        np.testing.assert_array_equal(b.areawise, a.areawise)

    def test_default_chunk_size(self):
        assert GPUBackend().default_chunk_size(small_plan(mc_count=300)) == 100
        assert GPUBackend().default_chunk_size(small_plan(mc_count=7)) == 7

    @pytest.mark.gpu
    @pytest.mark.skipif(not HAS_GPU, reason="cupy and an NVIDIA GPU are required")
    @pytest.mark.parametrize("precision,moved", [("float64", 0.002), ("float32", 0.01)])
    def test_matches_sequential(self, precision, moved):
        # Same draws (noise is generated on the host); cuFFT and scipy.fft round
        # differently, so a coherence value on a bin edge may move by one bin: rarely
        # in float64, up to about 1% of the counts in float32 (relative rounding
        # near 1e-6 against 1000 bins); the thresholds agree within a few bins, far
        # inside their Monte Carlo error.
        plan = small_plan(precision=precision)
        hist = run_chunk(plan, 0, MC)
        got = get_backend("gpu").run(plan, split_chunks(MC, 3))
        np.testing.assert_array_equal(got.sum(axis=1), hist.sum(axis=1))
        assert np.abs(got - hist).sum() <= moved * hist.sum()
        sig = thresholds(plan, hist, 0.95)
        gpu = significance(backend="gpu", precision=precision)
        np.testing.assert_allclose(gpu, sig, rtol=0, atol=5e-3)
