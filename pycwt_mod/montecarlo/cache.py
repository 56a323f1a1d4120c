"""On-disk cache of Monte Carlo coherence thresholds.

A cache entry is keyed by every parameter that changes the thresholds: the AR(1)
pair rounded to ``AR1_DECIMALS`` decimals, the scale grid relative to ``dt``
(``s0 / dt``, ``dj``, ``J``: the thresholds do not depend on ``dt`` otherwise), the
wavelet and its parameter, the significance level, ``mc_count``, the seed (or
"unseeded"), ``nbins``, the kernel's estimator and precision, and for the
data-driven surrogate families their name and the SHA-256 of the data (``_VERSION``
changes whenever the kernel's numbers do, so stale thresholds are never served).
Within that rounding of the AR(1) pair the thresholds move far less than their
Monte Carlo error (about 1e-3 at mc_count=300).

Entries are ``.npz`` files named by the SHA-256 of the key; the key is stored
inside and checked on load, as are the array's shape and dtype, so a corrupt,
truncated or mismatched file is ignored (and overwritten), never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import platformdirs

from .observed import data_hash

__all__ = ["AR1_DECIMALS", "ThresholdCache", "default_cache_dir"]

AR1_DECIMALS = 4
_VERSION = 2  # 2: estimator and precision of the kernel


def _wavelet_id(wavelet) -> str:
    """The class name of a wavelet; module-qualified for a wrapped foreign one.

    A wrapped (duck-typed) wavelet is a ``_Foreign`` whatever it wraps, so its own
    class must be named, or pycwt's Morlet(6) and DOG(6) would share entries.
    """
    inner = getattr(wavelet, "wrapped", None)
    if inner is None:
        return type(wavelet).__name__
    return f"{type(inner).__module__}.{type(inner).__qualname__}"


def _grid_key(plan) -> dict:
    """The scale grid relative to ``dt`` and the wavelet, as every key names them."""
    return {
        "s0_over_dt": float(np.round(plan.s0 / plan.dt, 12)),
        "dj": float(plan.dj),
        "J": int(plan.J),
        "wavelet": _wavelet_id(plan.wavelet),
        "param": getattr(plan.wavelet, "param", None),
    }


def default_cache_dir() -> Path:
    """``$PYCWT_MOD_CACHE_DIR`` if set, else the platform's user cache directory.

    That is `platformdirs.user_cache_dir` of ``pycwt_mod``: ``~/.cache/pycwt_mod``
    on Linux (``$XDG_CACHE_HOME/pycwt_mod`` when set), ``~/Library/Caches/pycwt_mod``
    on macOS, ``%LOCALAPPDATA%\\pycwt_mod\\Cache`` on Windows.
    """
    env = os.environ.get("PYCWT_MOD_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("pycwt_mod", appauthor=False))


class ThresholdCache:
    """Directory of cached threshold arrays.

    Parameters
    ----------
    directory : str or Path, optional
        Default `default_cache_dir`.
    """

    def __init__(self, directory=None):
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    @staticmethod
    def key(plan, significance_level: float, seeded: bool = True) -> dict:
        """The cache key of a plan (a JSON-serialisable dict)."""
        key = {
            "version": _VERSION,
            "al1": round(float(plan.al1), AR1_DECIMALS),
            "al2": round(float(plan.al2), AR1_DECIMALS),
            **_grid_key(plan),
            "level": float(significance_level),
            "mc_count": int(plan.mc_count),
            "seed": int(plan.seed) if seeded else "unseeded",
            "nbins": int(plan.nbins),
            "estimator": str(plan.estimator),
            "precision": str(plan.precision),
        }
        if getattr(plan, "data", None) is not None:  # AR(1) keys stay as they were
            key["surrogate"] = str(plan.surrogate)
            key["data"] = plan.data.digest
        return key

    @staticmethod
    def multivariate_key(plan, significance_level: float, seeded: bool = True) -> dict:
        """The cache key of a partial or multiple coherence plan (`MultivariatePlan`).

        As `key`, with the coherence's kind and every series' AR(1) coefficient
        (rounded to `AR1_DECIMALS`) instead of the pair's.
        """
        key = {
            "version": _VERSION,
            "kind": str(plan.kind),
            "al": [round(float(a), AR1_DECIMALS) for a in plan.al],
            **_grid_key(plan),
            "level": float(significance_level),
            "mc_count": int(plan.mc_count),
            "seed": int(plan.seed) if seeded else "unseeded",
            "nbins": int(plan.nbins),
            "estimator": str(plan.estimator),
            "precision": str(plan.precision),
        }
        if plan.data is not None:
            key["surrogate"] = str(plan.surrogate)
            key["data"] = plan.data.digest
        return key

    @staticmethod
    def field_key(plan, kind: str) -> dict:
        """The cache key of a field plan (`pycwt_mod.areawise.kernel`), for ``kind``.

        Every field of the plan that changes the result: the grid relative to
        ``dt``, the wavelet, the family, the data's SHA-256, the AR(1)
        coefficients, ``mc_count`` and the seed, the histogram's bins of a power
        plan, and the field, measure, test and the thresholds' SHA-256 of a patch
        plan. The caller adds its own choices (levels, areawise level).
        """
        key = {
            "version": _VERSION,
            "kind": kind,
            **_grid_key(plan),
            "surrogate": str(plan.surrogate),
            "data": plan.data.digest,
            "al": [round(float(a), 12) for a in plan.al],
            "mc_count": int(plan.mc_count),
            "seed": int(plan.seed),
        }
        for name in ("field", "measure", "test", "nbins"):
            if hasattr(plan, name):
                key[name] = getattr(plan, name)
        if hasattr(plan, "thresholds"):
            key["thresholds"] = data_hash(np.asarray(plan.thresholds, dtype=np.float64))
        return key

    def path(self, key: dict) -> Path:
        text = json.dumps(key, sort_keys=True)
        return self.directory / f"wct_sig_{hashlib.sha256(text.encode()).hexdigest()[:32]}.npz"

    def load(self, key: dict, n_scales: int) -> tuple[np.ndarray, int] | None:
        """Thresholds and the seed that produced them, or None if absent or invalid."""
        path = self.path(key)
        try:
            with np.load(path, allow_pickle=False) as data:
                stored_key = json.loads(str(data["key"]))
                sig = np.array(data["sig"])
                seed = int(str(data["seed"]))  # a string: seeds may exceed int64
        except Exception:  # unreadable in any way (zlib.error, NotImplementedError, ...)
            return None
        if stored_key != key or sig.shape != (n_scales,) or sig.dtype != np.float64:
            return None
        return sig, seed

    def save(self, key: dict, sig: np.ndarray, seed: int) -> None:
        """Write an entry atomically (temporary file, then rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path(key)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                # The seed as text: fresh entropy is a 128-bit int, which numpy would
                # store as a pickled object array that load (allow_pickle=False) rejects.
                np.savez(fh, key=json.dumps(key, sort_keys=True), sig=sig, seed=str(int(seed)))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
