"""The CLI's preprocessing options, in-process: time columns, --dt fractions,
--anomalies, --detrend, --standardize, --gaps, labels and units, and the red-noise
contour of ``cwt``."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.pipeline import analyze_cwt, analyze_wct
from pycwt_mod.preprocess import detrend, fill_gaps, gap_mask, standardize
from serve_app.client.series import SeriesFileError, read_timed_series

from ..utils import series
from .test_cli import run

N = 240
GAP = slice(100, 104)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli12")
    x = series(N, seed=7, period=24) + 0.02 * np.arange(N)  # a trend to remove
    dates = np.datetime64("1990-01") + np.arange(N).astype("timedelta64[M]")
    lines = ["date,sst"] + [f"{t}-01,{float(v)!r}" for t, v in zip(dates, x, strict=True)]
    (d / "monthly.csv").write_text("\n".join(lines))
    gappy = ["date,sst"] + [
        f"{t}-01,{'' if GAP.start <= i < GAP.stop else repr(float(v))}"
        for i, (t, v) in enumerate(zip(dates, x, strict=True))
    ]
    (d / "gappy.csv").write_text("\n".join(gappy))
    lines = ["t,value"] + [f"{1950 + i / 4!r},{float(v)!r}" for i, v in enumerate(x)]
    (d / "quarterly.csv").write_text("\n".join(lines))
    np.save(d / "x.npy", x)
    np.save(d / "y.npy", series(N, seed=8, period=24))
    return d, x, dates.astype("datetime64[ns]") + np.timedelta64(0, "D")


class TestTimeColumn:
    def test_reader(self, data):
        d, x, dates = data
        ts = read_timed_series(d / "monthly.csv")
        assert ts.name == "sst" and ts.time_name == "date"
        assert_array_equal(ts.time, dates)
        assert_allclose(ts.values, x, rtol=1e-15)
        gappy = read_timed_series(d / "gappy.csv")
        assert np.isnan(gappy.values[GAP]).all() and np.isfinite(gappy.values).sum() == N - 4
        with pytest.raises(SeriesFileError, match="no time column 'when'"):
            read_timed_series(d / "monthly.csv", time_column="when")

    def test_non_iso_dates_use_pandas(self, tmp_path):
        pytest.importorskip("pandas")
        (tmp_path / "us.csv").write_text("date,v\n01/31/2000,1\n02/29/2000,2\n03/31/2000,3\n")
        ts = read_timed_series(tmp_path / "us.csv")
        assert str(ts.time[1]).startswith("2000-02-29")

    def test_monthly_dates_give_dt_in_years(self, data, tmp_path):
        d, x, dates = data
        out = tmp_path / "m.npz"
        r = run("cwt", d / "monthly.csv", "--dj", 0.25, "-o", out)
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        assert_allclose(z["dt"], 1 / 12)
        assert str(z["unit"]) == "year"
        assert_array_equal(z["time"], dates)
        W, _, freqs, _, _, _ = pycwt_mod.cwt(standardize(x), 1 / 12, 0.25)
        assert_allclose(z["wave"], W, rtol=1e-10)
        assert_allclose(z["period"], 1 / freqs)  # in years
        r = run("cwt", d / "monthly.csv", "--dj", 0.25)
        assert "dt 0.0833333 year" in r.stdout and "period" in r.stdout
        csv_out = tmp_path / "m.csv"
        assert run("cwt", d / "monthly.csv", "--dj", 0.5, "-o", csv_out).returncode == 0
        assert csv_out.read_text().split(",")[1] == "power@t=1990-01-01"

    def test_dt_fraction_and_conflict(self, data, tmp_path):
        d, _, _ = data
        assert run("cwt", d / "monthly.csv", "--dt", "1/12", "--dj", 0.5).returncode == 0
        r = run("cwt", d / "monthly.csv", "--dt", 1, "--dj", 0.5)
        assert r.returncode == 2 and "disagrees with the time column" in r.stderr
        r = run("cwt", d / "x.npy", "--dt", "1/12", "--dj", 0.5, "-o", tmp_path / "f.npz")
        assert r.returncode == 0, r.stderr
        assert_allclose(np.load(tmp_path / "f.npz")["dt"], 1 / 12)
        r = run("cwt", d / "x.npy", "--dt", "1/0")
        assert r.returncode == 2 and "fraction such as 1/12" in r.stderr

    def test_numeric_time_column_with_unit(self, data, tmp_path):
        d, _, _ = data
        out = tmp_path / "q.npz"
        r = run("cwt", d / "quarterly.csv", "--time-column", "t", "--time-unit", "year",
                "--dj", 0.5, "-o", out)  # fmt: skip
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        assert_allclose(z["dt"], 0.25)
        assert str(z["unit"]) == "year"
        assert_allclose(z["time"], 1950 + np.arange(N) / 4)


class TestPreprocessing:
    def test_detrend_linear(self, data, tmp_path):
        d, x, _ = data
        out = tmp_path / "dt.npz"
        r = run("cwt", d / "x.npy", "--detrend", "linear", "--dj", 0.25, "-o", out)
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        W = pycwt_mod.cwt(standardize(detrend(x, "linear")), 1.0, 0.25)[0]
        assert_allclose(z["wave"], W, rtol=1e-10)
        assert str(z["preprocessing"]) == "detrend=linear, standardize"
        plain = pycwt_mod.cwt(standardize(x), 1.0, 0.25)[0]
        assert not np.allclose(z["wave"], plain)  # the trend was there to remove

    def test_standardize_with_no_normalize(self, data, tmp_path):
        d, x, _ = data
        raw, std = tmp_path / "raw.npz", tmp_path / "std.npz"
        assert run("cwt", d / "x.npy", "--no-normalize", "--dj", 0.5, "-o", raw).returncode == 0
        r = run("cwt", d / "x.npy", "--no-normalize", "--standardize", "--dj", 0.5, "-o", std)
        assert r.returncode == 0, r.stderr
        assert_allclose(np.load(raw)["wave"], pycwt_mod.cwt(x, 1.0, 0.5)[0], rtol=1e-10)
        assert_allclose(np.load(std)["wave"], pycwt_mod.cwt(standardize(x), 1.0, 0.5)[0],
                        rtol=1e-10)  # fmt: skip
        assert str(np.load(raw)["preprocessing"]) == "none"

    def test_wct_detrend_and_standardize(self, data, tmp_path):
        d, x, _ = data
        y = np.load(d / "y.npy")
        out = tmp_path / "w.npz"
        r = run("wct", d / "x.npy", d / "y.npy", "--detrend", "linear", "--standardize",
                "--dj", 0.5, "-o", out)  # fmt: skip
        assert r.returncode == 0, r.stderr
        WCT = pycwt_mod.wct(standardize(detrend(x)), standardize(detrend(y)), 1.0, 0.5,
                            sig=False)[0]  # fmt: skip
        assert_allclose(np.load(out)["WCT"], WCT, rtol=1e-10)
        assert str(np.load(out)["preprocessing"]) == "detrend=linear, standardize"

    def test_gaps_raise_names_the_first_gap(self, data):
        d, _, _ = data
        r = run("cwt", d / "gappy.csv")
        assert r.returncode == 2
        assert "4 missing value(s)" in r.stderr and "index 100 (1998-05-01)" in r.stderr
        assert "--gaps mask" in r.stderr

    def test_gaps_mask(self, data, tmp_path):
        d, x, _ = data
        out = tmp_path / "g.npz"
        r = run("cwt", d / "gappy.csv", "--gaps", "mask", "--dj", 0.25, "-o", out)
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        xg = x.copy()
        xg[GAP] = np.nan
        W, _, freqs, _, _, _ = pycwt_mod.cwt(fill_gaps(standardize(xg)), 1 / 12, 0.25)
        assert_allclose(z["wave"], W, rtol=1e-10)
        missing = np.isnan(xg)
        assert_array_equal(z["gap_mask"], gap_mask(missing, 1 / freqs, 1 / 12))
        assert z["gap_mask"][:, GAP].all() and not z["gap_mask"][:5, :50].any()
        assert "gaps=mask (4 filled, mean)" in str(z["preprocessing"])
        out = tmp_path / "wg.npz"
        r = run("wct", d / "gappy.csv", d / "monthly.csv", "--gaps", "mask", "--dj", 0.5,
                "-o", out)  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert np.load(out)["gap_mask"][:, GAP].all()


class TestFigures:
    def test_red_noise_significance(self, data, tmp_path):
        d, x, _ = data
        out = tmp_path / "s.npz"
        r = run("cwt", d / "monthly.csv", "--detrend", "linear", "--dj", 0.25, "-o", out)
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        xs = standardize(detrend(x))
        alpha = pycwt_mod.ar1(xs)[0]
        signif, _ = pycwt_mod.significance(1.0, 1 / 12, z["scales"], 0, alpha)
        assert_allclose(z["signif"], signif, rtol=1e-10)
        assert_allclose(z["ar1"], alpha)
        assert_allclose(z["variance"], 1.0)
        r = run(
            "cwt",
            d / "monthly.csv",
            "--detrend",
            "linear",
            "--level",
            0.99,
            "--dj",
            0.25,
            "-o",
            tmp_path / "99.npz",
        )
        assert r.returncode == 0
        assert (np.load(tmp_path / "99.npz")["signif"] > signif).all()

    def test_png_with_dates_gaps_labels_and_units(self, data, tmp_path):
        d, _, _ = data
        for cmd in (["cwt", d / "gappy.csv"], ["wct", d / "gappy.csv", d / "monthly.csv"]):
            out = tmp_path / f"{cmd[0]}.png"
            r = run(*cmd, "--gaps", "mask", "--detrend", "linear", "--time-label", "Date",
                    "--period-unit", "yr", "--title", "t", "-o", out)  # fmt: skip
            assert r.returncode == 0, r.stderr
            assert imread(out).shape == (450, 900, 4)


def test_single_scale_is_shown_without_a_red_noise_level(data, tmp_path):
    d, _, _ = data
    r = run("cwt", d / "x.npy", "--J", 0)
    assert r.returncode == 0, r.stderr
    assert "1 scales" in r.stdout and "no red-noise level" in r.stdout
    r = run("cwt", d / "x.npy", "--J", 0, "-o", tmp_path / "one.png")
    assert r.returncode == 2 and "a figure needs at least 2 scales" in r.stderr


class TestAnomalies:
    """``--anomalies N|auto``: the pipeline's seasonal anomalies (``auto`` from the dates)."""

    grid = ScaleGrid(dt=1 / 12, dj=0.25)

    def test_cwt_local_is_the_library(self, data, tmp_path):
        d, x, _ = data
        out, auto = tmp_path / "a.npz", tmp_path / "auto.npz"
        r = run("cwt", d / "monthly.csv", "--anomalies", 12, "--dj", 0.25, "-o", out)
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        lib = analyze_cwt(x, self.grid, Preprocessing(anomalies=12), significance_level=0.95)
        assert_array_equal(z["wave"], lib.wave)
        assert_array_equal(z["signif"], lib.sig95)
        assert str(z["preprocessing"]) == "anomalies=12, standardize"
        assert not np.allclose(z["wave"], analyze_cwt(x, self.grid).wave)
        r = run("cwt", d / "monthly.csv", "--anomalies", "auto", "--dj", 0.25, "-o", auto)
        assert r.returncode == 0, r.stderr
        assert_array_equal(np.load(auto)["wave"], z["wave"])  # monthly dates: 12
        assert str(np.load(auto)["preprocessing"]) == "anomalies=12, standardize"

    def test_auto_reads_quarterly_dates_and_needs_dates(self, data, tmp_path):
        d, x, _ = data
        out = tmp_path / "q.npz"
        r = run("cwt", d / "quarterly.csv", "--time-column", "t", "--time-unit", "year",
                "--anomalies", "auto", "--dj", 0.5, "-o", out)  # fmt: skip
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        assert str(z["preprocessing"]) == "anomalies=4, standardize"
        lib = analyze_cwt(x, ScaleGrid(dt=0.25, dj=0.5), Preprocessing(anomalies=4))
        assert_array_equal(z["wave"], lib.wave)
        r = run("cwt", d / "x.npy", "--anomalies", "auto")
        assert r.returncode == 2 and "monthly or quarterly dates" in r.stderr
        assert "--anomalies 12" in r.stderr  # the library's advice, in flags
        r = run("cwt", d / "x.npy", "--anomalies", 1)
        assert r.returncode == 2 and "`anomalies` must be the samples per seasonal cycle" in (
            r.stderr
        )

    def test_wct_local_is_the_library(self, data, tmp_path):
        d, x, _ = data
        y = np.load(d / "y.npy")
        out = tmp_path / "w.npz"
        r = run("wct", d / "monthly.csv", d / "y.npy", "--anomalies", "auto", "--dj", 0.5,
                "--significance", "--mc-count", 8, "--seed", 1, "-q", "-o", out)  # fmt: skip
        assert r.returncode == 0, r.stderr
        z = np.load(out)
        mc = MonteCarlo(mc_count=8, seed=1, backend="sequential", cache=False)
        lib = analyze_wct(x, y, ScaleGrid(dt=1 / 12, dj=0.5), Preprocessing(anomalies=12),
                          monte_carlo=mc)  # fmt: skip
        assert_array_equal(z["WCT"], lib.WCT)
        assert_array_equal(z["sig95"], lib.sig95)
        assert "anomalies=12" in str(z["preprocessing"])


