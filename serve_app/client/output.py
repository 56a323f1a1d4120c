"""What the CLI writes: ``.npz`` (every result array), ``.csv`` (a table), or a figure:
``.png``, or vector ``.svg`` / ``.pdf`` (for a journal).

numpy only; a figure needs matplotlib, imported by `pycwt_mod.plot` only then.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pycwt_mod.plot import to_bytes

__all__ = ["OUTPUT_SUFFIXES", "check_output", "time_label", "write_output"]

#: The output types, by suffix.
OUTPUT_SUFFIXES = (".npz", ".csv", ".png", ".svg", ".pdf")


def check_output(out: str | None) -> None:
    """Refuse an output path of an unknown type before anything is computed.

    Raises
    ------
    ValueError
        Naming the suffixes.
    """
    if out is not None and Path(out).suffix.lower() not in OUTPUT_SUFFIXES:
        raise ValueError(f"-o {out}: the suffix must be one of {', '.join(OUTPUT_SUFFIXES)}")


def time_label(t) -> str:
    """A time as a column header: a date in its own precision, a number in ``%g``."""
    if isinstance(t, np.datetime64):
        return np.datetime_as_string(t, unit="auto")
    return f"{t:g}"


def write_output(
    out: str, arrays: dict[str, Any], table: tuple, png: Callable, dpi: int = 100
) -> str:
    """Write ``arrays`` (.npz), ``table`` (.csv) or ``png()``, a figure (.png, .svg or
    .pdf, at ``dpi``); return ``out``.

    Parameters
    ----------
    out : str
        The path; its suffix picks the type.
    arrays : dict
        Named arrays (None values are left out).
    table : (period, matrix, time, name)
        One row per period, one column per sample, headed ``name@t=<time>``.
    png : callable
        Makes the figure (called only for a figure).
    dpi : int
        Pixels per inch of a figure (of its shading only, in .svg and .pdf).

    Raises
    ------
    ValueError
        For an unknown suffix.
    """
    suffix = Path(out).suffix.lower()
    if suffix == ".npz":
        np.savez(out, **{k: np.asarray(v) for k, v in arrays.items() if v is not None})
    elif suffix == ".csv":
        period, matrix, t, name = table
        with open(out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["period", *[f"{name}@t={time_label(x)}" for x in t]])
            for p, row in zip(period, matrix, strict=True):
                w.writerow([repr(float(p)), *(repr(float(v)) for v in row)])
    elif suffix in (".png", ".svg", ".pdf"):
        Path(out).write_bytes(to_bytes(png(), suffix[1:], dpi=dpi))
    else:
        raise ValueError(
            f"unknown output type {suffix!r} for {out}; use {', '.join(OUTPUT_SUFFIXES)}"
        )
    return out
