"""N-D inputs of the labelled API: one analysis per index of the other dimensions.

A DataArray with more dimensions than its time dimension ``dim`` (stations, grid
points, ensemble members) is analysed along ``dim`` once per index of the others,
through `xarray.apply_ufunc` (``vectorize=True``, ``dask="parallelized"``): a
dask-backed array stays lazy and is computed chunk by chunk, each chunk holding
the whole of ``dim``. Every series gets the numbers the 1-D call gives for it
(the same options; one root seed for all, drawn once when none is given, so every
series sees the same surrogate draws). What varies per series and is an attr of
a 1-D result (``ar1``, ``variance``, ``n_missing``, ...) becomes a variable over
the other dimensions.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable

import numpy as np

from ..pipeline import anomaly_period, draw_seed
from .keywords import Chosen
from .series import _libs, _read, _same_time

__all__: list[str] = []

#: Attrs of a 1-D result that depend on the series: variables of an N-D result.
PER_SERIES = ("ar1", "variance", "n_missing", "ar1_a", "ar1_b", "critical_area")
_TEMPLATE_SEED = 20261202  # the template series (coordinates, dtypes), not the data


def is_stacked(*objs) -> bool:
    """True when an input is a DataArray with more than one dimension."""
    _, xr = _libs()
    return any(isinstance(o, xr.DataArray) and o.ndim > 1 for o in objs)


def _time_only(obj, dim: str | None, name: str):
    """A 1-D DataArray with ``obj``'s time coordinate and labels (no data read)."""
    _, xr = _libs()
    if not isinstance(obj, xr.DataArray):
        raise ValueError(f"`{name}` must be a DataArray with `dim` when another input is N-D")
    if dim is None or dim not in obj.dims:
        raise ValueError(
            f"`dim` must name the time dimension of the N-D `{name}` (dims {obj.dims}; got {dim!r})"
        )
    coords = {dim: obj[dim]} if dim in obj.coords else {}
    return xr.DataArray(np.zeros(obj.sizes[dim]), coords=coords, dims=dim, name=obj.name,
                        attrs=obj.attrs)  # fmt: skip


def _keywords(func: Callable, options: Chosen, dt: float, unit: str) -> dict:
    """The keywords of one 1-D call: the options as objects, ``dt`` and ``unit`` numeric."""
    pre = options.preprocessing
    period = anomaly_period(pre, dt, unit)  # "auto" needs the dates: resolved here
    pre = dataclasses.replace(pre, anomalies=None if period is None else int(period))
    params = inspect.signature(func).parameters
    kw = {"dt": dt, "unit": unit, "grid": dataclasses.replace(options.grid, dt=None),
          "preprocessing": pre}  # fmt: skip
    mc = options.monte_carlo
    if "monte_carlo" in params:
        kw["monte_carlo"] = mc if mc.seed is not None else dataclasses.replace(mc, seed=draw_seed())
    else:
        kw["significance_level"] = mc.significance_level
    if "areawise" in params:
        kw["areawise"] = options.areawise if options.areawise is not None else False
    if "spectrum" in params:
        kw["spectrum"] = options.spectrum
    return kw


def analyze_stacked(func: Callable, objs: tuple, dim: str | None, options: Chosen, **extra):
    """``func`` (`cwt`, `xwt` or `wct`) over the other dimensions of N-D ``objs``.

    Parameters
    ----------
    func : callable
        The public labelled function; it is called on 1-D numpy series.
    objs : tuple of xarray.DataArray
        The inputs (one or two), each with dimension ``dim``; they broadcast
        against each other over the other dimensions.
    dim : str
        The time dimension.
    options : Chosen
        The call's options.
    **extra
        Further keywords of ``func`` (``wave``, ``sig``, ``progress``).

    Returns
    -------
    xarray.Dataset
        The variables of the 1-D result with the other dimensions first, the
        `PER_SERIES` attrs as variables over the other dimensions, the other
        attrs and the coordinates of the 1-D result and of the inputs.

    Raises
    ------
    ValueError
        For a missing or unknown ``dim``, a time dimension that is chunked
        (dask), or an input ``time`` dimension that is not ``dim``.
    """
    _, xr = _libs()
    names = ("obj",) if len(objs) == 1 else ("a", "b")
    axes = [
        _read(_time_only(o, dim, n), options.dt, dim, None, n)
        for o, n in zip(objs, names, strict=True)
    ]
    if len(axes) == 2:
        _same_time(*axes)
    s = axes[0]
    kw = _keywords(func, options, s.dt, s.unit)
    rng = np.random.default_rng(_TEMPLATE_SEED)
    template = func(*(rng.standard_normal(s.values.size) for _ in objs), **kw, **extra)
    variables = [v for v in template.data_vars]
    per_series = [k for k in PER_SERIES if k in template.attrs]
    out_dims = [[d if d != "time" else dim for d in template[v].dims] for v in variables]

    def core(*series):
        ds = func(*series, **kw, **extra)
        return (*(ds[v].values for v in variables), *(np.asarray(ds.attrs[k]) for k in per_series))

    stacked = [o.chunk({dim: -1}) if o.chunks is not None else o for o in objs]
    results = xr.apply_ufunc(
        core,
        *stacked,
        input_core_dims=[[dim]] * len(objs),
        output_core_dims=[*out_dims, *([] for _ in per_series)],
        vectorize=True,
        dask="parallelized",
        output_dtypes=[*(template[v].dtype for v in variables),
                       *(np.asarray(template.attrs[k]).dtype for k in per_series)],
        dask_gufunc_kwargs={"output_sizes": {"period": template.sizes["period"]}},
    )  # fmt: skip
    data = {}
    for name, res, dims in zip(variables, results, out_dims, strict=False):
        data[name] = res.transpose(*(d for d in res.dims if d not in dims), *dims)
        data[name].attrs = template[name].attrs
    for k, res in zip(per_series, results[len(variables) :], strict=True):
        data[k] = res
    attrs = {k: v for k, v in template.attrs.items() if k not in PER_SERIES and k != "warnings"}
    ds = xr.Dataset(data, attrs=attrs)
    ds = ds.assign_coords(period=template["period"], scale=template["scale"])
    if dim in objs[0].coords:
        ds = ds.assign_coords({dim: objs[0][dim]})
    if len(axes) == 1:
        ds.attrs.update(series_name=s.name, units=s.units)
    else:
        ds.attrs["series_names"] = ", ".join(a.name for a in axes)
    ds.attrs["stacked_over"] = ", ".join(d for d in ds.dims if d not in (dim, "period"))
    return ds.rename({dim: "time"}) if dim != "time" else ds