class TestAnomaliesViaService:
    """``--url`` sends ``anomalies`` (``auto`` resolved from the dates): the same bits as
    locally and as the library (needs the service's request models with ``anomalies``)."""

    def test_cwt(self, data, tmp_path, service):
        d, x, _ = data
        local, remote = tmp_path / "local.npz", tmp_path / "remote.npz"
        args = ("cwt", d / "monthly.csv", "--anomalies", "auto", "--dj", 0.25)
        assert run(*args, "-o", local).returncode == 0
        r = run(*args, "--url", service.url, "-o", remote)
        assert r.returncode == 0, r.stderr
        a, b = np.load(local), np.load(remote)
        lib = analyze_cwt(x, ScaleGrid(dt=1 / 12, dj=0.25), Preprocessing(anomalies=12))
        assert_array_equal(b["wave"], a["wave"])
        assert_array_equal(b["wave"], lib.wave)
        assert_array_equal(b["signif"], a["signif"])

    def test_wct_significance(self, data, tmp_path, service):
        d, _, _ = data
        local, remote = tmp_path / "local.npz", tmp_path / "remote.npz"
        args = ("wct", d / "monthly.csv", d / "y.npy", "--anomalies", 12, "--dj", 0.5,
                "--significance", "--mc-count", 8, "--seed", 2, "-q")  # fmt: skip
        assert run(*args, "-o", local).returncode == 0
        r = run(*args, "--url", service.url, "-o", remote)
        assert r.returncode == 0, r.stderr
        a, b = np.load(local), np.load(remote)
        for name in ("WCT", "aWCT", "sig95", "scales"):
            assert_array_equal(b[name], a[name])
