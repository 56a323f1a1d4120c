"""`serve_app.batch` on Ray Data, in-process on the session's 2-CPU cluster.

A few hundred small series (npy, csv, csv with a date column, pairs) and a few bad
files go through ``main``; every result is checked against the library, bad files are
reported in the manifest, NetCDF output round-trips, and inputs given as a
``file://`` URI work like a local folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import pycwt_mod
from serve_app.batch import main as batch_main

from .utils import series

N_SINGLE, N_PAIRS, N = 300, 12, 64
BAD = {
    "nan.csv": "non-finite",
    "three.npy": "one or two series",
    "words.csv": "could not convert",
    "empty.csv": "empty file",
    "broken.npy": "not a readable .npy",
}


def _standard(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, dict[str, np.ndarray]]:
    folder = tmp_path_factory.mktemp("batch_in")
    rng = np.random.default_rng(5)
    data: dict[str, np.ndarray] = {}
    for i in range(N_SINGLE):
        x = rng.standard_normal(N)
        if i % 3 == 0:
            np.savetxt(folder / f"s{i:03d}.csv", x, delimiter=",", header="v", comments="")
        elif i % 3 == 1:
            np.save(folder / f"s{i:03d}.npy", x)
        else:  # a date column is skipped
            dates = np.datetime64("2001-01") + np.arange(N).astype("timedelta64[M]")
            lines = ["date,value"] + [f"{d},{float(v)!r}" for d, v in zip(dates, x, strict=True)]
            (folder / f"s{i:03d}.csv").write_text("\n".join(lines))
        data[f"s{i:03d}"] = x
    for i in range(N_PAIRS):
        xy = np.vstack([series(4 * N, 100 + i), series(4 * N, 200 + i, period=8)])
        np.save(folder / f"p{i:02d}.npy", xy)
        data[f"p{i:02d}"] = xy
    (folder / "nan.csv").write_text("1\n2\nnan\n4\n5\n")
    np.save(folder / "three.npy", np.zeros((3, 10)))
    (folder / "words.csv").write_text("v\n1\n2\nthree\n")
    (folder / "empty.csv").write_text("\n")
    (folder / "broken.npy").write_bytes(b"not numpy")
    (folder / "notes.md").write_text("not a series file: not listed")
    return folder, data


def test_hundreds_of_series_and_bad_files(inputs, tmp_path, ray_cluster):
    folder, data = inputs
    out = tmp_path / "out"
    args = ["--input", str(folder), "--output", str(out), "--dj", "1", "--batch-size", "32",
            "--significance", "--mc-count", "4", "--seed", "7"]  # fmt: skip
    assert batch_main(args) == 1  # some files failed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ok"] == N_SINGLE + N_PAIRS and manifest["failed"] == len(BAD)
    assert len(manifest["files"]) == N_SINGLE + N_PAIRS + len(BAD)  # notes.md not read
    for name, message in BAD.items():
        entry = manifest["files"][name]
        assert entry["status"] == "failed" and message in entry["error"], (name, entry)
        assert entry["output"] is None
    for name in ("s000", "s001", "s002", "s299"):
        suffix = ".npy" if name == "s001" else ".csv"
        assert manifest["files"][name + suffix]["output"] == name + ".npz"
        z = np.load(out / f"{name}.npz")
        assert_allclose(z["wave"], pycwt_mod.cwt(_standard(data[name]), 1.0, 1.0)[0], rtol=1e-9)
    assert len(list(out.glob("*.npz"))) == N_SINGLE + N_PAIRS
    x, y = data["p03"]
    lib = pycwt_mod.wct(x, y, 1.0, 1.0, mc_count=4, seed=7, cache=False, progress=False)
    z = np.load(out / "p03.npz")
    assert_allclose(z["WCT"], lib[0], rtol=1e-9)
    assert_array_equal(z["sig95"], lib[4])


def test_netcdf_from_a_uri(inputs, tmp_path, ray_cluster):
    xr = pytest.importorskip("xarray")
    folder, data = inputs
    src = tmp_path / "few"
    src.mkdir()
    for name in ("s004.npy", "s005.csv", "p01.npy", "nan.csv"):
        (src / name).write_bytes((folder / name).read_bytes())
    out = tmp_path / "nc"
    args = ["--input", src.as_uri(), "--output", out.as_uri(), "--dt", "1/12", "--dj", "0.5",
            "--format", "netcdf"]  # fmt: skip
    assert batch_main(args) == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ok"] == 3 and manifest["format"] == "netcdf"
    assert manifest["files"]["s004.npy"]["output"] == "s004.nc"
    with xr.open_dataset(out / "s004.nc", engine="scipy") as ds:
        W, _, freqs, coi, _, _ = pycwt_mod.cwt(_standard(data["s004"]), 1 / 12, 0.5)
        assert_allclose(ds["wave_real"] + 1j * ds["wave_imag"], W, rtol=1e-9)
        assert_allclose(ds["period"], 1 / freqs)
        assert_allclose(ds["time"], np.arange(N) / 12)
        assert_allclose(ds["coi"], coi)
        assert ds.attrs["wavelet"] == "morlet" and float(ds.attrs["dt"]) == 1 / 12
    with xr.open_dataset(out / "p01.nc", engine="scipy") as ds:
        assert {"WCT", "aWCT", "wave1_real", "wave2_imag"} <= set(ds.data_vars)
        assert ds["WCT"].dims == ("period", "time")


def test_gpu_request_without_gpus_fails_fast(inputs, tmp_path, ray_cluster, capsys):
    folder, _ = inputs
    code = batch_main(["--input", str(folder), "--output", str(tmp_path), "--num-gpus", "1"])
    assert code == 2
    assert "has 0 GPU(s)" in capsys.readouterr().err
    assert not (tmp_path / "manifest.json").exists()
