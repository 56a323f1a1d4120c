"""Labelled results of selected coefficients: `reconstruct` (a band of a `cwt`
Dataset as a series) and `phase_stats` (the mean phase and lag of an `xwt` or `wct`
Dataset over a band and a time window). See `pycwt_mod.labelled`."""

from __future__ import annotations

import numpy as np

from ..phase import phase_statistics
from ..reconstruct import reconstruct as _reconstruct
from .attrs import _mother_from_attrs
from .series import _libs

__all__ = ["phase_stats", "reconstruct"]


def _reliable(ds) -> np.ndarray:
    """Outside the cone of influence and out of a gap's reach."""
    period = ds["period"].values
    return (period[:, np.newaxis] <= ds["coi"].values[np.newaxis, :]) & ~ds["gap_mask"].values


def _window_mask(ds, window) -> np.ndarray:
    """The times of ``ds`` in ``window`` (inclusive; dates or numbers as the axis)."""
    index = ds.indexes["time"]
    try:
        where = index.slice_indexer(window[0], window[1])
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"`window` {window!r} does not fit the time axis ({exc})") from None
    keep = np.zeros(index.size, dtype=bool)
    keep[where] = True
    if not keep.any():
        raise ValueError(
            f"`window` {window!r} holds no sample (times run from {index[0]} to {index[-1]})"
        )
    return keep


def reconstruct(ds, band=None, *, significant: bool = False, outside_coi: bool = False):
    """A series rebuilt from a band of periods of a `cwt` Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Result of `cwt` with ``wave=True`` (uses ``wave``, ``scale``, ``period``,
        ``coi``, ``gap_mask``, ``power``, ``sig95`` and the attrs ``dt``, ``dj``,
        ``wavelet``).
    band : (float, float), optional
        Shortest and longest period, in the Dataset's time unit; default all.
    significant : bool, optional
        Only the coefficients with ``power > sig95``.
    outside_coi : bool, optional
        Only the coefficients outside the cone of influence and out of a gap's
        reach (``gap_mask``).

    Returns
    -------
    xarray.DataArray
        (time), named ``reconstruction``: ``pycwt_mod.reconstruct.reconstruct``
        (Torrence & Compo 1998, eq. 29), in the unit of the preprocessed series,
        without its mean. Attrs ``band_min``, ``band_max`` (the periods summed),
        ``fraction_used``, ``significant``, ``outside_coi`` and those of ``ds``.

    Raises
    ------
    ValueError
        For a Dataset without ``wave`` or not a `cwt` result, or a band holding no
        period.
    """
    _, xr = _libs()
    if not isinstance(ds, xr.Dataset) or "wave" not in ds or "sig95" not in ds:
        raise ValueError("`ds` must be a Dataset of pycwt_mod.labelled.cwt with wave=True")
    mask = None
    if significant:
        mask = ds["power"].values > ds["sig95"].values[:, np.newaxis]
    if outside_coi:
        reliable = _reliable(ds)
        mask = reliable if mask is None else mask & reliable
    r = _reconstruct(
        ds["wave"].values, ds["scale"].values, ds.attrs["dt"], ds.attrs["dj"],
        _mother_from_attrs(ds.attrs), band=band, significant=mask,
    )  # fmt: skip
    attrs = dict(ds.attrs)
    attrs.update(band_min=r.period_range[0], band_max=r.period_range[1],
                 fraction_used=r.fraction_used, significant=int(significant),
                 outside_coi=int(outside_coi), long_name="reconstructed series")  # fmt: skip
    attrs.pop("units", None)
    units = ds.attrs.get("units", "")
    if units and ds.attrs.get("preprocessing", "").find("normalize=yes") < 0:
        attrs["units"] = units
    return xr.DataArray(r.series, coords={"time": ds["time"]}, dims=("time",),
                        name="reconstruction", attrs=attrs)  # fmt: skip


