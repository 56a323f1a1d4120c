"""``pycwt-mod``: wavelet analysis of files from the command line, locally or via the service.

``cwt`` and ``wct`` compute with the pycwt_mod library in this process by default;
with ``--url`` they send the series to a running service (``pycwt-mod serve``) through
`serve_app.client` instead (significance then runs as a service job). ``jobs`` lists
the service's jobs; ``serve`` starts the service (it runs ``python -m serve_app``).

The local commands need only the library (numpy, scipy; matplotlib for .png); the
service commands need the ``client`` extra and say so when it is missing.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import pycwt_mod
from pycwt_mod.areawise.patches import AREA_MEASURES
from pycwt_mod.plot import coherence_figure, scalogram_figure, to_png
from pycwt_mod.preprocess import (
    DETREND_METHODS,
    GAP_FILLS,
    GAP_POLICIES,
    check_gaps,
    detrend,
    fill_gaps,
    gap_mask,
    standardize,
)
from pycwt_mod.significance import ar1_yule_walker
from pycwt_mod.timeaxis import time_spacing

from ..records import JobStatus
from .api import Client, ClientError, JobFailed, httpx
from .series import TimedSeries, parse_spacing, read_timed_series

__all__ = ["main"]

DEFAULT_URL = "http://127.0.0.1:8000"
OUTPUT_SUFFIXES = (".npz", ".csv", ".png")

_EPILOG = """\
input files: .npy (1-D array) or .csv (one numeric column, or the column named by
--column; a header row is detected; empty or NA cells are gaps). A CSV time column
(named time/date/datetime/timestamp, a first column of dates, or --time-column) gives
the time axis and the spacing (monthly dates: dt = 1/12 year); dates need pandas only
when they are not ISO 8601. Preprocessing, in this order: --detrend, --standardize,
--gaps (raise: the default, a gap is an error naming it; mask: gaps are filled and the
results they influence are masked like the cone of influence). output (-o) by suffix:
.npz (all result arrays), .csv (a table: one row per period, one column per sample),
.png (plot made with pycwt_mod.plot; cwt draws the red-noise 95% contour). Without -o
a summary is printed.
"""


class CLIError(Exception):
    """A user error: printed as ``pycwt-mod: error: ...`` with exit status 2."""


# ------------------------------------------------------------------------------ output


def _write(out: str, arrays: dict[str, Any], table: tuple, png) -> str:
    """Write ``arrays`` (.npz), ``table`` (.csv: period, matrix) or ``png()`` (.png)."""
    suffix = Path(out).suffix.lower()
    if suffix == ".npz":
        np.savez(out, **{k: np.asarray(v) for k, v in arrays.items() if v is not None})
    elif suffix == ".csv":
        period, matrix, t, name = table
        with open(out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["period", *[f"{name}@t={_label(x)}" for x in t]])
            for p, row in zip(period, matrix, strict=True):
                w.writerow([repr(float(p)), *(repr(float(v)) for v in row)])
    elif suffix == ".png":
        Path(out).write_bytes(to_png(png()))
    else:
        raise CLIError(f"unknown output type {suffix!r} for {out}; use .npz, .csv or .png")
    return out


def _label(t) -> str:
    if isinstance(t, np.datetime64):
        return np.datetime_as_string(t, unit="auto")
    return f"{t:g}"


def _check_output(out: str | None) -> None:
    if out is not None and Path(out).suffix.lower() not in OUTPUT_SUFFIXES:
        raise CLIError(f"-o {out}: the suffix must be one of {', '.join(OUTPUT_SUFFIXES)}")


# --------------------------------------------------------------------------- commands


def _client(args) -> Client:
    return Client(args.url, api_key=args.api_key, timeout=args.timeout)


def _grid(args) -> dict[str, Any]:
    return {"dj": args.dj, "s0": args.s0, "J": args.J, "wavelet": args.wavelet}


@dataclass(frozen=True)
class _Series:
    """A series ready for the transform, with its time axis and what was done to it."""

    x: np.ndarray  # finite (gaps filled)
    missing: np.ndarray  # bool, True where a gap was filled
    time: np.ndarray | None  # labels from the file (numbers or datetime64), or None
    dt: float
    unit: str
    steps: list[str]


def _spacing(ts: TimedSeries, args, what: str) -> tuple[float, str]:
    given = None if args.dt is None else parse_spacing(args.dt)
    if ts.time is None:
        return (1.0 if given is None else given), args.time_unit or ""
    dt, unit = time_spacing(ts.time, args.time_unit)
    if given is not None and not np.isclose(given, dt, rtol=1e-6, atol=0):
        raise CLIError(
            f"--dt {args.dt} disagrees with the time column of {what} (spacing {dt:.6g}"
            f"{' ' + unit if unit else ''}); leave --dt out or fix the time column"
        )
    return dt, unit


def _prepare(ts: TimedSeries, args, what: str, standard: bool) -> _Series:
    """Detrend, standardise and handle gaps (the options' order), as asked."""
    dt, unit = _spacing(ts, args, what)
    x, steps = ts.values, []
    if args.detrend != "none":
        numeric = ts.time is not None and not np.issubdtype(ts.time.dtype, np.datetime64)
        x = detrend(x, args.detrend, time=ts.time if numeric else None)
        steps.append(f"detrend={args.detrend}")
    if standard:
        x = standardize(x)
        steps.append("standardize")
    missing = ~np.isfinite(x)
    if args.gaps == "raise":
        try:
            check_gaps(x, what, labels=ts.time)
        except ValueError as exc:  # the library's advice, in the CLI's words
            raise CLIError(str(exc).replace("gaps='mask'", "--gaps mask")) from None
    elif missing.any():
        x = fill_gaps(x, args.gap_fill)
        steps.append(f"gaps=mask ({int(missing.sum())} filled, {args.gap_fill})")
    return _Series(x, missing, ts.time, dt, unit, steps)


def _time(s: _Series, args) -> np.ndarray:
    return s.time if s.time is not None else args.t0 + s.dt * np.arange(s.x.size)


def _labels(s: _Series, ts: TimedSeries, args) -> dict[str, Any]:
    """Keywords of the figures: time axis, labels, units, gap mask."""
    return {
        "time": s.time,
        "t0": args.t0,
        "time_label": args.time_label or ts.time_name or "Time",
        "period_unit": args.period_unit or s.unit or None,
    }


def _red_noise(x: np.ndarray) -> float:
    """Lag-1 autocorrelation for the red-noise background (Yule-Walker if need be)."""
    try:
        return float(pycwt_mod.ar1(x)[0])
    except ValueError:  # AR1EstimationError, or too short a series
        return ar1_yule_walker(x)


def cmd_cwt(args) -> int:
    _check_output(args.output)
    ts = read_timed_series(args.file, args.column, args.time_column)
    s = _prepare(ts, args, Path(args.file).name, args.standardize or not args.no_normalize)
    x, dt = s.x, s.dt
    grid = _grid(args)
    if args.url:
        with _client(args) as c:
            res = c.cwt(x, dt, normalize=False, **grid)
        wave, scales, freqs, coi = res.wave, res.scales, res.freqs, res.coi
        where = args.url
    else:
        s0 = -1 if args.s0 is None else args.s0
        J = -1 if args.J is None else args.J
        wave, scales, freqs, coi, _, _ = pycwt_mod.cwt(x, dt, args.dj, s0, J, args.wavelet)
        where = "local"
    power = np.abs(wave) ** 2
    period = 1 / freqs
    t = _time(s, args)
    variance = float(x.var())
    alpha = _red_noise(x)
    try:
        signif, _ = pycwt_mod.significance(
            variance, dt, scales, 0, alpha, significance_level=args.level, wavelet=args.wavelet
        )
        no_level = ""
    except ValueError as exc:  # e.g. a single scale: transform still shown, no contour
        signif, no_level = None, str(exc)
    mask = gap_mask(s.missing, period, dt, args.wavelet) if s.missing.any() else None
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
        "gap_mask": mask,
        "dt": dt,
        "unit": s.unit,
        "preprocessing": ", ".join(s.steps) or "none",
    }

    def png():  # pycwt_mod.plot refuses fewer than 2 scales (ValueError: exit 2)
        return scalogram_figure(
            wave, scales, freqs, coi, dt, signif=signif, variance=variance, gap_mask=mask,
            title=args.title or f"Wavelet power: {Path(args.file).name}",
            **_labels(s, ts, args),
        )  # fmt: skip

    if args.output:
        print(_write(args.output, arrays, (period, power, t, "power"), png))
    else:
        peak = period[np.argmax(power.mean(axis=1))]
        unit = f" {s.unit}" if s.unit else ""
        if signif is None:
            level = f"no red-noise level ({no_level})"
        else:
            share = (power / signif[:, None] > 1).mean()
            level = f"{share:.1%} of points above the red-noise {args.level:.0%} level"
        print(
            f"cwt ({where}): {x.size} samples, dt {dt:.6g}{unit}, {scales.size} scales, "
            f"periods {period[0]:.4g}..{period[-1]:.4g}{unit}; peak global power at period "
            f"{peak:.4g}{unit}; {level} (AR1 {alpha:.3f})"
            + (f"; preprocessing: {', '.join(s.steps)}" if s.steps else "")
        )
    return 0


