"""GPU backend: the same kernel on cupy arrays on the local CUDA device.

The noise is drawn with numpy on the host, as for the CPU backends, but cuFFT and
the device's arithmetic round differently from scipy.fft: the thresholds agree with
the CPU backends' within Monte Carlo error, not bit for bit (``bench/gpu_check.sh``
prints the difference). Install cupy for the machine's CUDA with the extra
``pycwt-mod[gpu-cuda12]`` or ``pycwt-mod[gpu-cuda13]``.
"""

from __future__ import annotations

import importlib.util

from ..chunks import run_chunk
from .base import MonteCarloBackend

#: Memory bound of one batched step on the GPU.
GPU_BATCH_BYTES = 4 * 2**30


def gpu_unavailable_reason() -> str | None:
    """Why cupy cannot run on a local CUDA device here, or None if it can."""
    if importlib.util.find_spec("cupy") is None:
        return (
            "cupy is not installed: pip install 'pycwt-mod[gpu-cuda12]' or "
            "'pycwt-mod[gpu-cuda13]' (needs an NVIDIA GPU)"
        )
    try:
        import cupy

        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # cupy raises its own CUDA error types
        return f"no usable CUDA device: {exc}"
    if count < 1:
        return "no CUDA device is visible to this process"
    return None


class GPUBackend(MonteCarloBackend):
    """Runs chunks one by one with cupy on the local GPU (noise drawn on the host).

    Options
    -------
    batch_bytes : int
        Memory bound of one batched step (default 4 GiB).
    """

    name = "gpu"
    description = "The batched kernel on cupy arrays on the local NVIDIA GPU."
    capabilities = ("gpu", "cancel", "progress")

    @classmethod
    def unavailable_reason(cls):
        return gpu_unavailable_reason()

    def default_chunk_size(self, plan) -> int:
        return max(1, min(100, plan.mc_count))

    def _imap(self, plan, chunks, cancel):
        import cupy

        batch = self.options.get("batch_bytes", GPU_BATCH_BYTES)
        for a, b in chunks:
            yield (a, b), run_chunk(plan, a, b, xp=cupy, batch_bytes=batch)
