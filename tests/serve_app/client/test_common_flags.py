"""serve_app.client.common_flags: the flags the three argparse programs share.

``pycwt-mod serve`` and the launcher declare the same start-up flags (and the CLI
passes the given ones on), ``pycwt-mod cwt`` and the batch read ``--dt`` alike. The
parsers are built and run here; nothing is started.
"""

from __future__ import annotations

import argparse
import doctest

import pytest

from serve_app import batch, launcher
from serve_app.client import common_flags
from serve_app.client.cli import build_parser
from serve_app.client.common_flags import SERVE_FLAGS, serve_argv

GIVEN = {
    "host": "0.0.0.0",
    "port": "8001",
    "num_cpus": "2",
    "db_path": "/tmp/j.sqlite3",
    "metrics_port": "9100",
    "temp_dir": "/tmp/r",
}


def _argv(values: dict[str, str]) -> list[str]:
    return [x for dest, v in values.items() for x in ("--" + dest.replace("_", "-"), v)]


def test_serve_and_the_launcher_declare_the_same_flags():
    assert [f.dest for f in SERVE_FLAGS] == list(GIVEN)
    cli_args = build_parser().parse_args(["serve", *_argv(GIVEN)])
    forwarded = serve_argv(cli_args)
    assert forwarded == _argv(GIVEN)
    ours = launcher._parse(forwarded)
    for f in SERVE_FLAGS:
        assert getattr(ours, f.dest) == f.type(GIVEN[f.dest]) == getattr(cli_args, f.dest)
    assert serve_argv(build_parser().parse_args(["serve", "--port", "9"])) == ["--port", "9"]
    defaults = launcher._parse([])
    assert all(getattr(defaults, f.dest) is None for f in SERVE_FLAGS)


def test_dt_reads_alike_in_the_cli_and_the_batch(capsys):
    cli = build_parser()
    cwt = cli.parse_args(["cwt", "x.csv", "--dt", "1/12"])
    run = batch._parse(["--input", "i", "--output", "o", "--dt", "1/12"])
    assert cwt.dt == run.dt == 1 / 12
    assert cli.parse_args(["cwt", "x.csv"]).dt is None  # the time column decides
    assert batch._parse(["--input", "i", "--output", "o"]).dt == 1.0
    for parse in (
        lambda: cli.parse_args(["cwt", "x.csv", "--dt", "1/0"]),
        lambda: batch._parse(["--input", "i", "--output", "o", "--dt", "-2"]),
    ):
        with pytest.raises(SystemExit) as info:
            parse()
        assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --dt: the spacing must be a number or a fraction such as 1/12" in err
    assert "argument --dt: the spacing must be > 0 (got -2)" in err


def test_spacing():
    assert common_flags.spacing("1/12") == 1 / 12
    assert common_flags.spacing(" 0.25 ") == 0.25
    with pytest.raises(argparse.ArgumentTypeError, match="a number or a fraction such as 1/12"):
        common_flags.spacing("monthly")
    with pytest.raises(argparse.ArgumentTypeError, match=r"must be > 0 \(got -1\)"):
        common_flags.spacing("-1")


def test_docstring_examples():
    result = doctest.testmod(common_flags)
    assert result.attempted >= 2 and result.failed == 0
