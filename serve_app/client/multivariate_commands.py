"""The CLI's ``pycwt-mod partial-wct Y X Z [Z...]`` and ``multiple-wct Y X [X...]``.

As ``wct`` (`serve_app.client.commands`): the files are read, the option objects built
from the flags (`serve_app.client.flags`), and the analysis run once, locally through
`pycwt_mod.pipeline` (``analyze_partial_wct``, ``analyze_multiple_wct``) or with
``--url`` through `Client` with the same series and option objects (the test then runs
synchronously on the service, within its work budget: these analyses have no job yet).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pycwt_mod.options import MonteCarlo
from pycwt_mod.pipeline import analyze_multiple_wct, analyze_partial_wct
from pycwt_mod.plot import coherence_figure

from .commands import (
    CLIError,
    _labels,
    _monte_carlo,
    _options,
    _shared_output,
    _warn,
    service_client,
)
from .flags import add_option_flags
from .output import check_output, write_output
from .series import read_timed_series

__all__ = ["add_parsers", "cmd_multiple_wct", "cmd_partial_wct"]


def _read(args):
    """The files' series, names, and the one whose time axis the output has."""
    series = [read_timed_series(f, args.column, args.time_column) for f in args.files]
    names = tuple(Path(f).name for f in args.files)
    timed = [s for s in series if s.time is not None]
    for other in timed[1:]:
        if not np.array_equal(timed[0].time, other.time):
            raise CLIError("the files have different time columns; align them first")
    first = next((i for i, s in enumerate(series) if s.time is not None), 0)
    return series, names, series[first], names[first]


def _run(kind: str, args) -> int:
    if len(args.files) < args.min_files:
        raise CLIError(f"{args.command} needs at least {args.min_files} files "
                       f"(got {len(args.files)})")  # fmt: skip
    check_output(args.output)
    series, names, ts, what = _read(args)
    grid, pre, unit = _options(ts, args, what)
    mc = _monte_carlo(args) if args.significance else None
    values = [s.values for s in series]
    if args.url:
        with service_client(args) as c:
            if kind == "partial":
                r = c.partial_wct(values[0], values[1], values[2:], grid=grid,
                                  preprocessing=pre, monte_carlo=mc)  # fmt: skip
            else:
                r = c.multiple_wct(values[0], values[1:], grid=grid, preprocessing=pre,
                                   monte_carlo=mc)  # fmt: skip
        sig95, seed, notes, where = r.sig95, r.seed, r.warnings, args.url
    else:
        common = dict(monte_carlo=mc, names=names, unit=unit, labels=ts.time,
                      progress=not args.quiet)  # fmt: skip
        if kind == "partial":
            r = analyze_partial_wct(values[0], values[1], values[2:], grid, pre, **common)
        else:
            r = analyze_multiple_wct(values[0], values[1:], grid, pre, **common)
        thr = r.thresholds
        sig95 = None if thr is None else thr.sig95
        seed = None if thr is None else thr.seed
        notes, where = (() if thr is None else thr.warnings), "local"
    _warn(notes)
    coh = r.PWCT if kind == "partial" else r.MWCT
    phase = r.aPWCT if kind == "partial" else None
    mask, steps, t, tail = _shared_output(ts, tuple(values), r.gap_mask, grid, pre, unit, args)
    period = 1 / r.freqs
    key = "PWCT" if kind == "partial" else "MWCT"
    arrays = {key: coh, "coi": r.coi, "freqs": r.freqs, "period": period, "scales": r.scales,
              "sig95": sig95, "seed": seed, "time": t, **tail}  # fmt: skip
    if kind == "partial":
        arrays.update(aPWCT=phase, WCT=r.WCT)

    def png():
        label = "Partial" if kind == "partial" else "Multiple"
        return coherence_figure(
            coh, np.zeros_like(coh) if phase is None else phase, r.coi, r.freqs, sig95,
            grid.dt, title=args.title or f"{label} coherence: {', '.join(names)}",
            gap_mask=mask, arrows=phase is not None and 30, **_labels(ts, unit, args),
        )  # fmt: skip

    if args.output:
        print(write_output(args.output, arrays, (period, coh, t, "coherence"), png))
        return 0
    inside = np.where(period[:, None] <= r.coi[None, :], coh, np.nan)
    mean = np.array([np.nanmean(row) if np.isfinite(row).any() else np.nan for row in inside])
    best = int(np.nanargmax(mean))
    line = (
        f"{kind}-wct ({where}): {len(values)} series of {values[0].size} samples, "
        f"{period.size} scales; highest mean {kind} coherence inside the cone of influence "
        f"{mean[best]:.3f} at period {period[best]:.4g}" + (f" {unit}" if unit else "")
    )
    if sig95 is not None:
        line += f"; thresholds {np.nanmin(sig95):.3f}..{np.nanmax(sig95):.3f} (seed {seed})"
    if steps:
        line += f"; preprocessing: {', '.join(steps)}"
    print(line)
    return 0


def cmd_partial_wct(args) -> int:
    """``pycwt-mod partial-wct Y X Z [Z...]``: partial coherence, written or summarised."""
    return _run("partial", args)


def cmd_multiple_wct(args) -> int:
    """``pycwt-mod multiple-wct Y X [X...]``: multiple coherence, written or summarised."""
    return _run("multiple", args)


def add_parsers(sub, analysis_options, epilog: str) -> None:
    """Add both subcommands to ``sub`` (``analysis_options``: the CLI's shared flags)."""
    for name, minimum, func, usage in (
        ("partial-wct", 3, cmd_partial_wct, "Y X Z [Z ...]: response, predictor, removed"),
        ("multiple-wct", 2, cmd_multiple_wct, "Y X [X ...]: response, predictors"),
    ):
        what = "partial" if minimum == 3 else "multiple"
        p = sub.add_parser(
            name,
            help=f"{what} wavelet coherence of several series (+ significance)",
            description=f"{what.capitalize()} wavelet coherence, files {usage} (local "
            "library by default; the service with --url, its test within the service's "
            "synchronous budget). No areawise test.",
            epilog=epilog,
        )
        p.add_argument("files", nargs="+", metavar="FILE", help=f"series files, {usage}")
        analysis_options(p)
        g = p.add_argument_group("Monte Carlo test")
        g.add_argument("--significance", action="store_true", help="Monte Carlo thresholds")
        add_option_flags(g, MonteCarlo, exclude=("cache",))
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        p.set_defaults(func=func, min_files=minimum)