def cmd_wct(args) -> int:
    _check_output(args.output)
    ts1 = read_timed_series(args.file1, args.column, args.time_column)
    ts2 = read_timed_series(args.file2, args.column2 or args.column, args.time_column)
    s1 = _prepare(ts1, args, Path(args.file1).name, args.standardize)
    s2 = _prepare(ts2, args, Path(args.file2).name, args.standardize)
    if s1.time is not None and s2.time is not None and not np.array_equal(s1.time, s2.time):
        raise CLIError("the two files have different time columns; align them first")
    s, ts = (s1, ts1) if s1.time is not None or s2.time is None else (s2, ts2)
    x, y, dt = s1.x, s2.x, s.dt
    grid = _grid(args)
    mc = {
        "mc_count": args.mc_count,
        "backend": args.backend,
        "seed": args.seed,
        "significance_level": args.level,
        "surrogate": args.surrogate,
    }
    area_opts = {
        "areawise": True,
        "area_level": args.area_level,
        "area_measure": args.area_measure,
        "areawise_test": args.areawise_test,
    }
    significance = args.significance or args.areawise
    sig = area = None
    seed = args.seed
    if significance and seed is None:
        seed = mc["seed"] = secrets.randbits(53)  # printed, so the run can be repeated
    if args.url:
        with _client(args) as c:
            res = c.wct(x, y, dt, **grid)
            if significance:
                extra = area_opts if args.areawise else {}
                r = c.significance(x, y, dt, progress=not args.quiet, **grid, **mc, **extra)
                sig, seed = r.sig95, r.seed
                if args.areawise:
                    area = (r.pointwise_mask, r.areawise_mask, r.critical_area)
        WCT, aWCT, coi, freqs, scales = res.WCT, res.aWCT, res.coi, res.freqs, res.scales
        where = args.url
    else:
        s0 = -1 if args.s0 is None else args.s0
        J = -1 if args.J is None else args.J
        if args.areawise:  # one histogram gives sig95 and every level the test needs
            WCT, aWCT, coi, freqs, _ = pycwt_mod.wct(
                x, y, dt, args.dj, s0, J, sig=False, wavelet=args.wavelet
            )  # fmt: skip
            red = args.surrogate == "ar1"  # wct's own AR(1) estimates, as without areawise
            r = pycwt_mod.areawise_coherence(
                x, y, dt, args.dj, s0, J, args.wavelet, surrogate=args.surrogate,
                level=args.level, area_level=args.area_level, mc_count=args.mc_count,
                seed=seed, measure=args.area_measure, test=args.areawise_test,
                al1=pycwt_mod.ar1(x)[0] if red else None,
                al2=pycwt_mod.ar1(y)[0] if red else None,
                backend=args.backend or "sequential", cache=False,
            )  # fmt: skip
            sig, area = r.threshold, (r.pointwise, r.areawise, r.critical_area)
        else:
            WCT, aWCT, coi, freqs, sig = pycwt_mod.wct(
                x, y, dt, args.dj, s0, J, sig=significance, wavelet=args.wavelet,
                significance_level=args.level, mc_count=args.mc_count,
                backend=args.backend or "sequential", seed=seed, progress=not args.quiet,
                cache=False, surrogate=args.surrogate,
            )  # fmt: skip
            if not significance:
                sig = None
        scales = None
        where = "local"
    period = 1 / freqs
    t = _time(s, args)
    missing = s1.missing | s2.missing
    mask = gap_mask(missing, period, dt, args.wavelet) if missing.any() else None
    steps = sorted(set(s1.steps) | set(s2.steps))
    arrays = {
        "WCT": WCT,
        "aWCT": aWCT,
        "coi": coi,
        "freqs": freqs,
        "period": period,
        "scales": scales,
        "sig95": sig,
        "seed": seed,
        "surrogate": args.surrogate if significance else None,
        "pointwise_mask": None if area is None else area[0],
        "areawise_mask": None if area is None else area[1],
        "critical_area": None if area is None else area[2],
        "time": t,
        "gap_mask": mask,
        "dt": dt,
        "unit": s.unit,
        "preprocessing": ", ".join(steps) or "none",
    }

    def png():  # pycwt_mod.plot refuses fewer than 2 scales (ValueError: exit 2)
        title = args.title or f"Coherence: {Path(args.file1).name} / {Path(args.file2).name}"
        names = (ts1.name or Path(args.file1).stem, ts2.name or Path(args.file2).stem)
        return coherence_figure(
            WCT, aWCT, coi, freqs, sig, dt, title=title, gap_mask=mask,
            series_labels=names, areawise=None if area is None else area[1],
            **_labels(s, ts, args),
        )  # fmt: skip

    if args.output:
        print(_write(args.output, arrays, (period, WCT, t, "coherence"), png))
    else:
        inside = np.where(period[:, None] <= coi[None, :], WCT, np.nan)  # cone of influence
        if mask is not None:
            inside[mask] = np.nan
        with warnings.catch_warnings():  # scales wholly outside the cone: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(inside, axis=1)
        best = int(np.nanargmax(mean))
        line = (
            f"wct ({where}): {x.size} samples, {freqs.size} scales; highest mean coherence "
            f"inside the cone of influence {mean[best]:.3f} at period {period[best]:.4g}"
            + (f" {s.unit}" if s.unit else "")
        )
        if sig is not None:
            line += (
                f"; {args.surrogate} thresholds {np.nanmin(sig):.3f}..{np.nanmax(sig):.3f} "
                f"(seed {seed})"
            )
        if area is not None:
            line += (
                f"; areawise: {int(np.count_nonzero(area[1]))} of "
                f"{int(np.count_nonzero(area[0]))} pointwise-significant points in patches "
                f"over the critical area {area[2]:.4g} ({args.area_measure})"
            )
        if steps:
            line += f"; preprocessing: {', '.join(steps)}"
        print(line)
    return 0


