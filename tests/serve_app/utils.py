"""Test series and helpers shared by the serve tests."""

from __future__ import annotations

import time

import numpy as np

from pycwt_mod.options import ScaleGrid


def series(n: int = 256, seed: int = 0, period: float = 16.0) -> np.ndarray:
    """A sine of ``period`` samples plus AR(1)-ish noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    noise = np.convolve(rng.standard_normal(n + 8), np.ones(4) / 4, mode="same")[:n]
    return np.sin(2 * np.pi * t / period) + 0.5 * noise


def nan_array(value) -> np.ndarray:
    """JSON list (null for NaN) back to a float array."""
    return np.array(value, dtype=float)  # None -> nan


def complex_array(value: dict) -> np.ndarray:
    """``{"real", "imag"}`` back to a complex array."""
    return nan_array(value["real"]) + 1j * nan_array(value["imag"])


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1):
    """Poll ``predicate()`` until it returns a truthy value; return that value.

    A poll of a job over HTTP costs the service about 20 ms of CPU (proxy, ingress,
    registry): at 20 polls a second that is a fifth of this 2-CPU cluster, taken from
    the job being waited for. Pass a shorter ``interval`` only to catch a short state.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


def default_grid(n: int, dt: float, dj: float):
    """``(s0, J, scales)`` of the default scale grid for ``n`` samples (`ScaleGrid.resolve`)."""
    g = ScaleGrid(dt=dt, dj=dj).resolve(n)
    return g.s0, g.J, g.scales
