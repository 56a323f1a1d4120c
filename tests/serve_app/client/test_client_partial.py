"""Client.partial_wct / multiple_wct and the CLI's partial-wct / multiple-wct (local and
--url), against the real session service: equal to the pipeline bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid
from pycwt_mod.pipeline import analyze_multiple_wct, analyze_partial_wct
from serve_app.client import BadRequest, Client
from serve_app.client.cli import main

from ..utils import series

GRID = ScaleGrid(dt=1.0, dj=0.5)
MC = MonteCarlo(mc_count=8, seed=4, backend="sequential", cache=False)


@pytest.fixture(scope="module")
def trio():
    z = series(128, 3)
    return series(128, 1) + z, series(128, 2) + z, z


@pytest.fixture(scope="module")
def api(service):
    with Client(service.url, retries=2, backoff=0.01) as c:
        yield c


def test_partial_with_flat_keywords_equals_the_pipeline(api, trio):
    y, x, z = trio
    r = api.partial_wct(
        y, x, z, 1.0, dj=0.5, significance_test=True, mc_count=8, seed=4, backend="sequential"
    )
    a = analyze_partial_wct(y, x, [z], GRID, monte_carlo=MC)
    for name, want in [("PWCT", a.PWCT), ("aPWCT", a.aPWCT), ("WCT", a.WCT), ("sig95", a.sig95),
                       ("coi", a.coi), ("scales", a.scales)]:  # fmt: skip
        assert_array_equal(getattr(r, name), want, err_msg=name)
    assert r.seed == 4 and list(r.ar1) == list(a.thresholds.ar1)


def test_multiple_with_option_objects_and_labels(api, trio):
    pd = pytest.importorskip("pandas")
    index = pd.date_range("2000-01-01", periods=128, freq="MS")
    y, x, z = (pd.Series(v, index=index) for v in trio)
    pre = Preprocessing(detrend="linear")
    r = api.multiple_wct(y, [x, z], grid=ScaleGrid(dj=0.5), preprocessing=pre)
    a = analyze_multiple_wct(trio[0], list(trio[1:]), ScaleGrid(dt=1 / 12, dj=0.5), pre)
    assert_array_equal(r.MWCT, a.MWCT)
    assert r.sig95 is None and r.time[0] == index[0]
    with pytest.raises(BadRequest, match="PYCWT_SYNC_WORK_BUDGET"):
        big = series(1024, 10)
        api.multiple_wct(big, [big[::-1], big], 1.0, significance_test=True, mc_count=1000)


def test_unknown_keyword_is_a_type_error(api, trio):
    with pytest.raises(TypeError, match="area_test"):
        api.partial_wct(*trio, 1.0, area_test="cumulative")


def test_cli_local_and_service_equal_the_pipeline(service, trio, tmp_path, capsys):
    paths = []
    for name, v in zip("yxz", trio, strict=True):
        paths.append(str(tmp_path / f"{name}.npy"))
        np.save(paths[-1], v)
    flags = ["--dj", "0.5", "--significance", "--mc-count", "8", "--seed", "4", "-q"]
    main(["partial-wct", *paths, *flags, "-o", str(tmp_path / "p.npz")])
    a = analyze_partial_wct(*trio[:2], [trio[2]], GRID, monte_carlo=MC)
    with np.load(tmp_path / "p.npz") as got:
        assert_array_equal(got["PWCT"], a.PWCT)
        assert_array_equal(got["sig95"], a.sig95)
    main(["multiple-wct", *paths, "--dj", "0.5", "--url", service.url, "-o",
          str(tmp_path / "m.npz")])  # fmt: skip
    b = analyze_multiple_wct(trio[0], list(trio[1:]), GRID)
    with np.load(tmp_path / "m.npz") as got:
        assert_array_equal(got["MWCT"], b.MWCT)
    capsys.readouterr()
    main(["multiple-wct", *paths[:2], "--dj", "0.5"])
    assert "multiple-wct (local): 2 series" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["partial-wct", *paths[:2]])
    assert "at least 3 files" in capsys.readouterr().err
