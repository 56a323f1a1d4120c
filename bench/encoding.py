"""JSON against npz: encode + decode time and end-to-end CWT requests.

    python bench/encoding.py                       # starts `python -m serve_app` itself
    python bench/encoding.py --url http://127.0.0.1:8000 --sizes 100000
    python bench/encoding.py --no-service          # encode + decode only

For each series length N (default 10^5 and 10^6) it times, as the median of
``--repeat`` runs:

* **request body** (N samples): JSON = ``orjson.dumps`` on the client (the fastest
  JSON encoder; stdlib ``json`` is slower) + ``CWTRequest.model_validate_json`` as the
  ingress does; npz = ``np.savez`` + the ingress' npz parsing
  (`serve_app.http.npz_body.npz_fields`) + ``CWTRequest.model_validate``.
* **response body** (a CWT at 4 scales, ``J=3``, so ``(4, N)`` complex plus the grid):
  JSON = `serve_app.http.encoding.dumps` + ``orjson.loads`` and ``np.array`` on the client;
  npz = `serve_app.npz.to_npz` + `serve_app.npz.from_npz`.
* **end to end**: ``POST /api/v1/analysis/cwt`` (``J=3``) with JSON in/out against npz
  in/out (``serve_app.client`` style), over loopback HTTP through the Serve proxy.

The service started here gets ``PYCWT_MAX_SAMPLES`` (``--max-samples``, default
2^20) and ``PYCWT_MAX_SCALES_X_SAMPLES`` raised so 10^6 samples are accepted; an
existing ``--url`` service must be started with such limits.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from pycwt_mod.options import ScaleGrid  # noqa: E402
from pycwt_mod.pipeline import analyze_cwt  # noqa: E402
from serve_app.analysis import cwt_record  # noqa: E402
from serve_app.http.encoding import dumps  # noqa: E402
from serve_app.http.npz_body import npz_fields  # noqa: E402
from serve_app.http.schemas import CWTRequest  # noqa: E402
from serve_app.npz import NPZ_MEDIA_TYPE, from_npz, to_npz  # noqa: E402

PARAMS = {"dt": 1.0, "dj": 1.0, "J": 3}


def median_time(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _savez(fields: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in fields.items()})
    return buf.getvalue()


def codec_rows(x: np.ndarray, repeat: int) -> list[tuple]:
    """(what, format, seconds, bytes) of the request and response encode + decode."""
    rows = []
    req = {"data": x, **PARAMS}
    body_json = orjson.dumps(req, option=orjson.OPT_SERIALIZE_NUMPY)
    t = median_time(
        lambda: CWTRequest.model_validate_json(
            orjson.dumps(req, option=orjson.OPT_SERIALIZE_NUMPY)
        ),
        repeat,
    )
    rows.append(("request", "json", t, len(body_json)))
    body_npz = _savez(req)
    t = median_time(lambda: CWTRequest.model_validate(npz_fields(_savez(req))), repeat)
    rows.append(("request", "npz", t, len(body_npz)))

    res = cwt_record(analyze_cwt(x, ScaleGrid(**PARAMS)), masked=False).arrays()

    def json_round():
        d = orjson.loads(dumps(res))
        np.array(d["wave"]["real"]) + 1j * np.array(d["wave"]["imag"])

    rows.append(("response", "json", median_time(json_round, repeat), len(dumps(res))))
    rows.append(
        ("response", "npz", median_time(lambda: from_npz(to_npz(res)), repeat), len(to_npz(res)))
    )
    return rows


def http_rows(url: str, x: np.ndarray, repeat: int) -> list[tuple]:
    """(what, format, seconds, bytes) of end-to-end CWT requests."""
    rows = []
    with httpx.Client(base_url=url, timeout=600) as c:

        def via_json():
            r = c.post(
                "/api/v1/analysis/cwt",
                content=orjson.dumps({"data": x, **PARAMS}, option=orjson.OPT_SERIALIZE_NUMPY),
                headers={"Content-Type": "application/json"},
            )
            r.raise_for_status()
            d = orjson.loads(r.content)
            np.array(d["wave"]["real"]) + 1j * np.array(d["wave"]["imag"])
            return len(r.content)

        def via_npz():
            r = c.post(
                "/api/v1/analysis/cwt",
                content=_savez({"data": x, **PARAMS}),
                headers={"Content-Type": NPZ_MEDIA_TYPE, "Accept": NPZ_MEDIA_TYPE},
            )
            r.raise_for_status()
            from_npz(r.content)
            return len(r.content)

        rows.append(("end to end", "json", median_time(via_json, repeat), via_json()))
        rows.append(("end to end", "npz", median_time(via_npz, repeat), via_npz()))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--repeat", type=int, default=5, help="timed runs per cell (median)")
    p.add_argument("--url", help="an existing service (default: start one)")
    p.add_argument("--no-service", action="store_true", help="encode + decode only")
    p.add_argument("--max-samples", type=int, default=2**20,
                   help="PYCWT_MAX_SAMPLES of the service started here (default 2^20)")  # fmt: skip
    p.add_argument("--num-cpus", type=int, help="CPUs of the service started here")
    args = p.parse_args(argv)

    rng = np.random.default_rng(0)
    series = {n: rng.standard_normal(n) for n in args.sizes}
    proc, url = None, args.url
    if not args.no_service and url is None:
        from serve_load import start_service

        os.environ["PYCWT_MAX_SAMPLES"] = str(args.max_samples)
        os.environ["PYCWT_MAX_SCALES_X_SAMPLES"] = str(8 * args.max_samples)
        proc, url = start_service(args.num_cpus)
    try:
        print("| N | step | format | median s | bytes | JSON / npz time |")
        print("|--:|------|--------|---------:|------:|----------------:|")
        for n, x in series.items():
            rows = codec_rows(x, args.repeat)
            if url:
                rows += http_rows(url, x, args.repeat)
            for i in range(0, len(rows), 2):
                (what, _, tj, bj), (_, _, tn, bn) = rows[i], rows[i + 1]
                print(f"| {n} | {what} | json | {tj:.4f} | {bj} | {tj / tn:.1f}x |")
                print(f"| {n} | {what} | npz | {tn:.4f} | {bn} | |", flush=True)
    finally:
        if proc is not None:
            from serve_load import stop_service

            stop_service(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
