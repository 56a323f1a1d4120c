"""Fixtures for the library tests: the pycwt oracle, seeded generators, real data.

Only library fixtures live here; the service tests keep theirs in ``tests/serve/``.
"""

from __future__ import annotations

import importlib.metadata
import os
import warnings

import numpy as np
import pytest


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
