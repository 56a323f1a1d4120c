"""Typed records of a significance job: its parameters and its stored state.

Plain Python (no Ray): the registry, the runner, the store and the HTTP layer share
these definitions, so each field and each choice set is named once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from ..records import JobStatus

__all__ = ["GPU_POLICIES", "PUBLIC_FIELDS", "GpuPolicy", "Job", "JobParams", "mc_passes"]

#: How job chunks are placed on GPUs: ``auto`` puts backend ``auto`` on GPUs when the
#: cluster has some (``gpu`` always asks for one, ``ray`` stays on CPUs); ``always``
#: puts ``ray``/``auto`` on GPUs too; ``never`` refuses GPU jobs.
GpuPolicy = Literal["auto", "never", "always"]
GPU_POLICIES: tuple[str, ...] = get_args(GpuPolicy)


@dataclass(frozen=True)
class JobParams:
    """What a runner needs to compute a job (the series are reduced to their AR(1)).

    Attributes
    ----------
    a1, a2 : float
        Lag-1 autocorrelations of the two series.
    n : int
        Length of the series (for the scale grid of the result).
    dt, dj, s0 : float
        Sample spacing, scale spacing, smallest scale (resolved).
    J : int
        Number of scales less one (resolved).
    wavelet : str
        Mother wavelet name.
    significance_level : float
    mc_count : int
    seed : int
        Root seed (drawn at submission when the request gave none).
    backend : str
        ``ray`` or ``gpu`` (chunks as Ray tasks), or a backend run inside the runner.
    chunk_size : int or None
        Surrogate pairs per chunk (None: the backend's default).
    warnings : tuple of str
        How ``a1``/``a2`` were obtained when not the unbiased estimates.
    surrogate : str
        Null-hypothesis family of the thresholds (`pycwt_mod.SURROGATES`).
    areawise : bool
        Whether the job also runs the areawise test (`pycwt_mod.areawise_coherence`).
    area_level, area_measure, areawise_test
        Options of the areawise test (used only with ``areawise``).
    data1, data2 : tuple of float or None
        The series (after ``detrend``) when the job needs them: for the ``phase`` and
        ``iaaft`` families (their plan is built from them) and for the areawise test;
        None otherwise, so AR(1) jobs stay small. Kept with the job (the registry
        stores them as a blob apart from the other parameters) so that a resumed
        attempt rebuilds the same plan.
    """

    a1: float
    a2: float
    n: int
    dt: float
    dj: float
    s0: float
    J: int
    wavelet: str
    significance_level: float
    mc_count: int
    seed: int
    backend: str
    chunk_size: int | None = None
    warnings: tuple[str, ...] = ()
    surrogate: str = "ar1"
    areawise: bool = False
    area_level: float = 0.95
    area_measure: str = "maraun"
    areawise_test: str = "areawise"
    data1: tuple[float, ...] | None = None
    data2: tuple[float, ...] | None = None

    @property
    def passes(self) -> int:
        """Monte Carlo passes of ``mc_count`` pairs: `mc_passes`."""
        return mc_passes(self.areawise)

    def series(self):
        """``(y1, y2)`` float arrays of the kept series.

        Raises
        ------
        ValueError
            When the job kept none (a row of an older version).
        """
        if self.data1 is None or self.data2 is None:
            raise ValueError(
                "this job kept no series (written by an older version); submit it again"
            )
        return np.asarray(self.data1, dtype=float), np.asarray(self.data2, dtype=float)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (stored with the job)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobParams:
        """Inverse of `to_dict`.

        Raises
        ------
        KeyError
            When a required field is missing (a row written by an incompatible version).
        """
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        for name in ("warnings", "data1", "data2"):  # lists once through JSON
            if kwargs.get(name) is not None:
                kwargs[name] = tuple(kwargs[name])
        return cls(**kwargs)


def mc_passes(areawise: bool) -> int:
    """Passes of ``mc_count`` surrogate pairs a job runs (its progress counts them all).

    1: the thresholds (of every level its tests need, from one histogram); 2 with
    ``areawise`` (then the null patches).
    """
    return 2 if areawise else 1


#: Fields of `Job` shown to API callers (`Job.public`).
PUBLIC_FIELDS = (
    "job_id",
    "status",
    "progress",
    "created_at",
    "started_at",
    "completed_at",
    "error",
    "backend",
    "mc_count",
    "cancel_requested",
    "runner_node",
    "chunk_nodes",
)


@dataclass(frozen=True)
class Job:
    """One job as stored (a row of `serve_app.jobs.store.JobStore`).

    Attributes
    ----------
    job_id : str
    status : JobStatus
    progress : float
        Finished surrogate pairs / mc_count, in [0, 1].
    created_at, started_at, completed_at : str or None
        ISO 8601 UTC timestamps.
    error : str or None
        Why a job failed (or was stopped by force).
    backend : str
        Backend label of the job (the one used, once completed).
    mc_count : int
    cancel_requested : bool
    runner_name : str
        Name of the detached runner actor of the current attempt.
    params : dict
        `JobParams.to_dict` (kept as stored, so rows of older versions still load).
    owner : str or None
        API key fingerprint of the submitter (None: open API).
    attempts : int
        Runs started so far (a dead runner's job is started once more).
    resumptions : int
        Times the job was resumed after the whole service restarted.
    runner_node : str or None
        Ray node id of the current attempt's runner.
    chunk_nodes : dict
        Ray node id -> surrogate pairs of the finished chunks computed there.
    """

    job_id: str
    status: JobStatus
    progress: float
    created_at: str
    backend: str
    mc_count: int
    runner_name: str
    params: dict[str, Any]
    started_at: str | None = None
    completed_at: str | None = None
    error: str | None = None
    cancel_requested: bool = False
    owner: str | None = None
    attempts: int = 1
    resumptions: int = 0
    runner_node: str | None = None
    chunk_nodes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        """A job from a store row (unknown columns are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in row.items() if k in names}
        data["status"] = JobStatus(data["status"])
        data["cancel_requested"] = bool(data.get("cancel_requested"))
        data["attempts"] = int(data.get("attempts") or 1)
        data["resumptions"] = int(data.get("resumptions") or 0)
        data["chunk_nodes"] = dict(data.get("chunk_nodes") or {})
        return cls(**data)

    def to_row(self) -> dict[str, Any]:
        """The store row of this job."""
        row = dataclasses.asdict(self)
        row["status"] = self.status.value
        return row

    def public(self) -> dict[str, Any]:
        """What API callers see (no parameters, runner name, owner or attempts)."""
        view = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        view["status"] = self.status.value
        view["chunk_nodes"] = dict(self.chunk_nodes)
        return view

    def job_params(self) -> JobParams:
        """The typed parameters."""
        return JobParams.from_dict(self.params)
