"""The ``pycwt-mod`` command line: as a subprocess, and in-process through ``main``.

The help texts and one local transform run as real subprocesses; the other cases
call `serve_app.client.cli.main` in this process (same code path, and coverage sees it).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.image import imread
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod import options
from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing
from serve_app.client.cli import build_parser
from serve_app.client.flags import flag_name, options_from_args

from ..conftest import ROOT
from ..utils import series


def cli(*args, timeout=120) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "serve_app.client.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
    )  # fmt: skip


def run(*args) -> subprocess.CompletedProcess:
    """``pycwt-mod ARGS`` in this process, with its exit status and captured output."""
    from serve_app.client.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(args, code or 0, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    x, y = series(256, seed=1), series(256, seed=2)
    with open(d / "xy.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["year", "nino3"])
        for i, v in enumerate(x):
            w.writerow([1900 + i, repr(float(v))])
    np.save(d / "y.npy", y)
    return d, x, y


class TestHelp:
    def test_top_level(self):
        r = cli("--help")
        assert r.returncode == 0
        for word in ("cwt", "wct", "jobs", "serve", ".npz", ".png"):
            assert word in r.stdout

    @pytest.mark.parametrize(
        "cmd, options",
        [
            ("cwt", ["--column", "--dt", "--dj", "--wavelet", "--output", "--url", "--t0"]),
            (
                "wct",
                (
                    "--significance --mc-count --backend --seed --url --surrogate "
                    "--areawise --area-level --area-measure --areawise-test"
                ).split(),
            ),
            ("jobs", ["--status", "--url", "--api-key"]),
            ("serve", ["--port", "--num-cpus", "--db-path"]),
        ],
    )
    def test_subcommands(self, cmd, options):
        r = cli(cmd, "--help")
        assert r.returncode == 0
        for opt in options:
            assert opt in r.stdout, opt


class TestLocal:
    def test_cwt_npz(self, files, tmp_path):
        d, x, _ = files
        out = tmp_path / "out.npz"
        r = cli("cwt", d / "xy.csv", "--column", "nino3", "--dt", 0.25, "--dj", 0.25, "-o", out)
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        W, _, freqs, _, _, _ = pycwt_mod.cwt((x - x.mean()) / x.std(), 0.25, 0.25)
        assert_allclose(z["wave"], W, rtol=1e-12)
        assert_allclose(z["power"], np.abs(W) ** 2, rtol=1e-12)
        assert_array_equal(z["period"], 1 / freqs)

    def test_cwt_csv_and_summary(self, files, tmp_path):
        d, _, _ = files
        out = tmp_path / "power.csv"
        r = run("cwt", d / "y.npy", "--dj", 0.5, "-o", out)
        assert r.returncode == 0, r.stderr
        rows = list(csv.reader(open(out)))
        assert rows[0][0] == "period" and len(rows[0]) == 257
        r = run("cwt", d / "y.npy", "--dj", 0.5)
        assert r.returncode == 0 and "cwt (local): 256 samples" in r.stdout

    def test_cwt_png(self, files, tmp_path):
        d, _, _ = files
        out = tmp_path / "scalogram.png"
        r = run("cwt", d / "y.npy", "-o", out, "--title", "y")
        assert r.returncode == 0, r.stderr
        assert imread(out).shape == (450, 900, 4)

    def test_vector_figures_names_and_dpi(self, files, tmp_path):
        d, _, _ = files
        svg, pdf, png = tmp_path / "c.svg", tmp_path / "c.pdf", tmp_path / "c.png"
        args = ("wct", d / "xy.csv", d / "y.npy", "--column", "nino3", "--dj", 0.5)
        r = run(*args, "-o", svg, "--names", "Niño3,rain", "--period-unit", "year")
        assert r.returncode == 0, r.stderr
        text = svg.read_text()
        assert "Coherence: Niño3 / rain</text>" in text
        assert "phase of Niño3 relative to rain" in text and "Period (years)</text>" in text
        assert run(*args, "-o", pdf).returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-"
        assert run("cwt", d / "y.npy", "-o", png, "--dpi", 50).returncode == 0
        assert imread(png).shape == (225, 450, 4)
        r = run(*args, "-o", svg, "--names", "only-one")
        assert r.returncode == 2 and "give 2 non-empty name(s)" in r.stderr

    def test_wct_significance(self, files, tmp_path):
        d, x, y = files
        out = tmp_path / "wct.npz"
        r = run("wct", d / "xy.csv", d / "y.npy", "--column", "nino3", "--dj", 0.5,
                "--significance", "--mc-count", 12, "--seed", 3, "-o", out)  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert "12/12" in r.stderr  # progress bar
        z = np.load(out)
        WCT, _, _, _, sig = pycwt_mod.wct(
            x, y, 1.0, 0.5, sig=True, mc_count=12, seed=3, backend="sequential",
            progress=False, cache=False,
        )  # fmt: skip
        assert_allclose(z["WCT"], WCT, rtol=1e-12)
        assert_array_equal(z["sig95"], sig)
        assert int(z["seed"]) == 3

    def test_user_errors(self, files, tmp_path):
        d, _, _ = files
        r = run("cwt", d / "xy.csv")
        assert r.returncode == 2 and "pick one with --column (year, nino3)" in r.stderr
        r = run("cwt", d / "missing.csv")
        assert r.returncode == 2 and "does not exist" in r.stderr
        r = run("cwt", d / "y.npy", "-o", tmp_path / "out.txt")
        assert r.returncode == 2 and ".npz, .csv, .png" in r.stderr
        r = run("cwt", d / "y.npy", "--wavelet", "haar")
        assert r.returncode == 2 and "invalid choice" in r.stderr


class TestService:
    def test_cwt_via_url_equals_local(self, files, tmp_path, service):
        d, _, _ = files
        remote, local = tmp_path / "remote.npz", tmp_path / "local.npz"
        r = run("cwt", d / "y.npy", "--dj", 0.25, "--url", service.url, "-o", remote)
        assert r.returncode == 0, r.stderr
        assert run("cwt", d / "y.npy", "--dj", 0.25, "-o", local).returncode == 0
        a, b = np.load(remote), np.load(local)
        assert_allclose(a["wave"], b["wave"], rtol=1e-10, atol=1e-12)

    def test_wct_significance_via_url_and_jobs(self, files, service):
        d, _, _ = files
        r = run("wct", d / "xy.csv", d / "y.npy", "--column", "nino3", "--dj", 0.5,
                "--significance", "--mc-count", 8, "--seed", 4, "--url", service.url)  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert "thresholds" in r.stdout and "seed 4" in r.stdout
        assert "8/8" in r.stderr  # progress bar fed by the job's events
        r = run("jobs", "--url", service.url, "--status", "completed")
        assert r.returncode == 0, r.stderr
        assert "completed" in r.stdout and "job(s)" in r.stdout

    def test_service_error_exit_status(self, files, service):
        d, _, _ = files
        r = run("wct", d / "y.npy", d / "y.npy", "--significance", "--backend", "gpu",
                "--url", service.url)  # fmt: skip
        assert r.returncode == 1 and "503" in r.stderr


def test_console_script_declared():
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert scripts["pycwt-mod"] == "serve_app.client.cli:main"


def test_wct_areawise_local_equals_service(files, tmp_path, service):
    d, _, _ = files
    args = ("wct", d / "xy.csv", d / "y.npy", "--column", "nino3", "--dj", 0.5, "--areawise",
            "--surrogate", "ar1", "--mc-count", 20, "--seed", 5, "-q")  # fmt: skip
    local, remote, png = tmp_path / "local.npz", tmp_path / "remote.npz", tmp_path / "a.png"
    r = run(*args, "-o", local)
    assert r.returncode == 0, r.stderr
    r = run(*args, "--url", service.url, "-o", remote)
    assert r.returncode == 0, r.stderr
    a, b = np.load(local), np.load(remote)
    assert str(a["surrogate"]) == str(b["surrogate"]) == "ar1"
    assert_array_equal(a["sig95"], b["sig95"])
    for name in ("pointwise_mask", "areawise_mask"):
        assert a[name].shape == a["WCT"].shape
        assert_array_equal(a[name], b[name])
    assert float(a["critical_area"]) == float(b["critical_area"])
    r = run(*args, "-o", png)
    assert r.returncode == 0 and imread(png).shape == (450, 900, 4)
    r = run(*args[:-1])  # the summary line
    assert r.returncode == 0 and "areawise:" in r.stdout and "critical area" in r.stdout


class TestFlags:
    """The analysis flags are generated from the option types, old spellings kept."""

    @pytest.mark.parametrize(
        "cmd, types",
        [("cwt", ("ScaleGrid", "Preprocessing")),
         ("wct", ("ScaleGrid", "Preprocessing", "MonteCarlo", "Areawise"))],
    )  # fmt: skip
    def test_every_option_field_is_a_flag(self, cmd, types):
        r = run(cmd, "--help")
        assert r.returncode == 0
        for cls in types:
            for f in options.option_fields(getattr(options, cls)):
                if f.name != "cache":  # the CLI leaves the threshold cache alone
                    assert f"{flag_name(f.name)} " in r.stdout, f.name
        assert "--significance-level" in r.stdout

    def test_deprecated_spellings(self, capsys):
        args = build_parser().parse_args(
            ["wct", "a.npy", "b.npy", "--level", "0.9", "--areawise-test", "cumulative",
             "--gap-fill", "linear", "--standardize", "--no-normalize"]
        )  # fmt: skip
        err = capsys.readouterr().err
        for old, new in (
            ("--level", "--significance-level"),
            ("--gap-fill", "--fill"),
            ("--areawise-test", "--area-test"),
            ("--standardize", "--normalize"),
        ):
            assert f"{old} is deprecated; use {new}" in err  # fmt: skip
        assert options_from_args(args, MonteCarlo).significance_level == 0.9
        assert options_from_args(args, Areawise).area_test == "cumulative"
        pre = options_from_args(args, Preprocessing)
        assert pre.fill == "linear" and pre.normalize  # --standardize wins, as it did
        args = build_parser().parse_args(["cwt", "a.npy", "--no-normalize"])
        assert not options_from_args(args, Preprocessing).normalize

    def test_bad_values_name_the_option(self, files):
        d, _, _ = files
        r = run("cwt", d / "y.npy", "--dj", -1)
        assert r.returncode == 2 and "`dj` must be > 0" in r.stderr
        r = run("wct", d / "y.npy", d / "y.npy", "--areawise", "--mc-count", 1)
        assert r.returncode == 2 and "mc_count >= 2" in r.stderr
