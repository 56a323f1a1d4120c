"""Labelled series given to the `Client`: their time axis gives ``dt``, and two must agree.

A pandas ``Series`` with a ``DatetimeIndex`` (or a numeric index that is not the
default ``RangeIndex``) and a 1-D xarray ``DataArray`` with a time coordinate carry
their sample spacing: `read_series` takes ``dt`` (and its unit) from it, as the
labelled API does (`pycwt_mod.timeaxis.time_spacing`: monthly dates give 1/12 year),
refuses a ``dt`` that contradicts it, and refuses two series on different time axes
with the labelled API's message (how to align them). The labels come back with the
result (``result.time``). Nothing here imports pandas or xarray: a labelled object
is recognised by what it has (``index`` and ``to_numpy``; ``dims`` and ``coords``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pycwt_mod.timeaxis import same_time_axis, time_spacing

__all__ = ["LabelledSeries", "read_series"]


@dataclass(frozen=True)
class LabelledSeries:
    """The series of one call, their time labels and spacing.

    Attributes
    ----------
    values : tuple of (n,) ndarray
    time : (n,) ndarray or None
        datetime64 or float labels, None for plain arrays.
    dt : float or None
        From the labels, else the caller's.
    unit : str
        Of ``dt`` and the periods ("" when unknown).
    """

    values: tuple[np.ndarray, ...]
    time: np.ndarray | None
    dt: float | None
    unit: str


def _labels(obj: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Values and time labels of a pandas Series, a 1-D DataArray or an array."""
    if hasattr(obj, "index") and hasattr(obj, "to_numpy"):  # a pandas Series
        index = obj.index
        if type(index).__name__ == "RangeIndex":
            return obj.to_numpy(dtype=float, na_value=np.nan), None
        if getattr(index, "tz", None) is not None:
            index = index.tz_convert(None)
        return obj.to_numpy(dtype=float, na_value=np.nan), np.asarray(index.to_numpy())
    if hasattr(obj, "dims") and hasattr(obj, "coords"):  # an xarray DataArray
        if len(obj.dims) != 1:
            raise ValueError(
                f"a DataArray sent to the service must be 1-D (got dims {tuple(obj.dims)}); "
                "select the other dimensions first, or use pycwt_mod.labelled with dim="
            )
        (dim,) = obj.dims
        time = np.asarray(obj.coords[dim].values) if dim in obj.coords else None
        return np.asarray(obj.values, dtype=float), time
    return np.asarray(obj), None


def read_series(objs: tuple, dt: Any = None) -> LabelledSeries:
    """The arrays to send, and ``dt`` from the series' time axis when they have one.

    Parameters
    ----------
    objs : tuple
        One or two series: pandas Series, 1-D DataArrays or array_like.
    dt : float, optional
        The caller's spacing: needed for plain arrays; with dates it must be left
        out; with numeric labels it must agree with their spacing.

    Returns
    -------
    LabelledSeries

    Raises
    ------
    ValueError
        Labels on different time axes, unevenly spaced labels, or a ``dt`` that
        contradicts them.
    """
    read = [_labels(o) for o in objs]
    times = [t for _, t in read if t is not None]
    values = tuple(v for v, _ in read)
    if not times:
        return LabelledSeries(values, None, dt, "")
    if len(times) != len(objs):
        raise ValueError(
            "one series has a time axis and the other none: give both the same labels, "
            "or send both as plain arrays with dt"
        )
    for other in times[1:]:
        same_time_axis(times[0], other)
    step, unit = time_spacing(times[0])
    if dt is not None:
        if np.issubdtype(times[0].dtype, np.datetime64):
            raise ValueError(
                f"dt comes from the dates of the series (got dt={dt!r} as well); drop dt, "
                "or send the bare values with dt"
            )
        if not np.isclose(float(dt), step, rtol=1e-6, atol=0):
            raise ValueError(
                f"dt ({dt!r}) disagrees with the spacing of the series' labels ({step!r}); drop dt"
            )
    return LabelledSeries(values, times[0], float(step), unit)
