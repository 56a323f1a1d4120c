"""Surrogate series for Monte Carlo significance tests: AR(1), phase, IAAFT.

Three null hypotheses, one family each (`SURROGATES`):

- ``"ar1"``: the series is stationary AR(1) ("red") noise with its own lag-1
  autocorrelation ([1]_, Torrence & Compo 1998; the default of the library).
- ``"phase"``: the series is a stationary linear Gaussian process with its own
  power spectrum. Surrogates keep the modulus of the Fourier transform exactly
  and draw the phases uniformly (Theiler et al. 1992, [2]_).
- ``"iaaft"``: as ``"phase"`` but seen through a static monotone transform: the
  surrogates keep the amplitude distribution (the sorted values) exactly and the
  power spectrum approximately (iterative amplitude-adjusted Fourier transform,
  Schreiber & Schmitz 1996, [3]_).

Seeding follows the coherence engine (`pycwt_mod.montecarlo.plan`): surrogate (or pair)
``k`` draws from its own stream,
``np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))``, so surrogates
``start..start+count-1`` are the same whether they are made at once or in chunks.
The ``"ar1"`` pairs of `pair_surrogates` are the engine's red-noise pairs draw for
draw (two rows of ``standard_normal((2, n))`` per pair).

The observed series, its streams and its hash: `pycwt_mod.montecarlo.observed`.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Theiler, J., Eubank, S., Longtin, A., Galdrikian, B. and Farmer, J. D.
   (1992). Testing for nonlinearity in time series: the method of surrogate data.
   Physica D, 58, 77-94.
.. [3] Schreiber, T. and Schmitz, A. (1996). Improved surrogate data for
   nonlinearity tests. Physical Review Letters, 77, 635-638.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.fft

from .._validation import check_count
from ..significance import ar1, ar1_filter
from .observed import ObservedSeries, _series, data_hash, surrogate_rng

__all__ = [
    "SURROGATES",
    "ObservedSeries",
    "ar1_draws",
    "ar1_surrogates",
    "data_hash",
    "get_surrogate",
    "iaaft_surrogates",
    "multi_surrogates",
    "pair_surrogates",
    "phase_surrogates",
    "surrogate_rng",
    "surrogates",
]

#: Names of the surrogate families, in the order documented above.
SURROGATES = ("ar1", "phase", "iaaft")

#: Default cap on IAAFT iterations (Schreiber & Schmitz stop when the ranks repeat).
IAAFT_MAX_ITER = 200


def _check_g(g) -> float:
    try:
        g = float(g)
    except (TypeError, ValueError):
        raise ValueError(f"`g` must be a number in (-1, 1) (got {g!r})") from None
    if not np.isfinite(g) or not -1 < g < 1:
        raise ValueError(f"`g` must be in (-1, 1) for stationary AR(1) noise (got {g!r})")
    return g


def ar1_surrogates(n: int, g: float, count: int, seed: int, *, start: int = 0) -> np.ndarray:
    """Stationary AR(1) surrogates with unit-variance innovations.

    Parameters
    ----------
    n : int
        Length, >= 1.
    g : float
        Lag-1 autocorrelation, ``-1 < g < 1``.
    count : int
        Number of surrogates, >= 1.
    seed : int
        Root seed, >= 0.
    start : int, optional
        Index of the first surrogate (default 0): rows are surrogates
        ``start..start+count-1``, surrogate ``k`` from `surrogate_rng` ``(seed, k)``.

    Returns
    -------
    y : (count, n) float64 ndarray
        ``y[t] = g y[t-1] + e[t]``, ``e`` standard normal, first sample from the
        stationary distribution (variance ``1 / (1 - g^2)``).

    Raises
    ------
    ValueError
        For ``n < 1``, ``count < 1``, ``start < 0``, a negative seed or ``|g| >= 1``.
    """
    n = check_count(n, "n", 1)
    count = check_count(count, "count", 1)
    start = check_count(start, "start", 0)
    seed = check_count(seed, "seed", 0)
    return ar1_draws([_check_g(g)], n, count, seed, start=start)[:, 0]


def ar1_draws(g: Sequence[float], n: int, count: int, seed: int, *, start: int = 0) -> np.ndarray:
    """Independent AR(1) rows with unit-variance innovations, drawn together per index.

    Surrogate ``k`` is ``standard_normal((len(g), n))`` from `surrogate_rng` ``(seed,
    k)``, row ``i`` filtered with ``g[i]`` (`ar1_filter`): the draws of every AR(1)
    surrogate of the library (`ar1_surrogates`, `multi_surrogates`, and the red-noise
    pairs of the coherence engine). Arguments are not checked here.

    Returns
    -------
    y : (count, len(g), n) float64 ndarray
    """
    e = np.stack(
        [surrogate_rng(seed, k).standard_normal((len(g), n)) for k in range(start, start + count)]
    )
    for i, gi in enumerate(g):
        e[:, i] = ar1_filter(e[:, i], gi)
    return e


def _random_phases(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit phasors for the rfft bins of a length-``n`` series (DC and Nyquist kept)."""
    m = n // 2 + 1
    ph = np.exp(2j * np.pi * rng.random(m))
    ph[0] = 1.0
    if n % 2 == 0:
        ph[-1] = 1.0  # the Nyquist bin of a real series is real: keep it
    return ph


