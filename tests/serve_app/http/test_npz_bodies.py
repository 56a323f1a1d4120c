"""``application/x-npz`` request bodies: same fields as JSON, same answers."""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from serve_app.http.schemas import CWTRequest, ICWTRequest
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz

from ..hostile_npz import declared_shape, non_array, pickle_member, zip_bomb
from ..utils import series

NPZ = {"Content-Type": NPZ_MEDIA_TYPE, "Accept": NPZ_MEDIA_TYPE}


def npz(**fields) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in fields.items()})
    return buf.getvalue()


def post_json(client, path, body) -> dict:
    r = client.post(path, json=body, headers={"Accept": NPZ_MEDIA_TYPE})
    assert r.status_code == 200, r.text
    return from_npz(r.content)


def post_npz(client, path, **fields) -> dict:
    r = client.post(path, content=npz(**fields), headers=NPZ)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == NPZ_MEDIA_TYPE
    return from_npz(r.content)


def assert_same(a: dict, b: dict, skip=("computation_time",)) -> None:
    assert set(a) == set(b)
    for k in a:
        if k not in skip:
            assert_array_equal(a[k], b[k], err_msg=k)


class TestModels:
    def test_ndarray_skips_list_validation(self):
        body = CWTRequest.model_validate({"data": np.arange(5), "dt": 1})
        assert isinstance(body.data, np.ndarray) and body.data.dtype == float
        listed = CWTRequest.model_validate({"data": [1, 2, None], "dt": 1}).data
        assert_array_equal(listed, [1.0, 2.0, np.nan])  # null: a missing sample

    def test_wrong_ndim_or_dtype_still_validated(self):
        with pytest.raises(ValueError, match="valid number"):
            CWTRequest.model_validate({"data": np.ones((2, 2)), "dt": 1})
        with pytest.raises(ValueError):
            CWTRequest.model_validate({"data": np.array(["a", "b"]), "dt": 1})

    def test_json_schema_unchanged(self):
        props = CWTRequest.model_json_schema()["properties"]
        assert props["data"]["type"] == "array"
        assert props["data"]["items"] == {"anyOf": [{"type": "number"}, {"type": "null"}]}
        wave = ICWTRequest.model_json_schema()["$defs"]["ComplexMatrix"]["properties"]
        assert wave["real"]["items"]["items"]["type"] == "number"


class TestRoundTrip:
    def test_cwt(self, client):
        x = series(300, seed=3)
        js = post_json(client, "/api/v1/analysis/cwt", {"data": x.tolist(), "dt": 0.5, "dj": 0.25})
        nz = post_npz(client, "/api/v1/analysis/cwt", data=x, dt=0.5, dj=0.25)
        assert nz["wave"].shape == (js["scales"].size, 300)
        assert_same(js, nz)

    def test_cwt_scalars_and_strings(self, client):
        x = series(128, seed=4)
        body = {"data": x.tolist(), "dt": 1.0, "dj": 0.5, "J": 6, "wavelet": "paul"}
        js = post_json(client, "/api/v1/analysis/cwt", {**body, "normalize": False})
        nz = post_npz(
            client, "/api/v1/analysis/cwt", data=x, dt=1.0, dj=0.5, J=6, wavelet="paul",
            normalize=False,
        )  # fmt: skip
        assert nz["scales"].size == 7
        assert_same(js, nz)

    def test_icwt_takes_cwt_npz_output(self, client):
        x = series(256, seed=5)
        cwt = post_npz(client, "/api/v1/analysis/cwt", data=x, dt=1.0, dj=0.25)
        nz = post_npz(
            client, "/api/v1/analysis/icwt", wave=cwt["wave"], scales=cwt["scales"], dt=1.0,
            dj=0.25,
        )  # fmt: skip
        js = post_json(
            client,
            "/api/v1/analysis/icwt",
            {
                "wave": {"real": cwt["wave"].real.tolist(), "imag": cwt["wave"].imag.tolist()},
                "scales": cwt["scales"].tolist(),
                "dt": 1.0,
                "dj": 0.25,
            },
        )
        assert nz["signal"].shape == (256,)
        assert_same(js, nz)

    @pytest.mark.parametrize("kind", ["xwt", "wct"])
    def test_two_series(self, client, kind):
        x, y = series(200, seed=6), series(200, seed=7)
        path = f"/api/v1/analysis/{kind}"
        js = post_json(client, path, {"data1": x.tolist(), "data2": y.tolist(), "dt": 1, "dj": 0.5})
        nz = post_npz(client, path, data1=x, data2=y, dt=1, dj=0.5)
        assert_same(js, nz)

    def test_significance_job_from_npz(self, client):
        from ..utils import wait_for

        x, y = series(128, seed=8), series(128, seed=9)
        r = client.post(
            "/api/v1/analysis/significance",
            content=npz(data1=x, data2=y, dt=1.0, dj=0.5, mc_count=8, seed=21),
            headers={"Content-Type": NPZ_MEDIA_TYPE},
        )
        assert r.status_code == 200, r.text
        job_id = r.json()["job_id"]
        wait_for(
            lambda: client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "completed",
            timeout=90,
        )
        r = client.get(f"/api/v1/jobs/{job_id}/result", headers=NPZ)  # Content-Type ignored
        got = from_npz(r.content)
        sync = post_json(
            client,
            "/api/v1/analysis/wct",
            {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.5,
             "significance_test": True, "mc_count": 8, "seed": 21},
        )  # fmt: skip
        assert_array_equal(got["sig95"], sync["sig95"])  # same seed: same thresholds


