"""Labelled wavelet analysis: pandas or xarray in, `xarray.Dataset` out.

The labelled API (formerly `pycwt_mod.xr`, still importable as an alias). Needs the
``xarray`` extra (``pip install 'pycwt-mod[xarray]'``); xarray and pandas are
imported only when a function is called. See `pycwt_mod.labelled.analyses`.
"""

from .analyses import TIME_UNITS, cwt, scale_average, time_spacing, wct, xwt

__all__ = ["TIME_UNITS", "cwt", "scale_average", "time_spacing", "wct", "xwt"]
