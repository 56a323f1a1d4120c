"""The CLI's analysis commands, ``pycwt-mod cwt`` and ``pycwt-mod wct``.

Each reads its files, builds the option objects from the flags (`flags`) and runs the
analysis once: locally through `pycwt_mod.pipeline` (``analyze_cwt``,
``analyze_wct``), or with ``--url`` through `Client` with the same series and option
objects, so both give the same bits for the same files, options and seed. What is
left here is the time axis of the files and the shape of the output.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid, Spectrum
from pycwt_mod.pipeline import (
    analyze_cwt,
    analyze_wct,
    anomaly_period,
    draw_seed,
    power_test,
    prepare_pair,
    prepare_series,
)
from pycwt_mod.plot import coherence_figure, scalogram_figure
from pycwt_mod.spectra import rectified
from pycwt_mod.timeaxis import time_spacing

from .api import Client
from .flags import cli_words, options_from_args
from .output import check_output, write_output
from .series import TimedSeries, read_timed_series

__all__ = ["CLIError", "cmd_cwt", "cmd_wct", "service_client"]

#: Why a transform of one scale has no red-noise level (`significance` needs two).
_ONE_SCALE = "a red-noise level needs at least 2 scales"


class CLIError(Exception):
    """A user error: printed as ``pycwt-mod: error: ...`` with exit status 2."""


def service_client(args) -> Client:
    """The `Client` of ``--url``, ``--api-key`` and ``--timeout``."""
    return Client(args.url, api_key=args.api_key, timeout=args.timeout)


def _warn(messages) -> None:
    for message in messages:
        print(f"pycwt-mod: warning: {cli_words(message)}", file=sys.stderr)


# ---------------------------------------------------------------------- options


def _spacing(ts: TimedSeries, args, what: str) -> tuple[float, str]:
    """``dt`` and its unit: from the file's time column, else ``--dt`` (default 1)."""
    given = args.dt  # a float (`common_flags.spacing`) or None
    if ts.time is None:
        return (1.0 if given is None else given), args.time_unit or ""
    dt, unit = time_spacing(ts.time, args.time_unit)
    if given is not None and not np.isclose(given, dt, rtol=1e-6, atol=0):
        raise CLIError(
            f"--dt {args.dt} disagrees with the time column of {what} (spacing {dt:.6g}"
            f"{' ' + unit if unit else ''}); leave --dt out or fix the time column"
        )
    return dt, unit


def _options(ts: TimedSeries, args, what: str) -> tuple[ScaleGrid, Preprocessing, str]:
    """The grid (its ``dt`` from the time axis) and the preprocessing of the flags, with
    ``--anomalies auto`` read from the dates, so the service gets the same numbers."""
    dt, unit = _spacing(ts, args, what)
    grid = options_from_args(args, ScaleGrid, dt=dt)
    pre = options_from_args(args, Preprocessing)
    if pre.anomalies == "auto":
        pre = dataclasses.replace(pre, anomalies=anomaly_period(pre, dt, unit))
    return grid, pre, unit


def _monte_carlo(args) -> MonteCarlo:
    """The test of the flags; its seed drawn here when not given (printed, to repeat it).

    Locally the test runs on the sequential backend without the threshold cache (as
    the CLI always has); the service uses its own default backend and cache.
    """
    seed = draw_seed() if args.seed is None else args.seed
    if args.url:
        return options_from_args(args, MonteCarlo, seed=seed)
    return options_from_args(
        args, MonteCarlo, seed=seed, backend=args.backend or "sequential", cache=False
    )


def _steps(pre: Preprocessing, n_missing: int) -> list[str]:
    """What was done to the series, for the summary and the ``preprocessing`` array."""
    steps = [f"anomalies={pre.anomalies}"] if pre.anomalies is not None else []
    if pre.detrend != "none":
        steps.append(f"detrend={pre.detrend}")
    if pre.normalize:
        steps.append("standardize")
    if pre.gaps == "mask" and n_missing:
        steps.append(f"gaps=mask ({n_missing} filled, {pre.fill})")
    return steps


def _time(ts: TimedSeries, dt: float, args) -> np.ndarray:
    return ts.time if ts.time is not None else args.t0 + dt * np.arange(ts.values.size)


def _labels(ts: TimedSeries, unit: str, args) -> dict[str, Any]:
    """Keywords of the figures: time axis, labels, units."""
    return {
        "time": ts.time,
        "t0": args.t0,
        "time_label": args.time_label or ts.time_name or "Time",
        "period_unit": args.period_unit or unit or None,
    }


def _names(args, default: tuple[str, ...]) -> tuple[str, ...]:
    """The series names of ``--names A[,B]`` (as many as ``default`` has), or ``default``.

    Raises
    ------
    CLIError
        For another number of names.
    """
    if not args.names:
        return default
    names = tuple(n.strip() for n in args.names.split(","))
    if len(names) != len(default) or not all(names):
        raise CLIError(
            f"--names {args.names!r}: give {len(default)} non-empty name(s), comma separated"
        )
    return names


def _missing(*series: np.ndarray) -> int:
    return int(sum(np.count_nonzero(np.isnan(x)) for x in series))