def cmd_jobs(args) -> int:
    with _client(args) as c:
        jobs = c.jobs(args.status)
    print(f"{'job_id':32}  {'status':9}  {'progress':>8}  {'backend':10}  {'mc':>6}  created")
    for j in jobs:
        print(
            f"{j['job_id']:32}  {j['status']:9}  {j['progress']:8.0%}  {j['backend']:10}  "
            f"{j['mc_count']:6d}  {j['created_at']}"
        )
    print(f"{len(jobs)} job(s)")
    return 0


def cmd_serve(args) -> int:
    """Replace this process with ``python -m serve_app`` (the one way to start it)."""
    argv = [sys.executable, "-m", "serve_app"]
    for opt in ("host", "port", "num_cpus", "db_path", "metrics_port"):
        value = getattr(args, opt)
        if value is not None:
            argv += [f"--{opt.replace('_', '-')}", str(value)]
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover - execv does not return


# ------------------------------------------------------------------------------ parser


def _service_options(p: argparse.ArgumentParser, required: bool) -> None:
    url_help = (
        f"service URL, e.g. http://127.0.0.1:8000 (default $PYCWT_URL or {DEFAULT_URL})"
        if required
        else "compute on this service (e.g. http://127.0.0.1:8000) instead of locally; "
        "significance then runs as a service job"
    )
    default = os.environ.get("PYCWT_URL", DEFAULT_URL) if required else None
    p.add_argument("--url", default=default, help=url_help)
    p.add_argument(
        "--api-key",
        default=os.environ.get("PYCWT_API_KEY"),
        help="X-API-Key for a service that needs one (default $PYCWT_API_KEY)",
    )
    p.add_argument(
        "--timeout", type=float, default=300.0, help="seconds per HTTP request (default 300)"
    )


