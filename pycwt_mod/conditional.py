"""The smoothed cross-spectral matrix of several series, and partial and multiple coherence.

For ``k`` series with wavelet transforms ``W_1 .. W_k`` on one scale grid, the
smoothed cross-spectral matrix is ``S_ij = S(s^-1 W_i W_j*)`` at every (scale,
time) point, with ``S`` the time-and-scale smoothing of the ordinary wavelet
coherence (Grinsted et al. 2004 [1]_, eq. 5-6; `pycwt_mod.smoothing`). Its
``2 x 2`` blocks give the ordinary squared coherence
``R^2_ij = |S_ij|^2 / (S_ii S_jj)``. Removing the influence of a set ``Z`` of series
is a Schur complement: the conditional (residual) spectral matrix

    S_{ab|Z} = S_ab - S_aZ S_ZZ^-1 S_Zb,

which this module computes by sweeping the pivots of ``Z`` out one after the other
(Gaussian elimination on a Hermitian matrix, elementwise over the points).

- **Partial coherence** of ``y`` (index 0) and ``x`` (index 1) with the series
  ``Z = 2..k-1`` removed (Mihanovic et al. 2009 [2]_, Ng & Chan 2012 [3]_):
  ``R^2_{yx|Z} = |S_{yx|Z}|^2 / (S_{yy|Z} S_{xx|Z})``, and the partial phase
  ``arg S_{yx|Z}``. Equal, since ``(S^-1)_{KK} = (S_{KK|Z})^-1`` for ``K = {y, x}``,
  to the cofactor / inverse form ``|G_yx|^2 / (G_yy G_xx)`` with ``G = S^-1``; with
  one removed series it is Mihanovic's
  ``|R_yx - R_yz R_zx|^2 / ((1 - R^2_yz)(1 - R^2_xz))`` in complex coherencies.
- **Multiple coherence** of ``y`` (index 0) with the predictors ``X = 1..k-1``
  together (Ng & Chan 2012 [3]_, Hu & Si 2016 [4]_):
  ``R^2_{y|X} = S_yX S_XX^-1 S_Xy / S_yy = 1 - det(S) / (S_yy det(S_XX))``. The
  explained part ``S_yX S_XX^-1 S_Xy`` is accumulated pivot by pivot (each step
  adds a non-negative term), so with one predictor it is
  ``|S_yx|^2 / (S_xx S_yy)``, the ordinary coherence, to rounding.

Both are invariant to rescaling any series, and lie in [0, 1] because ``S`` is a
positive combination of rank-one Hermitian matrices ``W W^H / s`` (the results are
clipped to [0, 1] against rounding only). The elementwise functions take an array
module (numpy or cupy) through their inputs, so the Monte Carlo kernel
(`pycwt_mod.montecarlo.multivariate_kernel`) runs the same code on its surrogates.

References
----------
.. [1] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the
   cross wavelet transform and wavelet coherence to geophysical time series.
   Nonlinear Processes in Geophysics, 11, 561-566.
.. [2] Mihanovic, H., Orlic, M. and Pasaric, Z. (2009). Diurnal thermocline
   oscillations driven by tidal flow around an island in the Middle Adriatic.
   Journal of Marine Systems, 78, S157-S168.
.. [3] Ng, E. K. W. and Chan, J. C. L. (2012). Geophysical applications of partial
   wavelet coherence and multiple wavelet coherence. Journal of Atmospheric and
   Oceanic Technology, 29, 1845-1853.
.. [4] Hu, W. and Si, B. C. (2016). Technical note: Multiple wavelet coherence for
   untangling scale-specific and localized multivariate relationships in
   geosciences. Hydrology and Earth System Sciences, 20, 3183-3191.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_series, check_positive, resolve_J, resolve_s0
from .mothers import get_wavelet
from .smoothing import smooth
from .transform import DEFAULT_WORKERS, cwt

__all__ = [
    "COHERENCE_KINDS",
    "SpectralMatrix",
    "cross_spectral_matrix",
    "multiple_coherence",
    "partial_coherence",
]

#: The coherences of several series: ``"partial"`` (series 0 and 1, the others
#: removed) and ``"multiple"`` (series 0 against all the others together).
COHERENCE_KINDS = ("partial", "multiple")


@dataclass(frozen=True, eq=False)
class SpectralMatrix:
    """The smoothed auto- and cross-spectra of ``k`` series (`cross_spectral_matrix`).

    Held as the diagonal and the upper triangle (``k (k + 1) / 2`` arrays, not
    ``k^2``); `S` assembles the full matrix on demand.

    Attributes
    ----------
    auto : tuple of k (n_scales, n) float64 ndarray
        ``S_ii = S(|W_i|^2 / s)``, non-negative.
    cross : dict
        ``{(i, j): S(W_i conj(W_j) / s)}`` for ``i < j``, (n_scales, n) complex.
    scales, freqs : (n_scales,) ndarray
        Wavelet scales and their Fourier frequencies.
    coi : (n,) ndarray
        Cone of influence (Fourier periods, time units).
    """

    auto: tuple[np.ndarray, ...]
    cross: dict[tuple[int, int], np.ndarray]
    scales: np.ndarray
    freqs: np.ndarray
    coi: np.ndarray

    @property
    def k(self) -> int:
        """Number of series."""
        return len(self.auto)

    @property
    def S(self) -> np.ndarray:
        """The full Hermitian matrix, (k, k, n_scales, n) complex (a new array)."""
        k = self.k
        S = np.empty((k, k, *self.auto[0].shape), dtype=np.complex128)
        for i in range(k):
            S[i, i] = self.auto[i]
            for j in range(i + 1, k):
                S[i, j] = self.cross[(i, j)]
                S[j, i] = self.cross[(i, j)].conj()
        return S


def _stack(series: Sequence, names: Sequence[str] | None) -> tuple[list[np.ndarray], list[str]]:
    if isinstance(series, np.ndarray) and series.ndim == 2:
        series = list(series)
    rows = list(series)
    if len(rows) < 2:
        raise ValueError(f"`series` must hold at least 2 series (got {len(rows)})")
    names = list(names) if names is not None else [f"series[{i}]" for i in range(len(rows))]
    if len(names) != len(rows):
        raise ValueError(f"`names` must name each of the {len(rows)} series (got {len(names)})")
    out = [as_series(x, name).astype(np.float64) for x, name in zip(rows, names, strict=True)]
    sizes = {x.size for x in out}
    if len(sizes) > 1:
        got = ", ".join(f"{name}: {x.size}" for x, name in zip(out, names, strict=True))
        raise ValueError(
            f"the series must have the same length (got {got}); resample or trim them "
            "onto a common time axis first"
        )
    return out, names


def cross_spectral_matrix(
    series: Sequence,
    dt: float,
    dj: float = 1 / 12,
    s0: float = -1,
    J: int = -1,
    wavelet="morlet",
    normalize: bool = True,
    *,
    names: Sequence[str] | None = None,
) -> SpectralMatrix:
    """Smoothed cross-spectral matrix of several series (Grinsted et al. 2004, eq. 5-6).

    Parameters
    ----------
    series : sequence of (n,) array_like, or (k, n) array_like
        ``k >= 2`` finite series of equal length on one time axis.
    dt, dj, s0, J, wavelet
        As in `pycwt_mod.cwt`; the wavelet needs a tabulated ``deltaj0``.
    normalize : bool, optional
        Standardise every series first (default True, as `pycwt_mod.wct`; the
        coherences do not depend on it).
    names : sequence of str, optional
        The series' names in error messages.

    Returns
    -------
    SpectralMatrix
        Its ``auto`` and ``cross`` spectra (``S`` of shape ``(k, k, n_scales, n)``
        on demand).

    Raises
    ------
    ValueError
        Fewer than two series, unequal lengths, a bad or constant series, bad grid
        parameters or a wavelet without ``deltaj0``.
    """
    rows, names = _stack(series, names)
    mother = get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    mother.require_deltaj0("partial and multiple wavelet coherence")
    if normalize:
        for i, x in enumerate(rows):
            sd = x.std()
            if not sd > 0:
                raise ValueError(
                    f"cannot normalize `{names[i]}`: it is constant (standard deviation 0)"
                )
            rows[i] = (x - x.mean()) / sd
    n = rows[0].size
    s0 = resolve_s0(s0, dt, mother.flambda())
    J = resolve_J(J, n, dt, s0, dj)
    kw = dict(dj=dj, s0=s0, J=J, wavelet=mother)
    Ws = []
    for x in rows:
        W, sj, freqs, coi, _, _ = cwt(x, dt, **kw)
        Ws.append(W)
    inv_s = 1.0 / sj[:, np.newaxis]
    k = len(Ws)

    def sm(a):
        return smooth(a, dt, dj, sj, mother.deltaj0, workers=DEFAULT_WORKERS)

    auto = tuple(sm(np.abs(W) ** 2 * inv_s) for W in Ws)
    cross = {(i, j): sm(Ws[i] * Ws[j].conj() * inv_s) for i in range(k) for j in range(i + 1, k)}
    return SpectralMatrix(auto, cross, sj, freqs, coi)


# ------------------------------------------------------------ the elementwise part


def _abs2(c):
    return c.real * c.real + c.imag * c.imag


def _scaled_product(a, b, w):
    """``a conj(b) w`` for complex ``a``, ``b`` and real ``w``, in real arithmetic.

    Real products and sums round the same way in every loop of an array module; a
    complex product may not (numpy's vectorised complex loops can fuse a multiply
    and an add, its scalar tail does not), which would make a value depend on the
    length of the array it sits in, and so the Monte Carlo bits on the chunking.
    """
    re = (a.real * b.real + a.imag * b.imag) * w
    im = (a.imag * b.real - a.real * b.imag) * w
    out = a.copy()
    out.real[...] = re
    out.imag[...] = im
    return out


def _entry(cross: dict, i: int, j: int):
    """``S_ij`` from the upper triangle ``cross[(a, b)]``, ``a < b``."""
    return cross[(i, j)] if i < j else cross[(j, i)].conj()


def sweep(auto: list, cross: dict, pivots: Sequence[int], track: int | None = None):
    """Sweep ``pivots`` out of a Hermitian matrix given elementwise (a Schur complement).

    Parameters
    ----------
    auto : list of k real arrays
        The diagonal ``S_ii`` (any shape, one array module).
    cross : dict
        ``{(i, j): S_ij}`` for ``i < j``, complex arrays of the same shape.
    pivots : sequence of int
        The indices removed, in order.
    track : int, optional
        An index whose explained part is accumulated.

    Returns
    -------
    auto, cross
        The conditional matrix ``S_{..|pivots}`` on the other indices (new
        containers; entries of swept indices are left as they were).
    explained : array or 0
        ``S_tt - S_{tt|pivots}`` for ``t = track``, summed from the non-negative
        decrements ``|S_tp|^2 / S_pp`` of each pivot step.
    """
    auto, cross = list(auto), dict(cross)
    live = [i for i in range(len(auto)) if i not in set(pivots)]
    left = list(pivots)
    explained = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while left:
            p = left.pop(0)
            others = live + left
            inv = 1 / auto[p]
            col = {i: _entry(cross, i, p) for i in others}
            for a, i in enumerate(others):
                d = _abs2(col[i]) * inv
                if i == track:
                    explained = explained + d
                auto[i] = auto[i] - d
                for j in others[a + 1 :]:
                    key = (i, j) if i < j else (j, i)
                    a, b = (col[i], col[j]) if i < j else (col[j], col[i])
                    cross[key] = cross[key] - _scaled_product(a, b, inv)
    return auto, cross, explained


def _clip01(r2, xp):
    xp.fmax(r2, 0, out=r2)
    xp.fmin(r2, 1, out=r2)
    return r2


def partial_from_spectra(auto: list, cross: dict, xp=np):
    """Partial coherence of indices 0 and 1 with ``2..k-1`` removed, elementwise.

    Returns
    -------
    r2 : real array
        In [0, 1] (NaN where a conditional auto-spectrum is 0).
    c01 : complex array
        The conditional cross-spectrum ``S_{01|rest}``; its angle is the partial phase.
    """
    auto, cross, _ = sweep(auto, cross, range(2, len(auto)))
    c = cross[(0, 1)]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r2 = _abs2(c) / (auto[0] * auto[1])
    return _clip01(r2, xp), c


def multiple_from_spectra(auto: list, cross: dict, xp=np):
    """Multiple coherence of index 0 with ``1..k-1`` together, elementwise (in [0, 1])."""
    _, _, explained = sweep(auto, cross, range(1, len(auto)), track=0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r2 = explained / auto[0]
    return _clip01(r2, xp)


def _split(S) -> tuple[list, dict]:
    if isinstance(S, SpectralMatrix):
        return list(S.auto), dict(S.cross)
    S = np.asarray(S)
    if S.ndim < 2 or S.shape[0] != S.shape[1] or S.shape[0] < 2:
        raise ValueError(f"`S` must have shape (k, k, ...) with k >= 2 (got {S.shape})")
    k = S.shape[0]
    auto = [np.ascontiguousarray(S[i, i].real) for i in range(k)]
    cross = {(i, j): np.ascontiguousarray(S[i, j]) for i in range(k) for j in range(i + 1, k)}
    return auto, cross


def partial_coherence(S) -> tuple[np.ndarray, np.ndarray]:
    """Partial squared coherence of series 0 and 1, all other series removed.

    Parameters
    ----------
    S : SpectralMatrix, or (k, k, ...) complex array_like
        A Hermitian (smoothed) cross-spectral matrix, ``k >= 2``
        (`cross_spectral_matrix`); with ``k = 2`` this is the ordinary coherence.

    Returns
    -------
    R2 : (...) ndarray
        ``|S_{01|Z}|^2 / (S_{00|Z} S_{11|Z})`` in [0, 1], ``Z = 2..k-1`` (see the
        module's notes for the equivalent inverse and cofactor forms).
    phase : (...) ndarray
        ``arg S_{01|Z}``, radians (positive: series 0 leads, as `pycwt_mod.wct`'s
        phase of ``W1 conj(W2)``).
    """
    auto, cross = _split(S)
    r2, c = partial_from_spectra(auto, cross)
    return r2, np.angle(c)


def multiple_coherence(S) -> np.ndarray:
    """Multiple squared coherence of series 0 with series ``1..k-1`` together.

    Parameters
    ----------
    S : SpectralMatrix, or (k, k, ...) complex array_like
        A Hermitian cross-spectral matrix, ``k >= 2``.

    Returns
    -------
    R2 : (...) ndarray
        ``S_0X S_XX^-1 S_X0 / S_00 = 1 - det(S) / (S_00 det(S_XX))`` in [0, 1].
    """
    auto, cross = _split(S)
    return multiple_from_spectra(auto, cross)
