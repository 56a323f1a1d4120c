"""The Datasets of `pycwt_mod.labelled` as the arrays and labels the figures draw.

`pycwt_mod.labelled.cwt` gives ``power``, ``coi``, ``sig95``, ``gap_mask``,
``global_power``/``global_sig95`` (and ``areawise_significant`` with an areawise
test) on ``period`` x ``time`` coordinates with ``dt``, ``variance`` and
``series_name`` attrs; `pycwt_mod.labelled.wct` gives ``coherence``, ``phase``,
``coi``, ``sig95``, ``gap_mask`` with ``series_names`` ("a, b"). A Dataset is read
by its names (duck typing), so this module imports neither xarray nor pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__: list[str] = []


def _is_dataset(obj: Any) -> bool:
    return hasattr(obj, "data_vars") and hasattr(obj, "attrs") and hasattr(obj, "coords")


def _need(ds, names: tuple[str, ...], what: str) -> None:
    missing = [n for n in names if n not in ds]
    if missing:
        raise ValueError(
            f"this Dataset has no {', '.join(missing)}: {what} draws the Dataset of "
            f"pycwt_mod.labelled.{'cwt' if what != 'coherence_figure' else 'wct'}"
        )


def _common(ds) -> dict[str, Any]:
    period = np.asarray(ds["period"].values, dtype=float)
    unit = ds["period"].attrs.get("units") or None
    out = {
        "freqs": 1 / period,
        "coi": np.asarray(ds["coi"].values, dtype=float),
        "time": np.asarray(ds["time"].values),
        "dt": float(ds.attrs.get("dt", 1.0)),
        "period_unit": unit,
        "gap_mask": ds["gap_mask"].values if "gap_mask" in ds else None,
        "areawise": ds["areawise_significant"].values if "areawise_significant" in ds else None,
    }
    return out


def _power_arrays(ds, what: str = "scalogram_figure") -> dict[str, Any]:
    """``power``, ``freqs``, ``coi``, ``time``, ``dt``, ``signif``, ``variance``,
    ``period_unit``, ``gap_mask``, ``areawise``, ``global_power``, ``global_signif``
    and ``name`` of a `labelled.cwt` Dataset."""
    _need(ds, ("power", "coi", "period", "time"), what)
    out = _common(ds)
    out.update(
        power=np.asarray(ds["power"].values, dtype=float),
        signif=ds["sig95"].values if "sig95" in ds else None,
        variance=ds.attrs.get("variance"),
        global_power=ds["global_power"].values if "global_power" in ds else None,
        global_signif=ds["global_sig95"].values if "global_sig95" in ds else None,
        name=str(ds.attrs.get("series_name") or ""),
    )
    return out


def _coherence_arrays(ds) -> dict[str, Any]:
    """``WCT``, ``aWCT``, ``freqs``, ``coi``, ``time``, ``dt``, ``sig``,
    ``period_unit``, ``gap_mask``, ``areawise`` and ``names`` of a `labelled.wct`
    Dataset (``sig`` None when it has no finite threshold)."""
    _need(ds, ("coherence", "phase", "coi", "period", "time"), "coherence_figure")
    out = _common(ds)
    sig = ds["sig95"].values if "sig95" in ds else None
    names = [n.strip() for n in str(ds.attrs.get("series_names", "")).split(",")]
    out.update(
        WCT=np.asarray(ds["coherence"].values, dtype=float),
        aWCT=np.asarray(ds["phase"].values, dtype=float),
        sig=sig if sig is not None and np.isfinite(sig).any() else None,
        names=tuple(names) if len(names) == 2 and all(names) else None,
    )
    return out