def _analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--column", help="CSV column (header name or 0-based index)")
    p.add_argument(
        "--dt",
        help="sample spacing, a number or a fraction such as 1/12 (default: from the "
        "time column, else 1)",
    )
    p.add_argument("--t0", type=float, default=0.0, help="time of the first sample (default 0)")
    p.add_argument(
        "--time-column",
        help="CSV time column, name or index (default: one named time/date/datetime/"
        "timestamp, or a first column of dates)",
    )
    p.add_argument(
        "--time-unit",
        help="unit of dt: for dates year (default for monthly dates), month, day, hour, "
        "minute or second; for numbers a label such as kyr",
    )
    p.add_argument("--time-label", help="label of the time axis of the .png")
    p.add_argument("--period-unit", help="unit of the periods on the .png (default the time unit)")
    p.add_argument(
        "--detrend",
        choices=DETREND_METHODS,
        default="none",
        help="remove a least-squares line first (default none)",
    )
    p.add_argument(
        "--standardize",
        action="store_true",
        help="subtract the mean, divide by the standard deviation (cwt does it by "
        "default, see --no-normalize)",
    )
    p.add_argument(
        "--gaps",
        choices=GAP_POLICIES,
        default="raise",
        help="NaN/empty values: raise (default; names the first gap) or mask (fill them "
        "and mask the results they influence, like the cone of influence)",
    )
    p.add_argument(
        "--gap-fill", choices=GAP_FILLS, default="mean", help="how --gaps mask fills (default mean)"
    )
    p.add_argument(
        "--dj", type=float, default=1 / 12, help="scale spacing in octaves (default 1/12)"
    )
    p.add_argument("--s0", type=float, help="smallest scale (default 2 dt / flambda)")
    p.add_argument("--J", type=int, help="number of scales less one (default: up to n dt)")
    p.add_argument(
        "--wavelet",
        choices=tuple(pycwt_mod.WAVELETS),
        default="morlet",
        help="mother wavelet (default morlet)",
    )
    p.add_argument(
        "-o",
        "--output",
        help="output file; .npz, .csv or .png by suffix (default: print a summary)",
    )
    p.add_argument("--title", help="title of the .png plot")
    _service_options(p, required=False)


