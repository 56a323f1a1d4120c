"""The observed series of a Monte Carlo test: its random streams and its identity.

Seeding follows the coherence engine (`pycwt_mod.montecarlo.plan`): surrogate (or
pair) ``k`` draws from its own stream, `surrogate_rng` ``(seed, k)``, so surrogates
``start..start+count-1`` are the same whether they are made at once or in chunks.
The data-driven families (`pycwt_mod.montecarlo.surrogates`) depend on the observed
series, so a cache of thresholds built from them must key on the data: `data_hash`;
`ObservedSeries` carries the standardised series and that hash to the processes
that run the chunks.
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import as_series

__all__ = ["ObservedSeries", "data_hash", "resolve_seed", "surrogate_rng"]

#: Root seeds drawn from a Generator are below this (53 bits: exact in JSON numbers).
SEED_BOUND = 2**53


def surrogate_rng(seed: int, k: int) -> np.random.Generator:
    """The random stream of surrogate (or surrogate pair) ``k`` for root ``seed``.

    ``np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))``, the
    convention of the coherence engine.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(k),)))


def resolve_seed(seed: int | None, rng=None, default: int | None = None) -> int | None:
    """The root seed of a Monte Carlo entry point from its ``seed=`` or ``rng=`` (SPEC 7).

    Parameters
    ----------
    seed : int or None
        The root seed as given (None: not given).
    rng : int, numpy.random.Generator or None
        An int is the root seed itself. A Generator draws the root seed (one
        integer below `SEED_BOUND`), so the same Generator state gives the same
        numbers, and the Generator moves on, as any of its draws would.
    default : int or None
        The root seed when neither is given (None: fresh entropy, the engine's).

    Returns
    -------
    int or None

    Raises
    ------
    ValueError
        When both ``seed`` and ``rng`` are given.
    TypeError
        When ``rng`` is neither an int nor a Generator.

    Examples
    --------
    >>> resolve_seed(None, 7), resolve_seed(3), resolve_seed(None, None, default=0)
    (7, 3, 0)
    >>> a = resolve_seed(None, np.random.default_rng(1))
    >>> a == resolve_seed(None, np.random.default_rng(1))
    True
    """
    if rng is None:
        return default if seed is None else seed
    if seed is not None:
        raise ValueError(f"give `seed` or `rng`, not both (got seed={seed!r} and rng={rng!r})")
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(SEED_BOUND))
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool | np.bool_):
        return int(rng)
    raise TypeError(
        f"`rng` must be an int seed or a numpy.random.Generator (got {type(rng).__name__})"
    )


def data_hash(*arrays) -> str:
    """SHA-256 of the data, for cache keys of the data-driven families.

    Each array is hashed as C-ordered float64 bytes, preceded by its shape, so
    ``data_hash(x)`` differs from ``data_hash(x[:-1])`` and from
    ``data_hash(x, y)``.

    Parameters
    ----------
    *arrays : array_like
        One or more arrays (e.g. the series of a pair).

    Returns
    -------
    digest : str
        64 hexadecimal characters.

    Examples
    --------
    >>> data_hash([1.0, 2.0]) == data_hash(np.array([1, 2]))
    True
    """
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class ObservedSeries:
    """The observed series a data-driven family resamples, standardised and hashed.

    A Monte Carlo plan carries it to the processes that run its chunks; equality
    and hashing go by ``digest`` (`data_hash` of ``values``), so the plan stays
    hashable and its cache key names the data.

    Attributes
    ----------
    values : (k, n) float64 ndarray
        One row per series, each with mean 0 and standard deviation 1 (read-only).
    digest : str
        `data_hash` of ``values``.
    """

    values: np.ndarray
    digest: str

    @classmethod
    def of(cls, *series, names: Sequence[str] = ("y1", "y2")) -> ObservedSeries:
        """Standardise and hash one or more series of equal length.

        Parameters
        ----------
        *series : (n,) array_like
            Finite series, ``n >= 3``.
        names : sequence of str, optional
            The parameter names the error messages use, one per series.

        Raises
        ------
        ValueError
            For a bad or constant series or unequal lengths (naming the series).
        """
        rows = [_series(x, name) for x, name in zip(series, names, strict=False)]
        if len({r.size for r in rows}) > 1:
            sizes = " and ".join(str(r.size) for r in rows)
            raise ValueError(
                f"`{names[0]}` and `{names[1]}` must have the same length (got {sizes})"
            )
        out = np.empty((len(rows), rows[0].size))
        for i, (r, name) in enumerate(zip(rows, names, strict=False)):
            sd = r.std()
            if not sd > 0:
                raise ValueError(f"`{name}` is constant; surrogates need a varying series")
            out[i] = (r - r.mean()) / sd
        out.flags.writeable = False
        return cls(out, data_hash(out))

    def __eq__(self, other) -> bool:
        return isinstance(other, ObservedSeries) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def n(self) -> int:
        """Length of the series."""
        return self.values.shape[1]


def _series(x, name: str = "x") -> np.ndarray:
    return as_series(x, name, min_length=3).astype(np.float64)
