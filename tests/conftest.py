"""Fixtures of the whole suite: private caches and Ray temp files, the one Ray cluster
of the run, the pycwt oracle, seeded generators, real data.

The service's own fixtures (the Serve app, its clients) are in ``tests/serve_app/``; they
run on the ``ray_cluster`` of this file, the only Ray cluster a test run starts in
this process. Tests that must own a cluster (a crash of the whole service, two nodes,
``ray start`` + ``ray job submit``) start it in other processes with their own
``--temp-dir`` and remove it themselves.
"""

from __future__ import annotations

import importlib.metadata
import os
import secrets
import shutil
import signal
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from serve_app.cluster import close_cluster  # os and sys only: no Ray yet

# The run's cluster is as closed as the service's (serve_app.cluster): Ray's ports on
# loopback, token authentication with a token of this run (never ~/.ray/auth_token).
# Set before Ray is imported; the processes of Ray started here inherit them.
os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
close_cluster(loopback=True, token_auth=True)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def private_threshold_cache(tmp_path_factory):
    """Every test writes Monte Carlo caches under a fresh folder, never ``~/.cache``.

    Set before any Ray or Serve process starts, so they inherit it; a test that
    wants its own folder still passes ``cache_dir`` or sets the variable.
    """
    saved = os.environ.get("PYCWT_MOD_CACHE_DIR")
    os.environ["PYCWT_MOD_CACHE_DIR"] = str(tmp_path_factory.mktemp("pycwt_mod_cache"))
    yield
    if saved is None:
        os.environ.pop("PYCWT_MOD_CACHE_DIR", None)
    else:
        os.environ["PYCWT_MOD_CACHE_DIR"] = saved


