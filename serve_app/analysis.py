"""What the service adds around `pycwt_mod.pipeline`: size limits and result shaping.

The deployments and the batch job assemble every analysis with `pycwt_mod.pipeline`
(`analyze_cwt`, `analyze_xwt`, `analyze_wct`); what is left here is the service's own:

=====================  ==========================================================
`RequestLimits`        the configured size limits (`serve_app.settings.Settings`)
`resolve_within`       a request's `ScaleGrid` resolved (`ScaleGrid.resolve`) and
                       held to the limits (`check_size`; `LimitExceededError`: 413)
`cwt_record` ...       a pipeline result as the service's typed result
                       (`serve_app.records`), trimmed by `shape_output`
`service_errors`       the library's messages as a JSON user reads them (a gap is
                       a ``null``)
=====================  ==========================================================
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pycwt_mod.options import MAX_SCALES, ResolvedGrid, ScaleGrid

from .records import NUMPY, CWTResult, WCTResult, XWTResult

if TYPE_CHECKING:
    from pycwt_mod.pipeline import CWTAnalysis, WCTAnalysis, XWTAnalysis

__all__ = [
    "DTYPES",
    "OUTPUTS",
    "LimitExceededError",
    "RequestLimits",
    "check_size",
    "cwt_record",
    "resolve_within",
    "reword",
    "service_errors",
    "shape_output",
    "wct_record",
    "xwt_record",
]

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


def _resolve(grid: ScaleGrid, n: int) -> ResolvedGrid:
    """`ScaleGrid.resolve`, its limit on the number of scales answered as a 413."""
    try:
        return grid.resolve(n)
    except ValueError as exc:
        if f"more than the limit of {MAX_SCALES}" in str(exc):
            raise LimitExceededError(str(exc)) from None
        raise


def resolve_within(
    grid: ScaleGrid, n: int, limits: RequestLimits, mc_count: int | None = None
) -> ResolvedGrid:
    """The grid of a request of ``n`` samples, checked against ``limits`` first.

    The grid is resolved for ``max(n, 2)`` samples, so a grid that cannot be built
    is named before a series too short for it.

    Raises
    ------
    LimitExceededError
        More scales than `pycwt_mod.options.MAX_SCALES`, or over ``limits``
        (`check_size`).
    ValueError
        A grid that cannot be built (the library's message).
    """
    rg = _resolve(grid, max(n, 2))
    check_size(n, rg.n_scales, limits, mc_count)
    return rg


# -------------------------------------------------------------------- messages

#: The library's words for a missing sample, and the service's (JSON has ``null``).
_REWORDING = (
    ("(NaN)", "(non-finite: NaN or null)"),
    ("with NaN to mark a gap", "with null to mark a gap"),
)


def reword(message: str) -> str:
    """A library message as a JSON user reads it: a gap is a ``null`` (or a NaN)."""
    for library, service in _REWORDING:
        message = message.replace(library, service)
    return message


@contextmanager
def service_errors() -> Iterator[None]:
    """Re-raise a library ``ValueError`` about the data with `reword`'s message.

    Other exceptions, and ``ValueError`` subclasses (limits, backends), pass unchanged.
    """
    try:
        yield
    except ValueError as exc:
        if type(exc) is not ValueError or reword(str(exc)) == str(exc):
            raise
        raise ValueError(reword(str(exc))) from None


# ---------------------------------------------------------------- result shaping


def shape_output(result: CWTResult, output: str = "wave", dtype: str = "float64") -> CWTResult:
    """Trim a CWT result to what a request asked for.

    ``output="power"`` replaces ``wave`` by ``power = |wave|**2`` (half the numbers;
    ``fft`` and ``fftfreqs`` are dropped); ``dtype="float32"`` stores the arrays as
    float32 (complex64), half the bytes again, with about 7 significant digits.

    Raises
    ------
    ValueError
        An ``output`` not in `OUTPUTS` or a ``dtype`` not in `DTYPES` (handle callers;
        HTTP requests are checked by their schema).
    """
    if output not in OUTPUTS:
        raise ValueError(f"`output` must be one of {', '.join(OUTPUTS)} (got {output!r})")
    if dtype not in DTYPES:
        raise ValueError(f"`dtype` must be one of {', '.join(DTYPES)} (got {dtype!r})")
    if output == "power":
        if result.power is None:  # else the analysis' own (rectified when asked)
            result.power = np.abs(result.wave) ** 2
        result.wave = result.fft = result.fftfreqs = None
    if dtype == "float32":
        for name in ("wave", "power", "fft", "scales", "freqs", "coi", "fftfreqs"):
            a = getattr(result, name)
            if a is not None:
                setattr(result, name, a.astype(np.complex64 if np.iscomplexobj(a) else np.float32))
    return result


def cwt_record(
    a: CWTAnalysis, masked: bool, output: str = "wave", dtype: str = "float64"
) -> CWTResult:
    """`CWTResult` of `pycwt_mod.pipeline.analyze_cwt`, shaped by `shape_output`.

    ``masked`` (``gaps="mask"``) keeps the gap mask; without it ``gap_mask`` is None.
    """
    t0 = time.perf_counter()
    result = CWTResult(
        a.wave, a.scales, a.freqs, a.coi, a.fft, a.fftfreqs, computation_time=0.0,
        gap_mask=a.gap_mask if masked else None,
        power=a.power if output == "power" else None,
    )  # fmt: skip
    result = shape_output(result, output, dtype)
    result.computation_time = a.elapsed_s + (time.perf_counter() - t0)
    return result


def xwt_record(a: XWTAnalysis, masked: bool) -> XWTResult:
    """`XWTResult` of `pycwt_mod.pipeline.analyze_xwt` (``masked``: see `cwt_record`)."""
    return XWTResult(
        a.xwt, a.coi, a.freqs, a.signif, a.scales, computation_time=a.elapsed_s,
        gap_mask=a.gap_mask if masked else None, ar1=np.asarray(a.ar1),
        warnings=list(a.warnings),
    )  # fmt: skip


def wct_record(a: WCTAnalysis, masked: bool, backend: str | None = None) -> WCTResult:
    """`WCTResult` of `pycwt_mod.pipeline.analyze_wct` (``masked``: see `cwt_record`).

    ``backend_used`` is the Monte Carlo backend that ran, else ``backend`` (the one the
    request named), else ``"numpy"``.
    """
    thr = a.thresholds
    return WCTResult(
        a.WCT,
        a.aWCT,
        a.coi,
        a.freqs,
        a.scales,
        None if thr is None else thr.sig95,
        None if thr is None else thr.seed,
        computation_time=a.elapsed_s,
        backend_used=(backend or NUMPY) if thr is None else thr.backend,
        ar1=None if thr is None or thr.ar1 is None else np.asarray(thr.ar1),
        warnings=[] if thr is None else list(thr.warnings),
        gap_mask=a.gap_mask if masked else None,
        surrogate=None if thr is None else a.monte_carlo.surrogate.name,
    )