def phase_stats(
    ds,
    band=None,
    window=None,
    *,
    significant: bool = False,
    outside_coi: bool = False,
    level: float = 0.95,
    n_independent: float | None = None,
    lag_period: float | None = None,
):
    """Mean phase, its confidence interval and the lag of an `xwt` or `wct` Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Result of `xwt` (``power``, ``phase``, ``sig95``) or `wct` (``coherence``,
        ``phase``, ``sig95``).
    band : (float, float), optional
        Shortest and longest period, in the Dataset's time unit; default all.
    window : (start, end), optional
        First and last time kept (inclusive), as the ``time`` coordinate holds them
        (dates or strings for a date axis); default all.
    significant : bool, optional
        Only the points above ``sig95`` (the cross power level of `xwt`, the Monte
        Carlo coherence threshold of `wct`).
    outside_coi : bool, optional
        Only the points outside the cone of influence and out of a gap's reach.
    level, n_independent, lag_period
        As in `pycwt_mod.phase.phase_statistics`.

    Returns
    -------
    xarray.Dataset
        Scalar variables ``mean_phase``, ``phase_ci_low``, ``phase_ci_high``
        (radians), ``resultant_length``, ``angular_deviation``, ``circular_std``
        (radians), ``rayleigh_p``, ``lag``, ``lag_ci_low``, ``lag_ci_high`` and
        ``lag_period`` (in the time unit), ``n_points``. Attrs ``phase_convention``
        (angle of W_a conj(W_b), positive when a leads b: a positive lag means
        ``b`` follows ``a`` by that time), ``method`` (circular statistics, Zar
        1999, as Grinsted's anglemean), ``level``, the selection and the attrs of
        ``ds``.

    Raises
    ------
    ValueError
        For a Dataset that is neither, ``significant`` without thresholds (a `wct`
        run with ``sig=False``), or a selection that keeps no point.
    """
    _, xr = _libs()
    if not isinstance(ds, xr.Dataset) or "phase" not in ds or "sig95" not in ds:
        raise ValueError("`ds` must be a Dataset of pycwt_mod.labelled.xwt or wct")
    value = ds["coherence"] if "coherence" in ds else ds["power"]
    threshold = ds["sig95"].values
    keep = np.ones(ds["phase"].shape, dtype=bool)
    if significant:
        if not np.isfinite(threshold).any():
            raise ValueError("`significant` needs the thresholds: run wct with sig=True")
        keep &= value.values > threshold[:, np.newaxis]
    if outside_coi:
        keep &= _reliable(ds)
    if window is not None:
        keep &= _window_mask(ds, window)[np.newaxis, :]
    st = phase_statistics(
        ds["phase"].values, ds["period"].values, band=band, significant=keep, level=level,
        n_independent=n_independent, lag_period=lag_period,
    )  # fmt: skip
    c, unit = st.circular, ds.attrs.get("time_unit", "")
    rad = {"units": "rad"}
    data = {
        "mean_phase": ((), c.mean, {**rad, "long_name": "circular mean phase"}),
        "phase_ci_low": ((), c.ci[0], rad),
        "phase_ci_high": ((), c.ci[1], rad),
        "resultant_length": ((), c.resultant_length, {"long_name": "mean resultant length"}),
        "angular_deviation": ((), c.angular_deviation, rad),
        "circular_std": ((), c.circular_std, rad),
        "rayleigh_p": ((), c.rayleigh_p, {"long_name": "Rayleigh test p-value"}),
        "lag": ((), st.lag, {"units": unit, "long_name": "lag of b behind a"}),
        "lag_ci_low": ((), st.lag_ci[0], {"units": unit}),
        "lag_ci_high": ((), st.lag_ci[1], {"units": unit}),
        "lag_period": ((), st.period, {"units": unit}),
        "n_points": ((), st.n_points),
    }
    attrs = dict(ds.attrs)
    attrs.update(
        phase_convention="angle of W_a conj(W_b); positive when a leads b (a positive lag: "
        "b follows a)",
        method="circular statistics (Zar 1999, eq. 26.4-26.24), as Grinsted's anglemean",
        level=float(level),
        significant=int(significant),
        outside_coi=int(outside_coi),
    )
    if band is not None:
        attrs.update(band_min=float(band[0]), band_max=float(band[1]))
    if window is not None:
        attrs.update(window_start=str(window[0]), window_end=str(window[1]))
    return xr.Dataset(data, attrs=attrs)