def _shared_output(ts: TimedSeries, series: tuple, gap_mask, grid: ScaleGrid, pre, unit, args):
    """What both commands write besides their analysis.

    Parameters
    ----------
    ts : TimedSeries
        The series whose time axis the output has.
    series : tuple of (n,) ndarray
        The series as read (NaN: a missing sample).
    gap_mask : (n_scales, n) bool ndarray or None
        The analysis' gap mask.
    grid, pre, unit, args
        The grid, preprocessing, time unit and flags of the command.

    Returns
    -------
    mask : (n_scales, n) bool ndarray or None
        ``gap_mask``, only when a sample is missing.
    steps : list of str
        The preprocessing steps (`_steps`).
    t : (n,) ndarray
        The time axis.
    tail : dict
        The last arrays of the output: ``gap_mask``, ``dt``, ``unit``, ``preprocessing``.
    """
    n_missing = _missing(*series)
    mask = gap_mask if n_missing else None
    steps = _steps(pre, n_missing)
    tail = {
        "gap_mask": mask,
        "dt": grid.dt,
        "unit": unit,
        "preprocessing": ", ".join(steps) or "none",
    }
    return mask, steps, _time(ts, grid.dt, args), tail


# -------------------------------------------------------------------------- cwt


def cmd_cwt(args) -> int:
    """``pycwt-mod cwt FILE``: the transform, its red-noise level, written or summarised."""
    check_output(args.output)
    ts = read_timed_series(args.file, args.column, args.time_column)
    what = Path(args.file).name
    grid, pre, unit = _options(ts, args, what)
    spectrum = options_from_args(args, Spectrum)
    level = args.significance_level
    several = grid.resolve(ts.values.size).n_scales > 1
    if args.url:
        p = prepare_series(ts.values, pre, what, labels=ts.time)  # the checks, naming the file
        with service_client(args) as c:
            res = c.cwt(ts.values, grid=grid, preprocessing=pre, spectrum=spectrum)
        wave, scales, freqs, coi, mask = res.wave, res.scales, res.freqs, res.coi, res.gap_mask
        signif = variance = alpha = None
        notes: tuple[str, ...] = ()
        if several:
            signif, variance, alpha, notes = power_test(
                p, grid.dt, scales, level, wavelet=grid.mother, name=what,
                rectify=spectrum.rectify,
            )  # fmt: skip
        power = np.abs(wave) ** 2
        power = rectified(power, scales) if spectrum.rectify else power
        where = args.url
    else:
        a = analyze_cwt(
            ts.values, grid, pre, significance_level=level if several else None, name=what,
            unit=unit, labels=ts.time, spectrum=spectrum,
        )  # fmt: skip
        wave, scales, freqs, coi, mask = a.wave, a.scales, a.freqs, a.coi, a.gap_mask
        signif, variance, alpha, notes = a.sig95, a.variance, a.ar1, a.warnings
        power = a.power
        where = "local"
    _warn(notes)
    mask, steps, t, tail = _shared_output(ts, (ts.values,), mask, grid, pre, unit, args)
    period = 1 / freqs
    arrays = {
        "wave": wave,
        "power": power,
        "scales": scales,
        "freqs": freqs,
        "period": period,
        "coi": coi,
        "time": t,
        "signif": signif,
        "ar1": alpha,
        "variance": variance,
        **tail,
    }

    def png():  # pycwt_mod.plot refuses fewer than 2 scales (ValueError: exit 2)
        return scalogram_figure(
            wave, scales, freqs, coi, grid.dt, signif=signif, variance=variance,
            gap_mask=mask, title=args.title or f"Wavelet power: {_names(args, (what,))[0]}",
            **_labels(ts, unit, args),
        )  # fmt: skip

    if args.output:
        print(write_output(args.output, arrays, (period, power, t, "power"), png, args.dpi))
        return 0
    peak = period[np.argmax(power.mean(axis=1))]
    u = f" {unit}" if unit else ""
    if signif is None:
        summary = f"no red-noise level ({_ONE_SCALE})"
    else:
        share = (power / signif[:, None] > 1).mean()
        summary = f"{share:.1%} of points above the red-noise {level:.0%} level (AR1 {alpha:.3f})"
    if spectrum.rectify:
        summary += "; power rectified (|W|^2 / s, Liu et al. 2007)"
    print(
        f"cwt ({where}): {ts.values.size} samples, dt {grid.dt:.6g}{u}, {scales.size} scales, "
        f"periods {period[0]:.4g}..{period[-1]:.4g}{u}; peak global power at period "
        f"{peak:.4g}{u}; {summary}" + (f"; preprocessing: {', '.join(steps)}" if steps else "")
    )
    return 0


# -------------------------------------------------------------------------- wct


@dataclass
class _Coherence:
    """A coherence with its tests, from the pipeline or the service."""

    WCT: np.ndarray
    aWCT: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    sig95: np.ndarray | None
    seed: int | None
    surrogate: str | None
    masks: tuple | None  # pointwise, areawise, critical area
    gap_mask: np.ndarray | None
    where: str


