"""Output of the labelled API: coordinates, attrs and the shared docstrings.

How a result Dataset records the way it was made (wavelet, grid, AR(1) values,
significance method, preprocessing, areawise options), netCDF-serialisable, and the
parameter descriptions the analyses share (`_doc`).
"""

from __future__ import annotations

import numpy as np

from .. import __version__
from ..areawise import AREAWISE_TESTS
from ..areawise.patches import AREA_MEASURES, check_level
from ..montecarlo.surrogates import SURROGATES
from ..mothers import WAVELETS
from ..preprocess import (
    _choice,
)
from .series import _Series

__all__: list[str] = []


def _wavelet_attrs(mother) -> dict:
    attrs = {"wavelet": mother.name}
    if mother.param is not None:
        attrs["wavelet_param"] = float(mother.param)
    return attrs


def _mother_from_attrs(attrs: dict):
    key = str(attrs["wavelet"]).lower().replace(" ", "")
    if key not in WAVELETS:
        raise ValueError(f"unknown wavelet {attrs['wavelet']!r} in the Dataset attrs")
    cls = WAVELETS[key]
    return cls(attrs["wavelet_param"]) if "wavelet_param" in attrs else cls()


def _preprocessing(detrend: str, standardize: bool, gaps: str, fill: str, n_missing: int) -> str:
    text = f"detrend={detrend}; standardize={'yes' if standardize else 'no'}; gaps={gaps}"
    if gaps == "mask":
        text += f" (fill={fill}, {n_missing} missing sample(s) masked)"
    return text


def _coords(xr, s: _Series, period: np.ndarray, scales: np.ndarray) -> dict:
    time_attrs = {} if np.issubdtype(s.time.dtype, np.datetime64) else {"units": s.unit}
    return {
        "time": ("time", s.time, time_attrs),
        "period": ("period", period, {"units": s.unit, "long_name": "Fourier period"}),
        "scale": ("period", scales, {"units": s.unit, "long_name": "wavelet scale"}),
    }


def _common_attrs(mother, dj, scales, s: _Series, level, pre: str) -> dict:
    return {
        **_wavelet_attrs(mother),
        "dj": float(dj),
        "s0": float(scales[0]),
        "J": int(scales.size - 1),
        "dt": float(s.dt),
        "time_unit": s.unit,
        "significance_level": float(level),
        "preprocessing": pre,
        "pycwt_mod_version": __version__,
    }


_FAMILIES = {"ar1": "AR(1) red-noise", "phase": "phase-randomised", "iaaft": "IAAFT"}


def _areawise_options(surrogate, area_level, area_measure, area_test) -> dict:
    """Areawise options, checked under this module's names, as `areawise_*` keywords."""
    _choice(surrogate, "surrogate", SURROGATES)
    _choice(area_measure, "area_measure", AREA_MEASURES)
    _choice(area_test, "area_test", AREAWISE_TESTS)
    level = check_level(area_level, "area_level")
    return dict(surrogate=surrogate, area_level=level, measure=area_measure, test=area_test)


def _root_seed(seed) -> int:
    """``seed``, or 53 bits of fresh entropy (exact in netCDF doubles and JSON)."""
    if seed is not None:
        return seed
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(11))


def _areawise_vars(res, attrs: dict) -> dict:
    """The masks of an `AreawiseResult` as (period, time) variables; its settings to attrs."""
    attrs.update(
        surrogate=res.surrogate,
        area_level=float(res.area_level),
        area_measure=res.measure,
        critical_area=float(res.critical_area),
        mc_count=int(res.mc_count),
        seed=str(res.seed),
    )
    attrs["areawise_test"] = res.test
    where = f"{res.mc_count} {res.surrogate} surrogates"
    how = f"{res.measure} patch measure"
    if res.test == "cumulative":
        attrs["cumulative_levels"] = list(res.cumulative_levels)
        attrs["cumulative_critical_areas"] = list(res.cumulative_critical_areas)
        how = "cumulative test, Schulte 2016"
    return {
        "pointwise_significant": (("period", "time"), res.pointwise, {
            "long_name": f"pointwise significant at {res.level:g} against {where}"}),
        "areawise_significant": (("period", "time"), res.areawise, {
            "long_name": f"areawise significant at {res.area_level:g} ({how}) "
            f"against {where}"}),
    }  # fmt: skip


_COMMON_PARAMS = """
    dt : float, str or pandas.Timedelta, optional
        Sample spacing, needed only when there is no time coordinate: a number (in
        ``unit``), a fraction such as ``"1/12"``, or a time step such as ``"1D"``.
        With dates it must be left out (it comes from the dates); with a numeric
        coordinate it must agree with the coordinate's spacing.
    dim : str, optional
        Name of the time dimension of a DataArray (default: its only dimension).
    unit : str, optional
        Unit of time and period. For dates or a Timedelta ``dt``: one of
        `TIME_UNITS` (default "year" for monthly, quarterly or yearly dates, else the
        largest of day/hour/minute/second not longer than the step). For numbers:
        free text (default the coordinate's ``units`` attr, else "").
    dj, s0, J, wavelet
        As in `pycwt_mod.cwt`; ``s0`` is in ``unit``.
    detrend : {"none", "linear"}, optional
        Remove a least-squares line first (`pycwt_mod.preprocess.detrend`).
    standardize : bool, optional
        Divide by the standard deviation after removing the mean (default False).
    gaps : {"raise", "mask"}, optional
        "raise" (default): a NaN is an error naming the first gap. "mask": gaps are
        filled (``fill``) and ``gap_mask`` marks the points within the wavelet's
        e-folding time of a gap (`pycwt_mod.preprocess.gap_mask`).
    fill : {"mean", "linear"}, optional
        How gaps are filled with ``gaps="mask"`` (`pycwt_mod.preprocess.fill_gaps`).
    significance_level : float, optional
        Default 0.95 (the variable is called ``sig95`` whatever the level)."""


_AREAWISE_PARAMS = """
    areawise : bool, optional
        Add Monte Carlo pointwise and areawise significance masks (default False;
        Maraun et al. 2007, see `pycwt_mod.areawise`). They are computed on the
        preprocessed (and gap-filled) series; points under ``gap_mask`` are not left
        out of the test.
    surrogate : {"ar1", "phase", "iaaft"}, optional
        Null hypothesis of the areawise test (`pycwt_mod.montecarlo.surrogates`), default "ar1".
    area_level : float, optional
        Areawise significance level, in (0, 1) (default 0.95); the pointwise level is
        ``significance_level``.
    area_measure : {"maraun", "schulte"}, optional
        Patch size measure (`pycwt_mod.areawise.patches.AREA_MEASURES`), default "maraun".
    area_test : str, optional
        The areawise test (`pycwt_mod.AREAWISE_TESTS`), default "areawise"."""


def _doc(func):
    func.__doc__ = func.__doc__.replace("    {common}", _COMMON_PARAMS.strip("\n"))
    func.__doc__ = func.__doc__.replace("    {areawise}", _AREAWISE_PARAMS.strip("\n"))
    return func
