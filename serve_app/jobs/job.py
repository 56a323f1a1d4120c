"""Typed records of a significance job: its parameters and its stored state.

Plain Python (no Ray): the registry, the runner, the store and the HTTP layer share
these definitions, so each field and each choice set is named once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from pycwt_mod.options import (
    Areawise,
    MonteCarlo,
    Preprocessing,
    ResolvedGrid,
    ScaleGrid,
    from_dict,
    to_dict,
)

from ..records import JobStatus

__all__ = ["GPU_POLICIES", "PUBLIC_FIELDS", "GpuPolicy", "Job", "JobParams", "mc_passes"]

#: How job chunks are placed on GPUs: ``auto`` puts backend ``auto`` on GPUs when the
#: cluster has some (``gpu`` always asks for one, ``ray`` stays on CPUs); ``always``
#: puts ``ray``/``auto`` on GPUs too; ``never`` refuses GPU jobs.
GpuPolicy = Literal["auto", "never", "always"]
GPU_POLICIES: tuple[str, ...] = get_args(GpuPolicy)


#: Flat keys of rows written before the option types (still resumed): key -> (type, field).
_LEGACY = {
    "dt": ("grid", "dt"), "dj": ("grid", "dj"), "s0": ("grid", "s0"), "J": ("grid", "J"),
    "wavelet": ("grid", "wavelet"), "significance_level": ("mc", "significance_level"),
    "mc_count": ("mc", "mc_count"), "seed": ("mc", "seed"), "surrogate": ("mc", "surrogate"),
    "backend": ("mc", "backend"), "chunk_size": ("mc", "chunk_size"),
    "area_level": ("area", "area_level"), "area_measure": ("area", "area_measure"),
    "areawise_test": ("area", "area_test"),
}  # fmt: skip


@dataclass(frozen=True)
class JobParams:
    """What a runner needs to compute a job: the options and the reduced series.

    Attributes
    ----------
    grid : ScaleGrid
        Resolved: ``dt``, ``s0`` (a number) and ``J`` (>= 0) fixed at submission.
    monte_carlo : MonteCarlo
        The test; its ``seed`` is fixed (drawn at submission when the request gave
        none), its ``backend`` is the job's label (``ray`` or ``gpu``: chunks as Ray
        tasks; another name runs inside the runner), its ``chunk_size`` the service's,
        fixed at the first attempt, its ``cache`` off.
    areawise : Areawise or None
        The areawise test, when the job runs it after the thresholds.
    preprocessing : Preprocessing
        As the request gave it (the kept series are already preprocessed).
    n : int
        Length of the series.
    a1, a2 : float
        Lag-1 coefficients of the red noise (0 for the data-driven families).
    warnings : tuple of str
        How ``a1``/``a2`` were obtained when not the unbiased estimates.
    data1, data2 : tuple of float or None
        The preprocessed series when the job needs them (a data-driven family or the
        areawise test); None otherwise, so AR(1) jobs stay small. Kept with the job
        (the registry stores them as a blob apart) so that a resumed attempt
        rebuilds the same plan.
    """

    grid: ScaleGrid
    monte_carlo: MonteCarlo
    n: int
    a1: float = 0.0
    a2: float = 0.0
    areawise: Areawise | None = None
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    warnings: tuple[str, ...] = ()
    data1: tuple[float, ...] | None = None
    data2: tuple[float, ...] | None = None

    @property
    def passes(self) -> int:
        """Monte Carlo passes of ``mc_count`` pairs: `mc_passes`."""
        return mc_passes(self.areawise is not None)

    @property
    def backend(self) -> str:
        """The job's backend label."""
        return self.monte_carlo.backend

    @property
    def mc_count(self) -> int:
        """Surrogate pairs of one pass."""
        return self.monte_carlo.mc_count

    def resolved_grid(self) -> ResolvedGrid:
        """The job's scale grid."""
        return self.grid.resolve(self.n)

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
        return {
            "grid": to_dict(self.grid),
            "monte_carlo": to_dict(self.monte_carlo),
            "areawise": None if self.areawise is None else to_dict(self.areawise),
            "preprocessing": to_dict(self.preprocessing),
            "n": self.n,
            "a1": self.a1,
            "a2": self.a2,
            "warnings": list(self.warnings),
            "data1": None if self.data1 is None else list(self.data1),
            "data2": None if self.data2 is None else list(self.data2),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobParams:
        """Inverse of `to_dict`; also reads the flat rows of earlier versions.

        Raises
        ------
        KeyError
            When a required field is missing (a row written by an incompatible version).
        """
        if "grid" not in data:  # a flat row of an earlier version
            parts: dict[str, dict] = {"grid": {}, "mc": {}, "area": {}}
            for key, (part, name) in _LEGACY.items():
                if key in data:
                    parts[part][name] = data[key]
            data = {
                **data,
                "grid": parts["grid"],
                "monte_carlo": {**parts["mc"], "cache": False},
                "areawise": parts["area"] if data.get("areawise") else None,
                "preprocessing": {},
            }
        area = data.get("areawise")
        tuples = {k: None if data.get(k) is None else tuple(data[k]) for k in ("data1", "data2")}
        return cls(
            grid=from_dict(ScaleGrid, data["grid"]),
            monte_carlo=from_dict(MonteCarlo, data["monte_carlo"]),
            areawise=None if area is None else from_dict(Areawise, area),
            preprocessing=from_dict(Preprocessing, data.get("preprocessing") or {}),
            n=int(data["n"]),
            a1=float(data.get("a1", 0.0)),
            a2=float(data.get("a2", 0.0)),
            warnings=tuple(data.get("warnings") or ()),
            **tuples,
        )


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
    "attempts",
    "resumptions",
    "runner_node",
    "runner_pid",
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
    runner_pid : int or None
        Process id of the current attempt's runner (on ``runner_node``).
    idempotency_key : str or None
        The ``Idempotency-Key`` of the submission (one job per owner and key).
    suspended : bool
        Stopped by a graceful stop of the service: its resumption is not counted.
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
    runner_pid: int | None = None
    idempotency_key: str | None = None
    suspended: bool = False

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
        data["suspended"] = bool(data.get("suspended"))
        return cls(**data)

    def to_row(self) -> dict[str, Any]:
        """The store row of this job."""
        row = dataclasses.asdict(self)
        row["status"] = self.status.value
        return row

    def public(self) -> dict[str, Any]:
        """What API callers see (no parameters, runner name, owner or key)."""
        view = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        view["status"] = self.status.value
        view["chunk_nodes"] = dict(self.chunk_nodes)
        return view

    def job_params(self) -> JobParams:
        """The typed parameters."""
        return JobParams.from_dict(self.params)