class TestErrors:
    def test_not_an_npz_is_400(self, client):
        r = client.post("/api/v1/analysis/cwt", content=b"not a zip", headers=NPZ)
        assert r.status_code == 400
        assert "not a valid .npz" in r.json()["detail"]

    def test_empty_body_is_400(self, client):
        r = client.post("/api/v1/analysis/cwt", content=b"", headers=NPZ)
        assert r.status_code == 400
        assert "empty" in r.json()["detail"]

    def test_object_array_is_refused(self, client):
        buf = io.BytesIO()
        np.savez(buf, data=np.array([1.0, None, 2.0], dtype=object), dt=np.array(1.0))
        r = client.post("/api/v1/analysis/cwt", content=buf.getvalue(), headers=NPZ)
        assert r.status_code == 400
        assert "allow_pickle" in r.json()["detail"] or "object" in r.json()["detail"]

    def test_fields_are_validated_like_json(self, client):
        x = series(64)
        r = client.post("/api/v1/analysis/cwt", content=npz(data=x), headers=NPZ)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "dt"]
        r = client.post("/api/v1/analysis/cwt", content=npz(data=x, dt=1, bogus=1), headers=NPZ)
        assert r.status_code == 422
        r = client.post("/api/v1/analysis/cwt", content=npz(data=x, dt=-1.0), headers=NPZ)
        assert r.status_code == 422

    def test_nan_is_400(self, client):
        x = series(64)
        x[3] = np.nan
        r = client.post("/api/v1/analysis/cwt", content=npz(data=x, dt=1.0), headers=NPZ)
        assert r.status_code == 400
        assert "index 3" in r.json()["detail"]

    def test_openapi_still_json(self, client):
        spec = client.get("/openapi.json").json()
        body = spec["paths"]["/api/v1/analysis/cwt"]["post"]["requestBody"]["content"]
        assert list(body) == ["application/json"]
        assert body["application/json"]["schema"]["$ref"].endswith("/CWTRequest")


class TestHostileBodies:
    """Refused before decompression, each with a 4xx naming the member; the ingress
    answers the next request as before."""

    @pytest.mark.parametrize(
        ("build", "status", "member"),
        [
            (lambda: zip_bomb(2**31), 413, "'data'"),
            (lambda: declared_shape((10**12,)), 413, "(1000000000000,)"),
            (pickle_member, 400, "pickle"),
            (non_array, 400, "'notes.txt'"),
        ],
        ids=["zip-bomb-2GiB", "shape-1e12", "pickle", "non-array"],
    )
    def test_refused_and_ingress_alive(self, client, build, status, member):
        r = client.post("/api/v1/analysis/cwt", content=build(), headers=NPZ)
        assert r.status_code == status, r.text
        assert member in r.json()["detail"]
        x = series(64, seed=1)
        ok = client.post("/api/v1/analysis/cwt", content=npz(data=x, dt=1.0), headers=NPZ)
        assert ok.status_code == 200, ok.text