def _coherence(args, ts1, ts2, names, ts, grid, pre, unit) -> _Coherence:
    """The coherence of the pair with its tests, locally or on the service."""
    mc = _monte_carlo(args) if args.significance or args.areawise else None
    area = options_from_args(args, Areawise) if args.areawise else None
    if args.url:
        prepare_pair(ts1.values, ts2.values, pre, names, labels=ts.time)  # the checks
        with service_client(args) as c:
            r = c.wct(
                ts1.values, ts2.values, grid=grid, preprocessing=pre, monte_carlo=mc,
                areawise=area, job=True, progress=not args.quiet,
            )  # fmt: skip
        _warn(r.warnings)
        masks = (r.pointwise_mask, r.areawise_mask, r.critical_area) if area else None
        return _Coherence(
            r.WCT, r.aWCT, r.coi, r.freqs, r.scales, r.sig95, r.seed, r.surrogate, masks,
            r.gap_mask, args.url,
        )  # fmt: skip
    a = analyze_wct(
        ts1.values, ts2.values, grid, pre, monte_carlo=mc, areawise=area, names=names,
        unit=unit, labels=ts.time, progress=not args.quiet,
    )  # fmt: skip
    if mc is None:
        return _Coherence(
            a.WCT, a.aWCT, a.coi, a.freqs, a.scales, None, None, None, None, a.gap_mask, "local"
        )
    _warn(a.thresholds.warnings)
    aw = a.areawise
    masks = None if aw is None else (aw.pointwise, aw.areawise, aw.critical_area)
    return _Coherence(
        a.WCT, a.aWCT, a.coi, a.freqs, a.scales, a.sig95, a.monte_carlo.seed,
        mc.surrogate.name, masks, a.gap_mask, "local",
    )  # fmt: skip


def cmd_wct(args) -> int:
    """``pycwt-mod wct FILE1 FILE2``: coherence and its tests, written or summarised."""
    check_output(args.output)
    ts1 = read_timed_series(args.file1, args.column, args.time_column)
    ts2 = read_timed_series(args.file2, args.column2 or args.column, args.time_column)
    names = (Path(args.file1).name, Path(args.file2).name)
    if ts1.time is not None and ts2.time is not None and not np.array_equal(ts1.time, ts2.time):
        raise CLIError("the two files have different time columns; align them first")
    ts, what = (ts1, names[0]) if ts1.time is not None or ts2.time is None else (ts2, names[1])
    grid, pre, unit = _options(ts, args, what)
    r = _coherence(args, ts1, ts2, names, ts, grid, pre, unit)
    WCT, aWCT, coi, freqs, sig, masks = r.WCT, r.aWCT, r.coi, r.freqs, r.sig95, r.masks
    mask, steps, t, tail = _shared_output(
        ts, (ts1.values, ts2.values), r.gap_mask, grid, pre, unit, args
    )
    period = 1 / freqs
    arrays = {
        "WCT": WCT,
        "aWCT": aWCT,
        "coi": coi,
        "freqs": freqs,
        "period": period,
        "scales": r.scales,
        "sig95": sig,
        "seed": r.seed,
        "surrogate": r.surrogate,
        "pointwise_mask": None if masks is None else masks[0],
        "areawise_mask": None if masks is None else masks[1],
        "critical_area": None if masks is None else masks[2],
        "time": t,
        **tail,
    }

    def png():  # pycwt_mod.plot refuses fewer than 2 scales (ValueError: exit 2)
        labels = (ts1.name or Path(args.file1).stem, ts2.name or Path(args.file2).stem)
        labels = _names(args, labels)
        title = args.title or f"Coherence: {labels[0]} / {labels[1]}"
        return coherence_figure(
            WCT, aWCT, coi, freqs, sig, grid.dt, title=title, gap_mask=mask,
            series_labels=labels, areawise=None if masks is None else masks[1],
            **_labels(ts, unit, args),
        )  # fmt: skip

    if args.output:
        print(write_output(args.output, arrays, (period, WCT, t, "coherence"), png, args.dpi))
        return 0
    inside = np.where(period[:, None] <= coi[None, :], WCT, np.nan)  # cone of influence
    if mask is not None:
        inside[mask] = np.nan
    with warnings.catch_warnings():  # scales wholly outside the cone: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(inside, axis=1)
    best = int(np.nanargmax(mean))
    line = (
        f"wct ({r.where}): {ts1.values.size} samples, {freqs.size} scales; highest mean "
        f"coherence inside the cone of influence {mean[best]:.3f} at period "
        f"{period[best]:.4g}" + (f" {unit}" if unit else "")
    )
    if sig is not None:
        line += (
            f"; {r.surrogate} thresholds {np.nanmin(sig):.3f}..{np.nanmax(sig):.3f} (seed {r.seed})"
        )
    if masks is not None:
        line += (
            f"; areawise: {int(np.count_nonzero(masks[1]))} of "
            f"{int(np.count_nonzero(masks[0]))} pointwise-significant points in patches "
            f"over the critical area {masks[2]:.4g} ({args.area_measure})"
        )
    if steps:
        line += f"; preprocessing: {', '.join(steps)}"
    print(line)
    return 0