def build_parser() -> argparse.ArgumentParser:
    """The ``pycwt-mod`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="pycwt-mod",
        description=__doc__.split("\n\n")[0] + "\n\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "cwt",
        help="continuous wavelet transform of one series",
        description="Continuous wavelet transform of one series (local "
        "library by default; the service with --url).",
        epilog=_EPILOG,
    )
    p.add_argument("file", help="input series (.csv or .npy)")
    _analysis_options(p)
    p.add_argument(
        "--no-normalize", action="store_true", help="do not standardise the series first"
    )
    p.add_argument(
        "--level",
        type=float,
        default=0.95,
        help="level of the red-noise (chi-square) significance (default 0.95)",
    )
    p.set_defaults(func=cmd_cwt)

    p = sub.add_parser(
        "wct",
        help="wavelet coherence of two series (+ significance)",
        description="Wavelet coherence of two equal-length series, with "
        "optional Monte Carlo significance (local library by default; the "
        "service with --url).",
        epilog=_EPILOG,
    )
    p.add_argument("file1", help="first series (.csv or .npy)")
    p.add_argument("file2", help="second series (.csv or .npy)")
    _analysis_options(p)
    p.add_argument("--column2", help="CSV column of FILE2 (default: --column)")
    p.add_argument(
        "--significance",
        action="store_true",
        help="Monte Carlo coherence thresholds (with a progress bar)",
    )
    p.add_argument(
        "--mc-count",
        type=int,
        default=300,
        help="surrogate pairs of the Monte Carlo test (default 300)",
    )
    p.add_argument(
        "--backend",
        help="Monte Carlo backend: sequential, joblib, ray, gpu, auto (default: "
        "sequential locally, the service's default with --url)",
    )
    p.add_argument("--seed", type=int, help="random seed (default: drawn; printed)")
    p.add_argument("--level", type=float, default=0.95, help="significance level (default 0.95)")
    p.add_argument(
        "--surrogate",
        choices=pycwt_mod.SURROGATES,
        default="ar1",
        help="null hypothesis of the test: ar1 red noise (default), phase-randomised "
        "or iaaft copies of the series",
    )
    p.add_argument(
        "--areawise",
        action="store_true",
        help="also the areawise test (Maraun et al. 2007; implies --significance): "
        "significant patches outlined in bold on the .png, masks in the .npz",
    )
    p.add_argument(
        "--area-level",
        type=float,
        default=0.95,
        help="level of the areawise test (default 0.95)",
    )
    p.add_argument(
        "--area-measure",
        choices=AREA_MEASURES,
        default="maraun",
        help="patch size measure of the areawise test (default maraun)",
    )
    p.add_argument(
        "--areawise-test",
        choices=pycwt_mod.AREAWISE_TESTS,
        default="areawise",
        help="areawise test (default areawise)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_wct)

    p = sub.add_parser(
        "jobs",
        help="list the significance jobs of a service",
        description="List the significance jobs of a service, newest first.",
    )
    p.add_argument(
        "--status",
        choices=[s.value for s in JobStatus],
        help="only jobs in this state",
    )
    _service_options(p, required=True)
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser(
        "serve",
        help="start the HTTP service (embedded local Ray)",
        description="Start Ray and the HTTP service until Ctrl-C (same as "
        "python -m serve_app); PYCWT_* variables set the limits.",
    )
    p.add_argument("--host", help="bind address (default PYCWT_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="HTTP port (default PYCWT_PORT or 8000)")
    p.add_argument("--num-cpus", type=int, help="CPUs of the local Ray (default all cores)")
    p.add_argument("--db-path", help="SQLite file of the jobs (default var/pycwt_jobs.sqlite3)")
    p.add_argument("--metrics-port", type=int, help="Ray's Prometheus metrics port (default free)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pycwt-mod`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CLIError as exc:
        parser.exit(2, f"pycwt-mod: error: {exc}\n")
    except ValueError as exc:  # the library's message for bad data or parameters
        parser.exit(2, f"pycwt-mod: error: {exc}\n")
    except ImportError as exc:  # an optional extra is missing: say which
        parser.exit(2, f"pycwt-mod: error: {exc}\n")
    except (ClientError, JobFailed) as exc:
        parser.exit(1, f"pycwt-mod: service error: {exc}\n")
    except Exception as exc:
        if httpx is not None and isinstance(exc, httpx.HTTPError):
            parser.exit(1, f"pycwt-mod: cannot reach {getattr(args, 'url', '')}: {exc}\n")
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
