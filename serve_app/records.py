"""Typed results of the service's computations: numpy arrays in small dataclasses.

The compute deployments return them to Python callers of the Serve handles, the HTTP
layer encodes them (`arrays`), and the client rebuilds them from an ``.npz`` answer
(`from_arrays`), so each result's fields are listed once, here. numpy only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "ACTIVE",
    "NUMPY",
    "TERMINAL",
    "CWTResult",
    "ICWTResult",
    "JobStatus",
    "MultipleWCTResult",
    "PartialWCTResult",
    "SignificanceResult",
    "WCTResult",
    "XWTResult",
]

#: ``backend_used`` of computations that involve no Monte Carlo backend.
NUMPY = "numpy"

R = TypeVar("R", bound="_Result")


class JobStatus(str, Enum):
    """Life cycle of a significance job: queued -> running -> a terminal state."""

    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def active(self) -> bool:
        """Whether a job in this state may still change (queued or running)."""
        return self in ACTIVE

    @property
    def terminal(self) -> bool:
        """Whether a job in this state never changes again."""
        return self in TERMINAL


#: States a job is still in progress in.
ACTIVE = frozenset({JobStatus.queued, JobStatus.running})
#: States a job never leaves.
TERMINAL = frozenset({JobStatus.completed, JobStatus.failed, JobStatus.cancelled})


@dataclass
class _Result:
    def arrays(self) -> dict[str, np.ndarray | None]:
        """The fields as a dict of arrays (scalars become 0-d arrays; None stays None)."""
        out = {}
        for f in dataclasses.fields(self):
            if f.metadata.get("local"):  # the client's, never sent
                continue
            value = getattr(self, f.name)
            if f.metadata.get("strings"):  # a list of messages stays a list (JSON-able)
                out[f.name] = [str(v) for v in value]
            else:
                out[f.name] = None if value is None else np.asarray(value)
        return out

    @classmethod
    def from_arrays(cls: type[R], arrays: dict[str, Any]) -> R:
        """Rebuild a result from `arrays` (or ``.npz`` members): 0-d arrays become scalars,
        missing optional fields None."""
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.metadata.get("local"):
                continue
            a = arrays.get(f.name)
            if f.metadata.get("strings"):
                kwargs[f.name] = [] if a is None else [str(v) for v in np.ravel(a)]
            else:
                kwargs[f.name] = a.item() if isinstance(a, np.ndarray) and a.ndim == 0 else a
        return cls(**kwargs)


@dataclass
class CWTResult(_Result):
    """Output of a CWT; array shapes as in `pycwt_mod.cwt`.

    A request for ``output="power"`` gets ``power`` (``|wave|**2``) instead of ``wave``
    (and no ``fft``/``fftfreqs``); ``gaps="mask"`` adds ``gap_mask``, ``(n_scales, n)``
    bool, True where a gap influences the transform.
    """

    wave: np.ndarray | None
    scales: np.ndarray
    freqs: np.ndarray
    coi: np.ndarray
    fft: np.ndarray | None
    fftfreqs: np.ndarray | None
    computation_time: float
    backend_used: str = NUMPY
    power: np.ndarray | None = None
    gap_mask: np.ndarray | None = None
    #: The series' time labels (datetime64 or numbers), when the client was given them
    #: (`serve_app.client.labels`); never part of an answer.
    time: np.ndarray | None = field(default=None, metadata={"local": True})


@dataclass
class ICWTResult(_Result):
    """Output of an inverse CWT: the reconstructed real signal."""

    signal: np.ndarray
    computation_time: float
    backend_used: str = NUMPY


@dataclass
class XWTResult(_Result):
    """Output of a cross wavelet transform; as `pycwt_mod.xwt` plus the scales.

    ``ar1`` holds the lag-1 coefficients of the red-noise backgrounds of ``signif``
    and ``warnings`` says when they are not the unbiased estimates (see
    `pycwt_mod.significance.fit_ar1`).
    """

    xwt: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    signif: np.ndarray
    scales: np.ndarray
    computation_time: float
    backend_used: str = NUMPY
    gap_mask: np.ndarray | None = None
    ar1: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list, metadata={"strings": True})
    #: The series' time labels (datetime64 or numbers), when the client was given them
    #: (`serve_app.client.labels`); never part of an answer.
    time: np.ndarray | None = field(default=None, metadata={"local": True})


@dataclass
class WCTResult(_Result):
    """Output of a wavelet coherence; ``sig95`` is None without a significance test.

    Field names are those of the API plan (``WCT``, ``aWCT``, ``sig95``). ``ar1`` holds
    the lag-1 coefficients of the red-noise model of the test (None without one, or
    with the ``phase``/``iaaft`` families) and ``warnings`` says when they are not the
    unbiased estimates (see `pycwt_mod.significance.fit_ar1`); ``surrogate`` is the
    null family of the test (None without one). ``pointwise_mask``, ``areawise_mask``
    and ``critical_area`` are an areawise job's (see `SignificanceResult`), put here by
    ``serve_app.client.Client.wct(..., areawise=True)``; the synchronous endpoint
    leaves them None.
    """

    WCT: np.ndarray
    aWCT: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    sig95: np.ndarray | None
    seed: int | None
    computation_time: float
    backend_used: str = NUMPY
    ar1: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list, metadata={"strings": True})
    gap_mask: np.ndarray | None = None
    surrogate: str | None = None
    pointwise_mask: np.ndarray | None = None
    areawise_mask: np.ndarray | None = None
    critical_area: float | None = None
    #: The series' time labels (datetime64 or numbers), when the client was given them
    #: (`serve_app.client.labels`); never part of an answer.
    time: np.ndarray | None = field(default=None, metadata={"local": True})


@dataclass
class _Multivariate(_Result):
    """What a partial and a multiple coherence share (their fields after the maps)."""

    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    sig95: np.ndarray | None
    seed: int | None
    computation_time: float
    backend_used: str = NUMPY
    ar1: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list, metadata={"strings": True})
    gap_mask: np.ndarray | None = None
    surrogate: str | None = None
    #: The series' time labels (datetime64 or numbers), when the client was given them
    #: (`serve_app.client.labels`); never part of an answer.
    time: np.ndarray | None = field(default=None, metadata={"local": True})


@dataclass(kw_only=True)
class PartialWCTResult(_Multivariate):
    """Output of a partial wavelet coherence (`pycwt_mod.pipeline.analyze_partial_wct`).

    ``PWCT`` is the squared partial coherence of the response and the predictor with
    the removed series' influence taken out, ``aPWCT`` its phase (radians; positive:
    the response leads), ``WCT`` the ordinary coherence of the two from the same
    spectra, all ``(n_scales, n)``. ``sig95`` is the Monte Carlo threshold per scale
    (None without a test); ``ar1`` one coefficient per series (response, predictor,
    removed...; None for the ``phase``/``iaaft`` families); the rest as `WCTResult`.
    """

    PWCT: np.ndarray
    aPWCT: np.ndarray
    WCT: np.ndarray


@dataclass(kw_only=True)
class MultipleWCTResult(_Multivariate):
    """Output of a multiple wavelet coherence (`pycwt_mod.pipeline.analyze_multiple_wct`).

    ``MWCT`` is the squared multiple coherence of the response with the predictors
    together, ``(n_scales, n)``; ``ar1`` one coefficient per series (response, then
    the predictors); the other fields as in `PartialWCTResult`.
    """

    MWCT: np.ndarray


@dataclass
class SignificanceResult(_Result):
    """Monte Carlo coherence thresholds per scale (the result of a significance job).

    ``sig95`` is the threshold at ``significance_level`` (the plan's name, whatever the
    level); ``ar1`` the two lag-1 coefficients used (None for the ``phase`` and
    ``iaaft`` families, drawn from the series themselves), ``warnings`` how they were
    obtained when not the unbiased estimates; ``surrogate`` the null family.

    An areawise job (`pycwt_mod.areawise_coherence`) adds ``pointwise_mask`` and
    ``areawise_mask`` (``(n_scales, n)`` bool, aligned with the coherence of the
    job's series on its grid; areawise within pointwise for the ``areawise`` test),
    ``critical_area`` (the patch size, in the test's measure, above which a patch is
    areawise significant), ``area_level``, ``area_measure`` and ``area_test``,
    and for the ``cumulative`` test ``cumulative_levels`` and
    ``cumulative_critical_areas`` (the pointwise levels of its pathways and the
    critical area at each); these are None for a thresholds-only job. ``areawise_test``
    is the deprecated name of ``area_test`` (the same value, for one release).
    """

    sig95: np.ndarray
    scales: np.ndarray
    freqs: np.ndarray
    period: np.ndarray
    seed: int
    mc_count: int
    significance_level: float
    computation_time: float
    backend_used: str
    ar1: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list, metadata={"strings": True})
    surrogate: str = "ar1"
    pointwise_mask: np.ndarray | None = None
    areawise_mask: np.ndarray | None = None
    critical_area: float | None = None
    area_level: float | None = None
    area_measure: str | None = None
    area_test: str | None = None
    cumulative_levels: np.ndarray | None = None
    cumulative_critical_areas: np.ndarray | None = None
    areawise_test: str | None = None

    def __post_init__(self) -> None:
        # ``areawise_test`` is the deprecated name of ``area_test`` (one release): a
        # result given either (a stored result of an earlier version) answers both
        if self.area_test is None and self.areawise_test is not None:
            self.area_test = str(self.areawise_test)
        self.areawise_test = self.area_test
