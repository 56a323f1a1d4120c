"""The flags the project's argparse programs share, each declared once.

The analysis flags come from the option types (`serve_app.client.flags`); this module
holds the others that two programs have in common:

- the service's start-up flags (`SERVE_FLAGS`): ``python -m serve_app`` (the
  launcher) declares them all, ``pycwt-mod serve`` declares them too and passes the
  ones given on to the launcher (`serve_argv`);
- the sample spacing ``--dt`` as a number or a fraction such as ``1/12``
  (`spacing_flag`), of ``pycwt-mod cwt``/``wct`` and ``python -m serve_app.batch``.

``--num-cpus`` of the batch (CPUs per batch task) is not the launcher's (CPUs of the
local Ray), so each program declares its own.
"""

from __future__ import annotations

import argparse
import fractions
from dataclasses import dataclass
from typing import Any

__all__ = ["SERVE_FLAGS", "Flag", "add_serve_flags", "serve_argv", "spacing", "spacing_flag"]


@dataclass(frozen=True)
class Flag:
    """One flag: its destination name, type and help (``--`` + the name in kebab case)."""

    dest: str
    type: Any
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.dest.replace("_", "-")


#: The service's start-up flags (each overrides its ``PYCWT_*`` setting or Ray's default).
SERVE_FLAGS = (
    Flag("host", str, "bind address (default PYCWT_HOST or 127.0.0.1)"),
    Flag("port", int, "HTTP port (default PYCWT_PORT or 8000)"),
    Flag("num_cpus", int, "CPUs of the local Ray (default all cores)"),
    Flag("db_path", str, "SQLite file of the jobs (default var/pycwt_jobs.sqlite3)"),
    Flag("metrics_port", int, "Ray's Prometheus metrics port (default: a free one)"),
    Flag("temp_dir", str, "root of Ray's session directories (default Ray's, /tmp/ray)"),
)


def add_serve_flags(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Declare `SERVE_FLAGS` on ``parser`` (default None: the setting decides)."""
    for f in SERVE_FLAGS:
        parser.add_argument(f.flag, dest=f.dest, type=f.type, help=f.help)


def serve_argv(args: argparse.Namespace) -> list[str]:
    """The launcher's arguments for the `SERVE_FLAGS` given in ``args``.

    Examples
    --------
    >>> serve_argv(argparse.Namespace(host=None, port=8001, num_cpus=2, db_path=None,
    ...                               metrics_port=None, temp_dir=None))
    ['--port', '8001', '--num-cpus', '2']
    """
    argv = []
    for f in SERVE_FLAGS:
        value = getattr(args, f.dest, None)
        if value is not None:
            argv += [f.flag, str(value)]
    return argv


def spacing(text: str) -> float:
    """An argparse ``type``: a sample spacing, a number or a fraction such as ``1/12``.

    Raises
    ------
    argparse.ArgumentTypeError
        When ``text`` is neither, or not > 0 (argparse prints it and exits with 2).

    Examples
    --------
    >>> spacing("1/12") == 1 / 12, spacing(" 0.25 ")
    (True, 0.25)
    """
    try:
        value = float(fractions.Fraction(str(text).strip()))
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(
            f"the spacing must be a number or a fraction such as 1/12 (got {text!r})"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the spacing must be > 0 (got {text})")
    return value


def spacing_flag(default: float | None, when_absent: str) -> dict[str, Any]:
    """The ``overrides`` entry of the ``dt`` field (`flags.add_option_flags`).

    Parameters
    ----------
    default : float or None
        The spacing when ``--dt`` is not given (None: the program decides later).
    when_absent : str
        What the help says happens then, e.g. ``"1"``.
    """
    return {
        "type": spacing,
        "default": default,
        "help": f"sample spacing, a number or a fraction such as 1/12 (default: {when_absent})",
    }
