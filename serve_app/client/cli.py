"""``pycwt-mod``: wavelet analysis of files from the command line, locally or via the service.

``cwt``, ``wct``, ``partial-wct`` and ``multiple-wct`` compute with the pycwt_mod
library in this process by default; with ``--url`` they send the series to a running
service (``pycwt-mod serve``) through `serve_app.client` instead (significance then
runs as a service job; for partial and multiple coherence within the synchronous
budget). ``jobs`` lists the service's jobs; ``serve`` starts the service (it runs
``python -m serve_app``).

The local commands need only the library (numpy, scipy; matplotlib for .png) on
``.npy`` files, and pandas for ``.csv`` tables; the service commands need the
``client`` extra (httpx, pandas) and say so when it is missing. The
analysis flags are generated from the option types (`serve_app.client.flags`).
"""

from __future__ import annotations

import argparse
import os
import sys

from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid, Spectrum

from ..records import JobStatus
from .api import ClientError, JobFailed, httpx
from .commands import CLIError, cmd_cwt, cmd_wct, service_client
from .common_flags import add_serve_flags, serve_argv, spacing_flag
from .flags import add_option_flags, cli_words
from .multivariate_commands import add_parsers as add_multivariate_parsers

__all__ = ["main"]

DEFAULT_URL = "http://127.0.0.1:8000"

_EPILOG = """\
input files: .npy (1-D array) or .csv (one numeric column, or the column named by
--column; a header row is detected; empty or NA cells are gaps). A CSV time column
(named time/date/datetime/timestamp, a first column of dates, or --time-column) gives
the time axis and the spacing (monthly dates: dt = 1/12 year). CSV files are read
with pandas (the delimiter , ; tab or | is detected). Preprocessing, in this order:
--anomalies (N samples per seasonal cycle, or auto from monthly or quarterly dates),
--detrend, --normalize (--no-normalize), --gaps (raise: the default, a gap is an
error naming it; mask: gaps are filled and the results they influence are masked like
the cone of influence).
output (-o) by suffix: .npz (all result arrays), .csv (a table: one row per period,
one column per sample), .png (plot made with pycwt_mod.plot; cwt draws the red-noise
95% contour). Without -o a summary is printed.
"""


def cmd_jobs(args) -> int:
    with service_client(args) as c:
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
    argv = [sys.executable, "-m", "serve_app", *serve_argv(args)]
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
    """The input, time axis, grid, preprocessing and output flags of ``cwt`` and ``wct``."""
    p.add_argument("--column", help="CSV column (header name or 0-based index)")
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
    p.add_argument("--time-label", help="label of the time axis of the figure")
    p.add_argument(
        "--period-unit", help="unit of the periods on the figure (default the time unit)"
    )
    p.add_argument(
        "--names",
        metavar="A[,B]",
        help="names of the series on the figure: its title and the phase caption of "
        "coherence (default the file names, or the CSV columns)",
    )
    p.add_argument(
        "--dpi", type=int, default=100, help="pixels per inch of a .png figure (default 100)"
    )
    add_option_flags(
        p.add_argument_group("scale grid"),
        ScaleGrid,
        overrides={"dt": spacing_flag(None, "from the time column, else 1")},
    )
    add_option_flags(
        p.add_argument_group("preprocessing, in this order"),
        Preprocessing,
        overrides={"anomalies": {"metavar": "N|auto"}},
    )
    p.add_argument(
        "-o",
        "--output",
        help="output file; .npz, .csv, or a figure .png, .svg or .pdf, by suffix "
        "(default: print a summary)",
    )
    p.add_argument("--title", help="title of the figure")
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
    level = "level of the red-noise (chi-square) significance contour (default 0.95)"
    add_option_flags(
        p.add_argument_group("red-noise power level"),
        MonteCarlo,
        only=("significance_level",),
        overrides={"significance_level": {"help": level}},
    )
    add_option_flags(p.add_argument_group("how power is expressed"), Spectrum)
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
    g = p.add_argument_group("Monte Carlo test")
    g.add_argument(
        "--significance",
        action="store_true",
        help="Monte Carlo coherence thresholds (with a progress bar)",
    )
    backend = (
        "Monte Carlo backend: sequential, joblib, ray, gpu, auto (default: sequential "
        "locally, the service's default with --url)"
    )
    add_option_flags(  # the CLI never uses the threshold cache locally (the service has its own)
        g, MonteCarlo, exclude=("cache",), overrides={"backend": {"help": backend}}
    )
    g = p.add_argument_group("areawise test")
    g.add_argument(
        "--areawise",
        action="store_true",
        help="also the areawise test (Maraun et al. 2007; implies --significance): "
        "significant patches outlined in bold on the .png, masks in the .npz",
    )
    add_option_flags(g, Areawise)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_wct)
    add_multivariate_parsers(sub, _analysis_options, _EPILOG)  # partial-wct, multiple-wct

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
    add_serve_flags(p)  # the launcher's own flags, passed on by cmd_serve
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pycwt-mod`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CLIError, ValueError) as exc:  # ValueError: the library's message, in flags
        parser.exit(2, f"pycwt-mod: error: {cli_words(str(exc))}\n")
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
