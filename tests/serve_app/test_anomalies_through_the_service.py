"""Seasonal anomalies (``anomalies``, a `Preprocessing` option) through every door of the
service: HTTP CWT, XWT, WCT, plots and jobs, handles and batch, each bit-identical to
`pycwt_mod.pipeline` with ``Preprocessing(anomalies=12)``; no door declares the field
by hand (it comes with the option type)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid, option_fields
from pycwt_mod.pipeline import analyze_cwt, analyze_wct, analyze_xwt
from serve_app.batch import BatchOptions, analyse
from serve_app.batch import _parse as batch_args
from serve_app.http import schemas
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz

from .utils import complex_array, nan_array, wait_for

DT = 1 / 12  # monthly samples, in years
GRID = ScaleGrid(DT, 0.25)
SEASONAL = Preprocessing(anomalies=12)
PRE_FIELDS = {f.name for f in option_fields(Preprocessing)}


def monthly(seed: int, years: int = 40) -> np.ndarray:
    """A strong mean seasonal cycle (annual and semi-annual) over a 4-year oscillation
    and AR(1) noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(12 * years) * DT
    noise = np.zeros(t.size)
    for i in range(1, t.size):
        noise[i] = 0.5 * noise[i - 1] + 0.2 * rng.standard_normal()
    cycle = 10 * np.sin(2 * np.pi * t) + 3 * np.cos(4 * np.pi * t)
    return cycle + np.sin(2 * np.pi * t / 4 + seed) + noise


X, Y = monthly(1), monthly(2)


def annual_band_power(power: np.ndarray, freqs: np.ndarray) -> float:
    """Mean power (away from the edges) of the scale whose period is nearest 1 year."""
    row = int(np.argmin(np.abs(np.log(1 / np.asarray(freqs)))))
    return float(np.mean(power[row, 60:-60]))


class TestDeclared:
    """Every request with preprocessing takes every `Preprocessing` field, generated."""

    @pytest.mark.parametrize(
        "model",
        [schemas.CWTRequest, schemas.XWTRequest, schemas.WCTRequest,
         schemas.SignificanceRequest, schemas.CWTPlotRequest, schemas.WCTPlotRequest],
    )  # fmt: skip
    def test_fields_and_option_object(self, model):
        assert PRE_FIELDS <= set(model.model_fields)  # a job's gaps too (its thresholds)
        doc = next(f.doc for f in option_fields(Preprocessing) if f.name == "anomalies")
        assert model.model_json_schema()["properties"]["anomalies"]["description"] == doc
        two = {"data1": [1.0, 2.0], "data2": [1.0, 2.0]}
        body = {"data": [1.0, 2.0]} if "data" in model.model_fields else two
        req = model.model_validate({**body, "dt": DT, "anomalies": 12})
        assert req.preprocessing() == SEASONAL

    @pytest.mark.parametrize("value", [1, 0, -12, "12", "monthly", 12.5])
    def test_bad_values_are_422_naming_the_field(self, client, value):
        r = client.post("/api/v1/analysis/cwt", json={"data": X.tolist(), "dt": DT,
                                                       "anomalies": value})  # fmt: skip
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][:2] == ["body", "anomalies"]

    def test_auto_needs_a_date_axis(self, client):
        r = client.post("/api/v1/analysis/cwt", json={"data": X.tolist(), "dt": DT,
                                                       "anomalies": "auto"})  # fmt: skip
        assert r.status_code == 400 and "monthly or quarterly dates" in r.json()["detail"]

    def test_too_short_for_two_cycles_is_400(self, client):
        r = client.post("/api/v1/analysis/cwt", json={"data": X[:20].tolist(), "dt": DT,
                                                       "anomalies": 12})  # fmt: skip
        assert r.status_code == 400 and "two full cycles" in r.json()["detail"]


