"""Batch analysis on a Ray cluster: series files in, ``.npz`` results out.

Run on a cluster (token auth: see serve_app/README_SERVICE.md)::

    ray job submit --working-dir . -- python -m serve_app.batch \\
        --input /data/series --output /data/results --dt 0.25 --significance

Every ``*.csv`` / ``*.npy`` file of ``--input`` is one Ray task (one CPU). A file with
one series (CSV: one column, header optional; NPY: 1-D) gets its CWT; a file with two
(two columns, or a ``(n, 2)``/``(2, n)`` array) gets both CWTs, the coherence and,
with ``--significance``, Monte Carlo thresholds. The driver reads the inputs and
writes ``<output>/<name>.npz`` plus ``<output>/manifest.json`` (per file: status,
error, seconds), so only the driver's machine needs the two folders. The exit code is
1 when any file failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import ray

from .analysis import compute_cwt, compute_wct
from .client.series import series_of_file

__all__ = ["analyse", "main"]

PATTERNS = ("*.csv", "*.npy")


def analyse(series: np.ndarray, options: dict[str, Any]) -> dict[str, np.ndarray]:
    """CWT of each series, plus coherence (and significance) for a pair.

    Parameters
    ----------
    series : (k, n) ndarray
        One or two series.
    options : dict
        ``dt``, ``dj``, ``wavelet``, ``significance``, ``mc_count``, ``seed``,
        ``mc_backend``.

    Returns
    -------
    dict of ndarray
        ``wave``/``scales``/``freqs``/``coi``/``power`` for one series; ``wave1``,
        ``wave2``, ``WCT``, ``aWCT`` (and ``sig95``, ``seed``, ``ar1``) for a pair.
    """
    grid = {"dt": options["dt"], "dj": options["dj"], "wavelet": options["wavelet"]}
    out: dict[str, np.ndarray] = {}
    cwts = [compute_cwt(s, **grid) for s in series]
    if len(cwts) == 1:
        c = cwts[0]
        out.update(wave=c.wave, power=np.abs(c.wave) ** 2)
    else:
        out.update(wave1=cwts[0].wave, wave2=cwts[1].wave)
    out.update(scales=cwts[0].scales, freqs=cwts[0].freqs, coi=cwts[0].coi)
    if len(series) == 2:
        w = compute_wct(
            series[0], series[1], **grid,
            significance_test=options["significance"], backend=options["mc_backend"],
            mc_count=options["mc_count"], seed=options["seed"],
        )  # fmt: skip
        out.update(WCT=w.WCT, aWCT=w.aWCT)
        if w.sig95 is not None:
            out.update(sig95=w.sig95, seed=np.asarray(w.seed), ar1=w.ar1)
    return out


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m serve_app.batch", description=__doc__)
    p.add_argument("--input", required=True, type=Path, help="folder of *.csv / *.npy")
    p.add_argument("--output", required=True, type=Path, help="folder for the .npz results")
    p.add_argument("--dt", type=float, default=1.0, help="sample spacing (default 1)")
    p.add_argument("--dj", type=float, default=1 / 12, help="scale spacing (default 1/12)")
    p.add_argument("--wavelet", default="morlet", help="morlet, paul, dog or mexicanhat")
    p.add_argument("--significance", action="store_true", help="MC thresholds for pairs")
    p.add_argument("--mc-count", type=int, default=300, help="surrogate pairs (default 300)")
    p.add_argument("--seed", type=int, default=None, help="MC seed (default drawn)")
    p.add_argument(
        "--mc-backend",
        default="sequential",
        help="MC backend inside each task (default sequential)",
    )
    p.add_argument("--address", default=None, help="Ray address (default: RAY_ADDRESS / auto)")
    p.add_argument("--max-in-flight", type=int, default=64, help="tasks submitted at once")
    return p.parse_args(argv)


def _task(series: np.ndarray, options: dict) -> tuple[dict | None, str | None, float]:
    t0 = time.perf_counter()
    try:
        return analyse(series, options), None, time.perf_counter() - t0
    except ValueError as exc:  # a bad file is reported, not fatal
        return None, str(exc), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the batch; returns the process exit code (1 when any file failed)."""
    args = _parse(argv)
    files = sorted(f for pat in PATTERNS for f in args.input.glob(pat))
    if not files:
        print(f"no *.csv or *.npy files in {args.input}", file=sys.stderr)
        return 2
    args.output.mkdir(parents=True, exist_ok=True)
    options = {
        "dt": args.dt, "dj": args.dj, "wavelet": args.wavelet,
        "significance": args.significance, "mc_count": args.mc_count, "seed": args.seed,
        "mc_backend": args.mc_backend,
    }  # fmt: skip
    if not ray.is_initialized():  # `ray job submit` sets RAY_ADDRESS
        ray.init(address=args.address, log_to_driver=False)
    task = ray.remote(num_cpus=1)(_task)
    manifest: dict[str, dict] = {}
    pending: dict = {}
    t0 = time.perf_counter()
    todo = list(files)
    while todo or pending:
        while todo and len(pending) < args.max_in_flight:
            path = todo.pop(0)
            try:
                pending[task.remote(series_of_file(path), options)] = path
            except (OSError, ValueError) as exc:
                manifest[path.name] = {"status": "failed", "error": str(exc), "seconds": 0.0}
        if not pending:
            continue
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            path = pending.pop(ref)
            result, error, seconds = ray.get(ref)
            entry = {"status": "failed" if error else "ok", "error": error, "seconds": seconds}
            if result is not None:
                target = args.output / f"{path.stem}.npz"
                np.savez(target, **result)
                entry["output"] = target.name
            manifest[path.name] = entry
            print(f"{path.name}: {entry['status']}{' - ' + error if error else ''}", flush=True)
    summary = {
        "files": manifest,
        "ok": sum(e["status"] == "ok" for e in manifest.values()),
        "failed": sum(e["status"] == "failed" for e in manifest.values()),
        "seconds": time.perf_counter() - t0,
        "options": options,
        "ray_nodes": len(ray.nodes()),
        "pid": os.getpid(),
    }
    (args.output / "manifest.json").write_text(json.dumps(summary, indent=2))
    print(f"{summary['ok']} ok, {summary['failed']} failed -> {args.output}", flush=True)
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