def _pids_with(marker: str) -> list[int]:
    """Processes (not this one) whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(int(entry.name))
    return found


def _with_descendants(pids: list[int]) -> set[int]:
    """``pids`` and every live descendant (Ray workers rename themselves, so they are
    found as children of the daemons that carry the marker)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # "pid (comm) state ppid ...": comm may hold spaces, split after ')'
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found and pid != os.getpid():
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _describe(pid: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        cmdline = "?"
    return f"{pid} {cmdline[:120]}"


def _reap(pids: set[int], grace: float) -> list[str]:
    """Give ``pids`` ``grace`` seconds to exit, then SIGKILL the others and wait for
    them to go; returns the killed ones (pid and command line)."""
    deadline = time.monotonic() + grace
    while (left := sorted(p for p in pids if _alive(p))) and time.monotonic() < deadline:
        time.sleep(0.1)
    killed = [_describe(pid) for pid in left]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    while left := [p for p in left if _alive(p)]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes survive SIGKILL: {left}")
        time.sleep(0.1)
    return killed


#: Ray's current-cluster file outside this run (``ray start`` writes it; a killed
#: cluster leaves it behind and a later ``ray.init()`` waits for that dead head).
DEFAULT_CLUSTER_FILE = Path("/tmp/ray/ray_current_cluster")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


@pytest.fixture(scope="session", autouse=True)
def private_ray_temp_dir():
    """Ray's default temp root for this run (``RAY_TMPDIR``), removed at the end.

    Whatever Ray starts without a ``--temp-dir`` of its own (the session cluster,
    ``ray start`` in a test, a library call that starts Ray) keeps its session files
    and its ``ray_current_cluster`` file here rather than in ``/tmp/ray``. Short, for
    Ray's socket paths (107 bytes at most). A process still carrying the folder on its
    command line at the end is killed and fails the run, and so does a run that
    changed ``/tmp/ray/ray_current_cluster`` (put back as it was).
    """
    before = _read(DEFAULT_CLUSTER_FILE)
    path = tempfile.mkdtemp(prefix="pcwt-ray-", dir="/tmp")
    saved = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = path
    yield path
    if saved is None:
        os.environ.pop("RAY_TMPDIR", None)
    else:
        os.environ["RAY_TMPDIR"] = saved
    # Ray started here and never shut down (e.g. a library call that started its own)
    leaked = _reap(_with_descendants(_pids_with(path)), grace=10)
    shutil.rmtree(path, ignore_errors=True)
    after = _read(DEFAULT_CLUSTER_FILE)
    if after != before:  # put back, so no later Ray user waits for a dead head
        if before is None:
            DEFAULT_CLUSTER_FILE.unlink(missing_ok=True)
        else:
            DEFAULT_CLUSTER_FILE.write_text(before)
    assert not leaked, f"a test left a Ray cluster running (killed now): {leaked}"
    assert after == before, (
        f"a test wrote {DEFAULT_CLUSTER_FILE} ({after!r}; put back to {before!r}): start "
        "clusters with a --temp-dir of their own"
    )


@pytest.fixture(scope="session")
def ray_cluster(private_ray_temp_dir):
    """The test run's one local Ray cluster: 2 CPUs, no GPU, no dashboard, its own temp
    dir, closed like the service's (loopback, token: test_closed_cluster.py); started
    on first use, shut down at the end of the run, with nothing left.

    Its workers get this checkout on ``PYTHONPATH``, so they import the same
    ``pycwt_mod``/``serve_app`` as the tests (test_workers.py). A Ray the process
    already joined is used as it is and left running. Skipped where Ray is not
    installed (a bare GPU box running bench/gpu_check.sh).
    """
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install '.[serve]')")
    if ray.is_initialized():
        yield ray
        return
    temp_dir = os.path.join(private_ray_temp_dir, "c")
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(ROOT)) if p)
    kwargs = dict(
        address="local",
        num_cpus=2,
        num_gpus=0,
        include_dashboard=False,
        runtime_env={"env_vars": {"PYTHONPATH": path}},
        log_to_driver=False,
        _temp_dir=temp_dir,
    )
    saved = os.environ.get("RAY_USAGE_STATS_ENABLED")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # nothing to report, no network
    try:
        try:
            ray.init(**kwargs)
        except Exception as exc:  # Ray waits a fixed 30 s for its raylet; retry once
            if "timed out during startup" not in str(exc):
                raise
            ray.shutdown()
            ray.init(**kwargs)
    finally:
        if saved is None:
            os.environ.pop("RAY_USAGE_STATS_ENABLED", None)
        else:
            os.environ["RAY_USAGE_STATS_ENABLED"] = saved
    yield ray
    # the daemons carry the temp dir on their command line; workers are their children
    processes = _with_descendants(_pids_with(temp_dir))
    ray.shutdown()  # Serve included: tests/serve shuts its apps down before this
    # Workers exit by themselves once the raylet is gone, slowly on a loaded machine:
    # the stragglers are killed (never left behind), with a warning naming them.
    killed = _reap(processes, grace=15)
    shutil.rmtree(temp_dir, ignore_errors=True)
    if killed:
        warnings.warn(f"Ray processes killed 15 s after ray.shutdown(): {killed}", stacklevel=1)


@pytest.fixture(scope="session")
def pycwt():
    """The reference implementation, pycwt 0.5.0b0 (a test-only dependency)."""
    with warnings.catch_warnings():
        # pycwt 0.5 imports scipy.special.orthogonal, deprecated in SciPy 1.x.
        warnings.simplefilter("ignore", DeprecationWarning)
        module = pytest.importorskip("pycwt")
    version = importlib.metadata.version("pycwt")  # pycwt.__version__ is a dev string
    if version != "0.5.0b0":
        pytest.skip(f"parity tests are pinned to pycwt 0.5.0b0 (found {version})")
    return module


@pytest.fixture
def rng():
    """A fresh generator with a fixed seed, so every test sees the same numbers."""
    return np.random.default_rng(20240611)


@pytest.fixture(scope="session")
def sunspots():
    """Yearly sunspot activity 1700-2008 (309 samples, dt = 1 year), from statsmodels."""
    datasets = pytest.importorskip("statsmodels.datasets")
    return datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=float)


@pytest.fixture(scope="session")
def elnino():
    """Monthly Nino 3 sea surface temperature 1950-2010 (732 samples, dt = 1/12 year)."""
    datasets = pytest.importorskip("statsmodels.datasets")
    data = datasets.elnino.load_pandas().data
    return data.drop(columns="YEAR").to_numpy(dtype=float).ravel()