def phase_surrogates(x, count: int, seed: int, *, start: int = 0) -> np.ndarray:
    """Fourier phase-randomised surrogates of ``x`` (Theiler et al. 1992, [2]_).

    The modulus of every Fourier coefficient is kept (so the periodogram and the
    mean are exact); the phases of the bins ``1..n//2`` are independent and uniform
    (the Nyquist bin of an even-length series stays real and unchanged).

    Parameters
    ----------
    x : (n,) array_like
        Finite series, ``n >= 3``.
    count : int
        Number of surrogates, >= 1.
    seed : int
        Root seed, >= 0.
    start : int, optional
        Index of the first surrogate (default 0), as in `ar1_surrogates`.

    Returns
    -------
    y : (count, n) float64 ndarray
        ``|rfft(y[i])| == |rfft(x)|`` to rounding.

    Raises
    ------
    ValueError
        For a bad ``x``, ``count``, ``seed`` or ``start``.
    """
    return multi_surrogates(_series(x)[None], "phase", count, seed, start=start)[:, 0]


def _iaaft(start: np.ndarray, amplitude: np.ndarray, sorted_values: np.ndarray, max_iter: int):
    """Batched IAAFT iterations; rows are independent (each reaches its own fixed point).

    ``start`` (B, n): shuffled series; ``amplitude`` (B or 1, n//2+1) target
    ``|rfft|``; ``sorted_values`` (B or 1, n) target sorted values.
    """
    n = start.shape[-1]
    s = start
    ranks = np.argsort(np.argsort(s, axis=-1, kind="stable"), axis=-1, kind="stable")
    for _ in range(max_iter):
        S = scipy.fft.rfft(s, axis=-1)
        mod = np.abs(S)
        S = np.where(mod > 0, S / np.where(mod > 0, mod, 1.0), 1.0) * amplitude
        r = scipy.fft.irfft(S, n=n, axis=-1)
        new_ranks = np.argsort(np.argsort(r, axis=-1, kind="stable"), axis=-1, kind="stable")
        s = np.take_along_axis(np.broadcast_to(sorted_values, r.shape), new_ranks, axis=-1)
        if np.array_equal(new_ranks, ranks):
            break
        ranks = new_ranks
    return s