class TestHTTP:
    def test_cwt_annual_band_drops_and_is_the_libraries(self, client):
        body = {"data": X.tolist(), "dt": DT, "dj": 0.25}
        plain = client.post("/api/v1/analysis/cwt", json=body)
        r = client.post("/api/v1/analysis/cwt", json={**body, "anomalies": 12})
        assert plain.status_code == r.status_code == 200, r.text[:300]
        lib = analyze_cwt(X, GRID, SEASONAL)
        wave = complex_array(r.json()["wave"])
        assert_array_equal(wave, lib.wave)
        before = annual_band_power(np.abs(complex_array(plain.json()["wave"])) ** 2, lib.freqs)
        after = annual_band_power(np.abs(wave) ** 2, lib.freqs)
        assert after * 100 < before, (before, after)  # orders of magnitude

    def test_cwt_npz_and_handle(self, client, app_handle):
        r = client.post(
            "/api/v1/analysis/cwt",
            json={"data": X.tolist(), "dt": DT, "dj": 0.25, "anomalies": 12},
            headers={"Accept": NPZ_MEDIA_TYPE},
        )
        lib = analyze_cwt(X, GRID, SEASONAL)
        assert_array_equal(from_npz(r.content)["wave"], lib.wave)
        objects = app_handle.cwt.remote(X, grid=GRID, preprocessing=SEASONAL).result()
        keywords = app_handle.cwt.remote(X, DT, dj=0.25, anomalies=12).result()
        assert_array_equal(objects.wave, lib.wave)
        assert_array_equal(keywords.wave, lib.wave)

    def test_xwt(self, client):
        body = {"data1": X.tolist(), "data2": Y.tolist(), "dt": DT, "dj": 0.25, "anomalies": 12}
        r = client.post("/api/v1/analysis/xwt", json=body)
        assert r.status_code == 200, r.text[:300]
        lib = analyze_xwt(X, Y, GRID, SEASONAL)
        assert_array_equal(complex_array(r.json()["xwt"]), lib.xwt)
        assert_array_equal(nan_array(r.json()["signif"]), lib.signif)

    def test_wct_with_a_test(self, client):
        body = {"data1": X.tolist(), "data2": Y.tolist(), "dt": DT, "dj": 0.25, "anomalies": 12,
                "significance_test": True, "mc_count": 10, "seed": 7}  # fmt: skip
        r = client.post("/api/v1/analysis/wct", json=body)
        assert r.status_code == 200, r.text[:300]
        mc = MonteCarlo(mc_count=10, seed=7, backend="sequential", cache=False)
        lib = analyze_wct(X, Y, GRID, SEASONAL, monte_carlo=mc)
        out = r.json()
        assert_array_equal(nan_array(out["WCT"]), lib.WCT)
        assert_array_equal(nan_array(out["sig95"]), lib.sig95)
        assert out["ar1"] == list(lib.thresholds.ar1)

    def test_plots_draw_the_anomalies(self, client):
        body = {"data": X.tolist(), "dt": DT, "dj": 0.25, "dpi": 40}
        plain = client.post("/api/v1/plots/cwt", json=body)
        seasonal = client.post("/api/v1/plots/cwt", json={**body, "anomalies": 12})
        assert plain.status_code == seasonal.status_code == 200, seasonal.text[:300]
        assert seasonal.content != plain.content
        pair = {"data1": X.tolist(), "data2": Y.tolist(), "dt": DT, "dj": 0.5, "dpi": 40}
        r = client.post("/api/v1/plots/wct", json={**pair, "anomalies": 12})
        assert r.status_code == 200, r.text[:300]
        assert r.content != client.post("/api/v1/plots/wct", json=pair).content

    def test_job(self, client):
        body = {"data1": X.tolist(), "data2": Y.tolist(), "dt": DT, "dj": 0.5, "anomalies": 12,
                "mc_count": 12, "seed": 3, "backend": "sequential"}  # fmt: skip
        r = client.post("/api/v1/analysis/significance", json=body)
        assert r.status_code == 200, r.text[:300]
        job_id = r.json()["job_id"]

        def done():
            j = client.get(f"/api/v1/jobs/{job_id}").json()
            return j if j["status"] in ("completed", "failed", "cancelled") else None

        assert wait_for(done, 120)["status"] == "completed"
        res = client.get(f"/api/v1/jobs/{job_id}/result").json()["result"]
        mc = MonteCarlo(mc_count=12, seed=3, backend="sequential", cache=False)
        lib = analyze_wct(X, Y, ScaleGrid(DT, 0.5), SEASONAL, monte_carlo=mc)
        assert_array_equal(nan_array(res["sig95"]), lib.sig95)
        assert res["ar1"] == list(lib.thresholds.ar1)


class TestBatch:
    OPTIONS = BatchOptions(
        ScaleGrid(DT, 0.25, wavelet="morlet"),
        Preprocessing(anomalies=12),
        MonteCarlo(mc_count=8, seed=5, backend="sequential", cache=False),
    )

    def test_pair_is_the_libraries(self):
        out = analyse(np.vstack([X, Y]), self.OPTIONS)
        assert_array_equal(out["wave1"], analyze_cwt(X, GRID, SEASONAL).wave)
        mc = MonteCarlo(mc_count=8, seed=5, backend="sequential", cache=False)
        lib = analyze_wct(X, Y, GRID, SEASONAL, monte_carlo=mc)
        assert_array_equal(out["WCT"], lib.WCT)
        assert_array_equal(out["sig95"], lib.sig95)

    def test_flags_come_from_the_option_type(self):
        args = batch_args(["--input", "in", "--output", "out", "--anomalies", "12",
                           "--detrend", "linear", "--no-normalize"])  # fmt: skip
        assert (args.anomalies, args.detrend, args.normalize) == (12, "linear", False)
        assert PRE_FIELDS <= set(vars(args))  # a flag for every field
