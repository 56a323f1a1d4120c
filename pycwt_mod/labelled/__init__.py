"""Labelled wavelet analysis: pandas or xarray in, `xarray.Dataset` out.

`cwt`, `xwt` and `wct` take a pandas Series (with a DatetimeIndex or a numeric
index), a 1-D xarray DataArray with a time coordinate, or a plain array with `dt`.
The sample spacing and its unit come from the coordinate when there is one:
monthly dates give ``dt = 1/12`` year, daily dates ``dt = 1`` day. The result is a
Dataset with the input's ``time`` coordinate, a ``period`` coordinate in the same
unit, the power or coherence with its significance, the cone of influence and a
gap mask, and attrs recording how it was made (wavelet, grid, AR(1) values,
significance method, preprocessing), all netCDF-serialisable: ``ds.to_netcdf()``
round-trips. `scale_average` adds the band-averaged power of a `cwt` result,
`reconstruct` rebuilds a band of it as a series, and `phase_stats` gives the mean
phase, its confidence interval and the lag of an `xwt` or `wct` result over a band
and a time window. ``rectify=True`` divides power and cross power by the scale.
``areawise=True`` adds Monte Carlo pointwise and areawise significance masks
(`pycwt_mod.areawise_power`, `pycwt_mod.areawise_coherence`) to `cwt` and `wct`.

Needs the ``xarray`` extra (``pip install 'pycwt-mod[xarray]'``); xarray and pandas
are imported only when a function is called.

The numbers are the pipeline's (`pycwt_mod.pipeline`: `analyze_cwt`, `analyze_xwt`,
`analyze_wct`), the same as every other door's for the same series, options and
seed; this package reads the time axis and labels the result. The option keywords
are the fields of `pycwt_mod.options` with their names and defaults (preprocessing:
``anomalies=12`` or ``"auto"`` removes the mean seasonal cycle, ``detrend="linear"``
a straight line, ``normalize=True`` (default) standardises, and ``gaps="mask"``
fills NaN gaps and masks the (period, time) points they influence; default
``gaps="raise"``: an error naming the first gap), or the option objects themselves
(``grid=``, ``preprocessing=``, ``monte_carlo=``, ``areawise=``).

An N-D DataArray is analysed along ``dim=`` once per index of its other
dimensions (`stack`: `xarray.apply_ufunc`, lazy for dask-backed arrays).

The labelled API was `pycwt_mod.xr` (still importable, a deprecated alias).
`series` reads the input (time axis), `keywords` turns the keywords into option
objects, `attrs` writes the output's coordinates and attrs, `power` holds `cwt` and
`scale_average`, `pair` holds `xwt` and `wct`, `partial` holds `partial_wct` and
`multiple_wct` (partial and multiple coherence of several series on one time axis),
`selected` holds `reconstruct` and `phase_stats`, `stack` runs them over N-D inputs.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlinear
   Processes in Geophysics, 11, 561-566.
"""

from .pair import wct, xwt
from .partial import multiple_wct, partial_wct
from .power import cwt, scale_average
from .selected import phase_stats, reconstruct
from .series import TIME_UNITS, time_spacing

__all__ = [
    "TIME_UNITS",
    "cwt",
    "multiple_wct",
    "partial_wct",
    "phase_stats",
    "reconstruct",
    "scale_average",
    "time_spacing",
    "wct",
    "xwt",
]