def iaaft_surrogates(
    x, count: int, seed: int, *, start: int = 0, max_iter: int = IAAFT_MAX_ITER
) -> np.ndarray:
    """Iterative amplitude-adjusted Fourier transform surrogates (Schreiber & Schmitz 1996).

    Each surrogate starts from a random shuffle of ``x`` and alternates two
    projections ([3]_): impose the Fourier modulus of ``x`` (keeping the current
    phases), then impose the values of ``x`` by rank. It stops when the ranks no
    longer change (a fixed point) or after ``max_iter`` iterations. The result is
    the rank-adjusted series, so its sorted values equal ``sort(x)`` exactly and
    its periodogram matches that of ``x`` approximately.

    Parameters
    ----------
    x : (n,) array_like
        Finite series, ``n >= 3``.
    count : int
        Number of surrogates, >= 1.
    seed : int
        Root seed, >= 0.
    start : int, optional
        Index of the first surrogate (default 0), as in `ar1_surrogates`.
    max_iter : int, optional
        Most iterations, >= 1 (default `IAAFT_MAX_ITER`).

    Returns
    -------
    y : (count, n) float64 ndarray
        ``np.sort(y[i]) == np.sort(x)`` exactly.

    Raises
    ------
    ValueError
        For a bad ``x``, ``count``, ``seed``, ``start`` or ``max_iter``.

    Notes
    -----
    The rows iterate in one batch but independently: a row at its fixed point does
    not change in later iterations, so surrogate ``k`` is the same whatever the
    batch (``start``, ``count``) it is made in.
    """
    xs = _series(x)[None]
    return multi_surrogates(xs, "iaaft", count, seed, start=start, max_iter=max_iter)[:, 0]


def _ar1_like(x: np.ndarray, count: int, seed: int, start: int = 0) -> np.ndarray:
    g, _, _ = ar1(x)
    y = ar1_surrogates(x.size, g, count, seed, start=start)
    return x.mean() + y * (x.std() * np.sqrt(1 - g**2))


def surrogates(x, family: str, count: int, seed: int, *, start: int = 0) -> np.ndarray:
    """Surrogates of ``x`` from a family named in `SURROGATES`.

    Parameters
    ----------
    x : (n,) array_like
        Observed series, ``n >= 3``.
    family : {"ar1", "phase", "iaaft"}
        ``"ar1"``: AR(1) noise with the lag-1 autocorrelation of ``x``
        (`pycwt_mod.ar1`), its mean and its variance; ``"phase"``:
        `phase_surrogates`; ``"iaaft"``: `iaaft_surrogates`.
    count, seed, start
        As in `ar1_surrogates`.

    Returns
    -------
    y : (count, n) float64 ndarray

    Raises
    ------
    ValueError
        For an unknown family or bad arguments; `pycwt_mod.AR1EstimationError` when
        ``"ar1"`` cannot fit ``x``.
    """
    return get_surrogate(family)(x, count, seed, start=start)


_GENERATORS: dict[str, Callable[..., np.ndarray]] = {
    "ar1": lambda x, count, seed, start=0: _ar1_like(_series(x), count, seed, start),
    "phase": phase_surrogates,
    "iaaft": iaaft_surrogates,
}


def get_surrogate(name: str) -> Callable[..., np.ndarray]:
    """The generator ``f(x, count, seed, *, start=0) -> (count, n)`` of a family.

    Raises
    ------
    ValueError
        For a name not in `SURROGATES`; the message lists them.
    """
    if not isinstance(name, str) or name not in SURROGATES:
        names = ", ".join(map(repr, SURROGATES))
        raise ValueError(f"`surrogate` must be one of {names} (got {name!r})")
    return _GENERATORS[name]


