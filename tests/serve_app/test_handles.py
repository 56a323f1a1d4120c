"""Python callers through Serve handles: numpy arrays in and out, no JSON."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from ray import serve

import pycwt_mod
from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid
from serve_app.app import APP_NAME
from serve_app.deployments import options_from_keywords
from serve_app.records import CWTResult, SignificanceResult, WCTResult

from .utils import series, wait_for


def test_cwt_through_app_handle(app_handle):
    x = series(300, 30)
    res = app_handle.cwt.remote(x, 0.5, dj=0.25, normalize=False).result()
    assert isinstance(res, CWTResult)
    W, sj, freqs, coi, *_ = pycwt_mod.cwt(x, 0.5, 0.25)
    assert isinstance(res.wave, np.ndarray) and res.wave.dtype == np.complex128
    assert_allclose(res.wave, W, rtol=1e-10)
    assert_allclose(res.scales, sj, rtol=1e-12)
    assert_allclose(res.freqs, freqs, rtol=1e-12)
    assert_allclose(res.coi, coi, rtol=1e-12)


def test_wct_with_significance_through_app_handle(app_handle):
    x, y = series(128, 31), series(128, 32, period=10)
    res = app_handle.wct.remote(
        x, y, 1.0, dj=0.25, significance_test=True, mc_count=10, seed=5
    ).result()
    assert isinstance(res, WCTResult)
    lib = pycwt_mod.wct(x, y, 1.0, 0.25, mc_count=10, seed=5, cache=False, progress=False)
    assert_allclose(res.WCT, lib[0], rtol=1e-10)
    assert_array_equal(res.sig95, lib[4])
    assert res.seed == 5


def test_library_errors_propagate_as_value_error(app_handle):
    with pytest.raises(ValueError, match="non-finite"):
        app_handle.cwt.remote(np.array([1.0, np.nan, 2.0]), 1.0).result()


def test_submit_significance_through_app_handle(app_handle):
    x, y = series(256, 33), series(256, 34, period=20)
    job = app_handle.submit_significance.remote(x, y, 1.0, dj=0.5, mc_count=8, seed=17).result()
    assert job["status"] in ("queued", "running")

    def done():
        j = app_handle.job.remote(job["job_id"]).result()
        return j if j["status"] in ("completed", "failed", "cancelled") else None

    assert wait_for(done, timeout=120)["status"] == "completed"
    res = app_handle.job_result.remote(job["job_id"]).result()
    assert isinstance(res, SignificanceResult)
    direct = pycwt_mod.wct(x, y, 1.0, 0.5, mc_count=8, seed=17, cache=False, progress=False)
    assert_array_equal(res.sig95, direct[4])
    assert res.seed == 17
    assert any(j["job_id"] == job["job_id"] for j in app_handle.jobs.remote().result())


def test_compute_deployment_handle(service):
    cwt = serve.get_deployment_handle("CWTDeployment", app_name=APP_NAME)
    x = series(128, 35)
    res = cwt.cwt.remote(x, 1.0, normalize=False).result()
    assert_allclose(res.wave, pycwt_mod.cwt(x, 1.0)[0], rtol=1e-10)
    inv = cwt.icwt.remote(res.wave, res.scales, 1.0).result()
    assert_allclose(inv.signal, np.real(pycwt_mod.icwt(res.wave, res.scales, 1.0)), rtol=1e-10)


def test_option_objects_through_handles_equal_the_keywords(app_handle):
    x, y = series(128, 36), series(128, 37, period=10)
    grid = ScaleGrid(1.0, 0.25)
    by_object = app_handle.cwt.remote(
        x, grid=grid, preprocessing=Preprocessing(normalize=False)
    ).result()
    by_keyword = app_handle.cwt.remote(x, 1.0, dj=0.25, normalize=False).result()
    assert_array_equal(by_object.wave, by_keyword.wave)
    mc = MonteCarlo(mc_count=10, seed=5)
    coh = app_handle.wct.remote(x, y, grid=grid, monte_carlo=mc, significance_test=True).result()
    lib = pycwt_mod.wct(x, y, 1.0, 0.25, mc_count=10, seed=5, cache=False, progress=False)
    assert_array_equal(coh.sig95, lib[4])
    with pytest.raises(TypeError, match="mc_count"):  # a CWT takes no Monte Carlo option
        app_handle.cwt.remote(x, 1.0, mc_count=10).result()


class TestOptionsFromKeywords:
    """How handle calls become option objects (no Ray)."""

    def test_keywords_replace_fields_of_the_objects_given(self):
        o = options_from_keywords(2.0, grid=ScaleGrid(1.0, 0.5, J=4), dj=0.25, anomalies=4)
        assert o.grid == ScaleGrid(2.0, 0.25, J=4) and o.preprocessing == Preprocessing(anomalies=4)
        assert o.monte_carlo == MonteCarlo() and o.areawise is None

    def test_areawise_and_its_deprecated_keyword(self):
        o = options_from_keywords(1.0, areawise=True, areawise_test="cumulative")
        assert o.areawise == Areawise(area_test="cumulative")
        assert options_from_keywords(1.0, area_level=0.9).areawise is None
        with pytest.raises(TypeError, match="not both"):
            options_from_keywords(1.0, area_test="areawise", areawise_test="cumulative")

    def test_unknown_and_bad_keywords(self):
        with pytest.raises(TypeError, match="colour"):
            options_from_keywords(1.0, colour="red")
        with pytest.raises(TypeError, match="mc_count"):
            options_from_keywords(1.0, accepts=(ScaleGrid, Preprocessing), mc_count=3)
        with pytest.raises(ValueError, match="`dj`"):
            options_from_keywords(1.0, dj=-1)
