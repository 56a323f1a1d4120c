"""Custom metrics of the significance jobs, exported next to Ray's built-in ones.

They are `ray.serve.metrics` objects (Ray's metric API; in a Serve replica they also get
the deployment/replica/application tags) recorded by the `JobRegistry` actor on each
job transition, and exported by every node's Ray metrics agent in Prometheus text
format (names get Ray's ``ray_`` prefix; counters end in ``_total``):

=================================  ==========  ===================================
exported name                      type        meaning
=================================  ==========  ===================================
``ray_pycwt_jobs_submitted_total``  counter     jobs accepted, tag ``backend``
``ray_pycwt_jobs_finished_total``   counter     jobs ended, tags ``status``
                                               (completed, failed, cancelled) and
                                               ``backend``
``ray_pycwt_jobs_active``           gauge       queued + running jobs
``ray_pycwt_mc_pairs_per_second``   histogram   surrogate pairs per second of each
                                               completed job, tag ``backend``
=================================  ==========  ===================================

Counters restart from 0 when the registry actor restarts (Prometheus' ``rate()``
handles resets).
"""

from __future__ import annotations

__all__ = ["JobMetrics"]

#: Buckets of the pairs-per-second histogram.
PAIRS_PER_SECOND_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]


class JobMetrics:
    """The job metrics of one registry; every method is best effort (never raises)."""

    def __init__(self):
        from ray.serve.metrics import Counter, Gauge, Histogram

        self.submitted = Counter(
            "pycwt_jobs_submitted",
            description="Significance jobs accepted.",
            tag_keys=("backend",),
        )
        self.finished = Counter(
            "pycwt_jobs_finished",
            description="Significance jobs that reached a terminal state.",
            tag_keys=("status", "backend"),
        )
        self.active = Gauge("pycwt_jobs_active", description="Queued plus running jobs.")
        self.pairs_per_second = Histogram(
            "pycwt_mc_pairs_per_second",
            description="Monte Carlo surrogate pairs per second of each completed job.",
            boundaries=PAIRS_PER_SECOND_BUCKETS,
            tag_keys=("backend",),
        )

    def job_submitted(self, backend: str, active: int) -> None:
        """Count a submission and set the active gauge."""
        try:
            self.submitted.inc(tags={"backend": backend})
            self.active.set(active)
        except Exception:  # metrics must never break a job
            pass

    def set_active(self, active: int) -> None:
        """Set the gauge of queued plus running jobs."""
        try:
            self.active.set(active)
        except Exception:
            pass

    def job_finished(
        self, status: str, backend: str, active: int, pairs_per_second: float | None = None
    ) -> None:
        """Count a terminal transition (and the throughput of a completed job)."""
        try:
            self.finished.inc(tags={"status": status, "backend": backend})
            self.active.set(active)
            if pairs_per_second is not None and pairs_per_second > 0:
                self.pairs_per_second.observe(pairs_per_second, tags={"backend": backend})
        except Exception:
            pass
