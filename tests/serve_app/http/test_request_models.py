"""Fast unit tests of the service's plain-Python parts (no Ray)."""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np
import pytest
from pydantic import ValidationError

from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid, option_fields
from serve_app.analysis import LimitExceededError, RequestLimits, check_size
from serve_app.http.encoding import dumps
from serve_app.http.schemas import SignificanceRequest, WCTRequest
from serve_app.jobs.store import JobStore, utcnow
from serve_app.npz import from_npz, to_npz
from serve_app.records import SignificanceResult
from serve_app.settings import Settings, get_settings


class TestSettings:
    def test_env_prefix(self, monkeypatch):
        monkeypatch.setenv("PYCWT_MAX_SAMPLES", "5000")
        monkeypatch.setenv("PYCWT_JOB_TIMEOUT_S", "12.5")
        s = Settings()
        assert s.max_samples == 5000
        assert s.job_timeout_s == 12.5

    def test_overrides_win_and_none_is_ignored(self, monkeypatch):
        monkeypatch.setenv("PYCWT_PORT", "9000")
        assert get_settings(port=None).port == 9000
        assert get_settings(port=9100).port == 9100

    def test_db_path_default_under_var(self, monkeypatch):
        monkeypatch.delenv("PYCWT_DB_PATH", raising=False)
        assert "/var/" in get_settings().resolved_db_path()

    def test_cross_field_rule(self):
        with pytest.raises(ValidationError, match="MAX_SCALES_X_SAMPLES"):
            Settings(max_samples=10_000, max_scales_x_samples=5_000)

    def test_app_args_are_validated(self):
        # the builder's args are Settings: invalid values and unknown fields are errors
        with pytest.raises(ValidationError):
            Settings(use_gpu="sometimes")
        with pytest.raises(ValidationError):
            Settings(not_a_field=1)


class TestLimits:
    def test_each_limit(self):
        lim = RequestLimits(max_samples=100, max_scales_x_samples=1000, max_mc_count=10)
        check_size(100, 10, lim, 10)
        with pytest.raises(LimitExceededError, match="PYCWT_MAX_SAMPLES"):
            check_size(101, 1, lim)
        with pytest.raises(LimitExceededError, match="SCALES_X_SAMPLES"):
            check_size(100, 11, lim)
        with pytest.raises(LimitExceededError, match="MC_COUNT"):
            check_size(10, 10, lim, 11)


class TestEncoding:
    def test_nan_inf_become_null_and_complex_is_split(self):
        value = {"a": np.array([1.0, np.nan, np.inf]), "z": np.array([[1 + 2j, np.nan]])}
        out = json.loads(dumps({**value, "s": np.float32(2)}))
        assert out["a"] == [1.0, None, None]
        assert out["z"] == {"real": [[1.0, None]], "imag": [[2.0, 0.0]]}
        assert out["s"] == 2.0

    def test_non_contiguous_arrays(self):
        a = np.arange(12.0).reshape(3, 4)[:, ::2]
        assert json.loads(dumps({"a": a}))["a"] == a.tolist()

    def test_npz_round_trip(self):
        blob = to_npz({"x": np.arange(3.0), "name": "ray", "none": None})
        back = from_npz(blob)
        assert back["x"].tolist() == [0.0, 1.0, 2.0]
        assert str(back["name"]) == "ray"
        assert "none" not in back


class TestStore:
    def _job(self, job_id, status="queued"):
        return {"job_id": job_id, "status": status, "progress": 0.0, "created_at": utcnow(),
                "backend": "ray", "mc_count": 10, "runner_name": f"r-{job_id}",
                "params": {"a1": 0.5}}  # fmt: skip

    def test_transitions_persist_across_reopen(self, tmp_path):
        path = str(tmp_path / "sub" / "jobs.sqlite3")
        store = JobStore(path)
        store.insert(self._job("a"))
        store.insert(self._job("b"))
        assert store.update("a", status="running", progress=0.5)
        assert not store.update("missing", status="failed")
        store.set_result("b", b"\x00blob")
        store.close()
        again = JobStore(path)
        assert again.get("a")["status"] == "running"
        assert again.get("a")["progress"] == 0.5
        assert again.get("a")["params"] == {"a1": 0.5}
        assert [j["job_id"] for j in again.list("queued")] == ["b"]
        assert again.get_result("b") == b"\x00blob"
        assert again.get_result("a") is None
        assert again.get("zzz") is None

    def test_unknown_field_is_rejected(self, tmp_path):
        store = JobStore(str(tmp_path / "j.sqlite3"))
        store.insert(self._job("a"))
        with pytest.raises(ValueError, match="unknown job fields"):
            store.update("a", colour="red")


class TestRequestModels:
    """Request fields generated from the option types (`serve_app.http.fields`)."""

    TWO: ClassVar[dict] = {"data1": [1.0, 2.0], "data2": [1.0, 2.0], "dt": 1.0}

    def test_every_option_field_with_its_default_and_doc(self):
        for cls, model in ((Preprocessing, WCTRequest), (Areawise, SignificanceRequest)):
            props = model.model_json_schema()["properties"]
            for f in option_fields(cls):
                assert props[f.name]["description"] == f.doc, f.name
                assert props[f.name]["default"] == f.default, f.name
                if f.choices:
                    assert props[f.name]["enum"] == list(f.choices), f.name
        assert set(SignificanceRequest.model_fields) >= {"mc_count", "seed", "al1", "al2"}

    def test_option_objects(self):
        req = SignificanceRequest(**self.TWO, dj=0.5, detrend="linear", mc_count=40,
                                  seed=2, areawise=True, area_measure="schulte")  # fmt: skip
        assert req.grid() == ScaleGrid(1.0, 0.5)
        assert req.preprocessing() == Preprocessing(detrend="linear")
        assert req.monte_carlo() == MonteCarlo(mc_count=40, seed=2)
        assert req.areawise_options() == Areawise(area_measure="schulte")
        assert SignificanceRequest(**self.TWO).areawise_options() is None

    def test_option_type_errors_name_the_field(self):
        with pytest.raises(ValidationError) as info:
            SignificanceRequest(**self.TWO, s0=-2)
        (error,) = info.value.errors()
        assert error["loc"] == ("s0",) and "`s0` must be > 0" in error["msg"]

    def test_area_test_and_its_deprecated_alias(self):
        new = SignificanceRequest(**self.TWO, areawise=True, area_test="cumulative")
        old = SignificanceRequest(**self.TWO, areawise=True, areawise_test="cumulative")
        for req in (new, old):
            assert req.area_test == req.areawise_test == "cumulative"
            assert req.areawise_options().area_test == "cumulative"
        with pytest.raises(ValidationError, match="not both"):
            SignificanceRequest(**self.TWO, areawise=True, area_test="areawise",
                                areawise_test="cumulative")  # fmt: skip
        schema = SignificanceRequest.model_json_schema()["properties"]["areawise_test"]
        assert schema["deprecated"] is True

    def test_results_answer_both_names(self):
        base = {"sig95": np.ones(2), "scales": np.ones(2), "freqs": np.ones(2),
                "period": np.ones(2), "seed": 1, "mc_count": 2, "significance_level": 0.95,
                "computation_time": 0.1, "backend_used": "sequential"}  # fmt: skip
        stored = SignificanceResult.from_arrays({**base, "areawise_test": np.asarray("areawise")})
        assert stored.area_test == stored.areawise_test == "areawise"
        arrays = SignificanceResult(**base, area_test="cumulative").arrays()
        assert arrays["area_test"] == arrays["areawise_test"] == "cumulative"
