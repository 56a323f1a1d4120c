"""Ray backend: one Ray task per chunk, on CPUs or GPUs of a Ray cluster."""

from __future__ import annotations

import importlib.util
import time

from ..chunks import run_chunk
from ..plan import Cancelled
from .base import BackendUnavailableError, MonteCarloBackend
from .gpu import GPU_BATCH_BYTES, gpu_unavailable_reason
from .ray_address import CONNECT_TIMEOUT_S, connect


def _ray_chunk(plan, a, b, use_gpu):
    """One chunk, as a Ray task (process title ``ray::_ray_chunk``).

    Returns ``(part, node id, error)``: ``part`` None and ``error`` the reason when a
    GPU task landed on a logical GPU without a usable device (a value, not an
    exception: retrying on the same node would not help).
    """
    import ray

    node = ray.get_runtime_context().get_node_id()
    if not use_gpu:
        return run_chunk(plan, a, b, workers=1), node, None
    reason = gpu_unavailable_reason()
    if reason is not None:
        return None, node, (
            f"chunk [{a}, {b}) was placed on Ray node {node} (GPU ids {ray.get_gpu_ids()}), "
            f"which cannot run the GPU kernel: {reason}"
        )  # fmt: skip
    import cupy

    return run_chunk(plan, a, b, xp=cupy, batch_bytes=GPU_BATCH_BYTES), node, None


class RayBackend(MonteCarloBackend):
    """Fans chunks out as Ray tasks.

    Uses the Ray connection of the process; when Ray is not initialised yet, it
    joins the cluster at ``address`` or starts a fresh local one
    (`pycwt_mod.montecarlo.backends.ray_address.connect`: never the cluster of a
    stale current-cluster file, never an unbounded wait). Each finished chunk
    reports the Ray node it ran on (the ``where`` of ``run(on_chunk=)``).

    Options
    -------
    use_gpu : bool
        One GPU per task (cupy kernel); raises `BackendUnavailableError` at once
        if the cluster has no GPU resource (such a task would pend forever), and
        when a task lands on a node whose logical GPU cannot run the kernel (the
        error names the node and why).
    num_cpus : float
        CPUs per task when not on GPU (default 1).
    timeout_s : float
        Deadline for the whole run; `TimeoutError` past it (default none).
    max_retries : int
        Retries of a failed or lost chunk task (default 3); chunks are
        deterministic, so a retry gives the same histogram.
    address : str
        Cluster to join when Ray is not initialised: None (default) is
        ``RAY_ADDRESS`` if set, else a fresh local cluster; ``"auto"`` the cluster
        of Ray's current-cluster file (written by ``ray start``); or
        ``host:port`` / ``ray://host:port``.
    connect_timeout_s : float
        Seconds the head of an explicit address gets to answer (default 10);
        `BackendUnavailableError` naming the address past it.
    poll_s : float
        How often cancellation and the deadline are checked (default 0.25 s).
    defer_cancel : bool
        Leave the chunk tasks still running when a run ends early (cancelled, timed
        out, failed) to `cancel_leftovers` instead of cancelling them on the way out
        (default False). A caller that must record the end first (a job runner)
        cancels them after.
    """

    name = "ray"
    description = "One Ray task per chunk across a Ray cluster (CPU, or one GPU per task)."
    capabilities = ("cpu", "gpu", "distributed", "cancel", "progress", "retries")

    def __init__(self, **options):
        super().__init__(**options)
        self._leftovers: list = []

    @classmethod
    def unavailable_reason(cls):
        if importlib.util.find_spec("ray") is None:
            return "ray is not installed: pip install 'pycwt-mod[serve]'"
        return None

    def parallelism(self) -> int:
        import ray

        if not ray.is_initialized():
            return 4
        key = "GPU" if self.options.get("use_gpu") else "CPU"
        return max(1, int(ray.cluster_resources().get(key, 1)))

    def cancel_leftovers(self) -> None:
        """Force-cancel the chunk tasks that runs ended early left running."""
        import ray

        leftovers, self._leftovers = self._leftovers, []
        for ref in leftovers:
            try:
                ray.cancel(ref, force=True)
            except Exception:  # finished or gone meanwhile
                pass

    def _imap(self, plan, chunks, cancel):
        import ray

        if not ray.is_initialized():
            connect(
                self.options.get("address"),
                self.options.get("connect_timeout_s", CONNECT_TIMEOUT_S),
            )
        use_gpu = bool(self.options.get("use_gpu", False))
        if use_gpu and ray.cluster_resources().get("GPU", 0) < 1:
            raise BackendUnavailableError(
                "use_gpu=True but the Ray cluster reports no GPU resource (no node has "
                "one now); add GPU workers or run on CPU"
            )
        resources = {"num_gpus": 1, "num_cpus": 0} if use_gpu else {
            "num_cpus": self.options.get("num_cpus", 1)
        }  # fmt: skip
        task = ray.remote(_ray_chunk).options(
            max_retries=self.options.get("max_retries", 3), retry_exceptions=True, **resources
        )
        plan_ref = ray.put(plan)
        pending = {task.remote(plan_ref, a, b, use_gpu): (a, b) for a, b in chunks}
        timeout = self.options.get("timeout_s")
        deadline = None if timeout is None else time.monotonic() + timeout
        poll = self.options.get("poll_s", 0.25)
        try:
            while pending:
                if cancel is not None and cancel():
                    raise Cancelled("cancelled while chunks were running")
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"Monte Carlo chunks did not finish within {timeout} s")
                ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=poll)
                for ref in ready:
                    chunk = pending.pop(ref)
                    part, node, error = ray.get(ref)
                    if error is not None:
                        raise BackendUnavailableError(error)
                    yield chunk, part, node
        finally:
            # Only tasks still running: force-cancelling one whose reply is arriving
            # aborts the driver in Ray 2.60 ("Tried to complete task that was not
            # pending", ray-project/ray#54798), so the finished ones are left alone.
            if pending:
                _, running = ray.wait(list(pending), num_returns=len(pending), timeout=0)
                self._leftovers.extend(running)
                if not self.options.get("defer_cancel", False):
                    self.cancel_leftovers()