def multi_surrogates(
    xs,
    family: str,
    count: int,
    seed: int,
    *,
    start: int = 0,
    g: Sequence[float] | None = None,
    max_iter: int = IAAFT_MAX_ITER,
) -> np.ndarray:
    """Independent surrogates of each row of ``xs``, drawn together per index.

    Surrogate ``k`` of every row comes from one stream, `surrogate_rng` ``(seed,
    k)``, the rows in order: for ``"ar1"`` the draws are ``standard_normal((rows,
    n))`` filtered with the rows' AR(1) coefficients (unit innovations, so with two
    rows these are the coherence engine's red-noise pairs); for ``"phase"`` each row
    gets its own random phases, for ``"iaaft"`` its own starting shuffle. Rows are
    independent of each other, so a pair keeps each spectrum (and amplitude
    distribution) and has no coherence.

    Parameters
    ----------
    xs : (rows, n) array_like
        Observed series, ``n >= 3``.
    family : {"ar1", "phase", "iaaft"}
    count, seed, start
        As in `ar1_surrogates`.
    g : sequence of float, optional
        ``"ar1"`` only: the AR(1) coefficient of each row (default: `ar1` of it).
    max_iter : int, optional
        ``"iaaft"`` only: most iterations, >= 1 (default `IAAFT_MAX_ITER`).

    Returns
    -------
    y : (count, rows, n) float64 ndarray

    Raises
    ------
    ValueError
        For an unknown family or bad arguments.
    """
    get_surrogate(family)
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 2 or xs.shape[1] < 3:
        raise ValueError(f"`xs` must have shape (rows, n >= 3) (got {xs.shape})")
    count = check_count(count, "count", 1)
    start = check_count(start, "start", 0)
    seed = check_count(seed, "seed", 0)
    max_iter = check_count(max_iter, "max_iter", 1)
    rows, n = xs.shape
    ks = range(start, start + count)
    if family == "ar1":
        gs = [ar1(x)[0] for x in xs] if g is None else [_check_g(v) for v in g]
        return ar1_draws(gs, n, count, seed, start=start)
    if family == "phase":
        ph = np.empty((count, rows, n // 2 + 1), dtype=complex)
        for i, k in enumerate(ks):
            rng = surrogate_rng(seed, k)
            for r in range(rows):
                ph[i, r] = _random_phases(rng, n)
        return scipy.fft.irfft(scipy.fft.rfft(xs, axis=-1) * ph, n=n, axis=-1)
    perms = np.empty((count, rows, n), dtype=np.intp)
    for i, k in enumerate(ks):
        rng = surrogate_rng(seed, k)
        for r in range(rows):
            perms[i, r] = rng.permutation(n)
    shuffled = np.take_along_axis(np.broadcast_to(xs, perms.shape), perms, axis=-1)
    out = _iaaft(
        shuffled.reshape(rows * count, n),
        np.tile(np.abs(scipy.fft.rfft(xs, axis=-1)), (count, 1)),
        np.tile(np.sort(xs, axis=-1), (count, 1)),
        max_iter,
    )
    return out.reshape(count, rows, n)


def pair_surrogates(y1, y2, family: str, count: int, seed: int, *, start: int = 0) -> np.ndarray:
    """Independent surrogate pairs for a coherence test of ``y1`` against ``y2``.

    `multi_surrogates` of the two series: for ``"ar1"`` the coherence engine's
    pairs (``standard_normal((2, n))`` filtered with the AR(1) coefficients of
    ``y1`` and ``y2``, unit innovations; coherence does not depend on the
    variance); for ``"phase"`` and ``"iaaft"`` each member is a surrogate of its own
    series, independent of the other.

    Parameters
    ----------
    y1, y2 : (n,) array_like
        The observed series, equal lengths, ``n >= 3``.
    family : {"ar1", "phase", "iaaft"}
    count, seed, start
        As in `ar1_surrogates`.

    Returns
    -------
    pairs : (count, 2, n) float64 ndarray

    Raises
    ------
    ValueError
        For unequal lengths, an unknown family or bad arguments.
    """
    get_surrogate(family)
    a = _series(y1, "y1")
    b = _series(y2, "y2")
    if a.size != b.size:
        raise ValueError(f"`y1` and `y2` must have the same length (got {a.size} and {b.size})")
    return multi_surrogates(np.stack([a, b]), family, count, seed, start=start)
