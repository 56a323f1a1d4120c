"""Batch analysis on a Ray cluster with Ray Data: series files in, one result per file out.

Run on a cluster (token auth: see serve_app/README_SERVICE.md)::

    ray job submit --working-dir . -- python -m serve_app.batch \\
        --input s3://bucket/series --output s3://bucket/results --dt 0.25 --significance

or as a driver of its own: ``python -m serve_app.batch --address <gcs> ...``.

``--input`` is a local folder or any pyarrow filesystem URI (``file://``, ``s3://``,
``gs://``, ``hdfs://``); every ``*.csv`` / ``*.txt`` / ``*.npy`` file in it is one
series file. A file with one series (CSV: one value column, header optional, a time
column is skipped; NPY: 1-D) gets its CWT; a file with two (two columns, or a
``(n, 2)``/``(2, n)`` array) gets both CWTs, the coherence and, with
``--significance``, Monte Carlo thresholds.

What runs where: the driver lists the file *names* only. ``ray.data.read_binary_files``
reads the bytes in Ray tasks, ``map_batches`` parses, analyses and writes each result
(``<output>/<stem>.npz`` or ``.nc``) from the worker that computed it, and hands back
only a small manifest row per file (status, error, seconds, output); the driver
streams those rows into ``<output>/manifest.json``. So neither the series nor the
results pass through the driver (it holds one name and one manifest entry per file),
and local ``--input``/``--output`` folders must be visible to every node that runs
workers (a shared disk; otherwise use an object-store URI). Files with the same stem
(``a.csv``, ``a.npy``) write the same output name: keep stems unique. A file that
cannot be parsed or analysed is reported in the manifest, not fatal; the exit code
is 1 when any file failed, 2 when there is nothing to do.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import posixpath
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.fs as pafs
import ray

from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid, to_dict
from pycwt_mod.pipeline import analyze_cwt, analyze_wct

from .analysis import service_errors
from .client.common_flags import spacing_flag
from .client.flags import add_option_flags, options_from_args
from .client.series import SUFFIXES, series_of_bytes

__all__ = ["FORMATS", "BatchOptions", "analyse", "main", "write_result"]

#: Output formats: ``npz`` (all arrays, complex kept) or ``netcdf`` (xarray Dataset,
#: engine "scipy", complex arrays split into ``*_real``/``*_imag``).
FORMATS = {"npz": ".npz", "netcdf": ".nc"}


@dataclass(frozen=True)
class BatchOptions:
    """The options of a batch run: the option types of every door.

    Attributes
    ----------
    grid : ScaleGrid
    preprocessing : Preprocessing
    monte_carlo : MonteCarlo or None
        The coherence test of pairs (None: no test).
    """

    grid: ScaleGrid
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    monte_carlo: MonteCarlo | None = None

    def as_attrs(self) -> dict[str, Any]:
        """Every option as plain values (NetCDF attrs, the manifest)."""
        out = {**to_dict(self.grid), **to_dict(self.preprocessing)}
        out["significance"] = self.monte_carlo is not None
        if self.monte_carlo is not None:
            out.update(to_dict(self.monte_carlo))
        return out


def analyse(series: np.ndarray, options: BatchOptions) -> dict[str, np.ndarray]:
    """CWT of each series, plus coherence (and significance) for a pair.

    Parameters
    ----------
    series : (k, n) ndarray
        One or two series.
    options : BatchOptions

    Returns
    -------
    dict of ndarray
        ``wave``/``scales``/``freqs``/``coi``/``power`` for one series; ``wave1``,
        ``wave2``, ``WCT``, ``aWCT`` (and ``sig95``, ``seed``, ``ar1``) for a pair;
        ``gap_mask`` with ``gaps="mask"``.

    Raises
    ------
    ValueError
        Bad data or options (the library's message, as `serve_app.analysis.reword`s).
    """
    grid, pre, mc = options.grid, options.preprocessing, options.monte_carlo
    names = ("data",) if len(series) == 1 else ("data1", "data2")
    out: dict[str, np.ndarray] = {}
    with service_errors():
        cwts = [analyze_cwt(s, grid, pre, name=n) for s, n in zip(series, names, strict=True)]
        if len(series) == 2:
            w = analyze_wct(series[0], series[1], grid, pre, monte_carlo=mc)
    if len(cwts) == 1:
        c = cwts[0]
        out.update(wave=c.wave, power=c.power)
    else:
        out.update(wave1=cwts[0].wave, wave2=cwts[1].wave)
    out.update(scales=cwts[0].scales, freqs=cwts[0].freqs, coi=cwts[0].coi)
    if len(series) == 2:
        out.update(WCT=w.WCT, aWCT=w.aWCT)
        if w.thresholds is not None:
            thr = w.thresholds
            out.update(sig95=thr.sig95, seed=np.asarray(thr.seed))
            if thr.ar1 is not None:
                out["ar1"] = np.asarray(thr.ar1)
    if pre.gaps == "mask":
        out["gap_mask"] = cwts[0].gap_mask if len(series) == 1 else w.gap_mask
    return out


# ------------------------------------------------------------------------ file systems


def _filesystem(location: str) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and the path inside it, for a local path or a URI."""
    if "://" in location:
        return pafs.FileSystem.from_uri(location)
    return pafs.LocalFileSystem(), str(Path(location).expanduser().resolve())


def _list_inputs(location: str) -> tuple[pafs.FileSystem, list[str]]:
    """The series files directly in ``location`` (names only), sorted."""
    fs, root = _filesystem(location)
    infos = fs.get_file_info(pafs.FileSelector(root, allow_not_found=True))
    paths = [
        i.path
        for i in infos
        if i.type == pafs.FileType.File and posixpath.splitext(i.path)[1].lower() in SUFFIXES
    ]
    return fs, sorted(paths)


# ------------------------------------------------------------------------------ output


def _netcdf(result: dict[str, np.ndarray], options: BatchOptions, source: str) -> bytes:
    """The result as a NetCDF (3, engine "scipy") file: dims ``period`` and ``time``."""
    try:
        import xarray as xr
    except ImportError as exc:
        raise ImportError("--format netcdf needs xarray: pip install 'pycwt-mod[xarray]'") from exc
    n = result["coi"].size
    coords = {"period": 1 / result["freqs"], "time": options.grid.dt * np.arange(n)}
    data: dict[str, tuple] = {}
    for key, value in result.items():
        value = np.asarray(value)
        if value.ndim == 0:
            continue
        dims = {"coi": ("time",), "ar1": ("series",)}.get(
            key, ("period", "time") if value.ndim == 2 else ("period",)
        )
        if np.iscomplexobj(value):
            data[f"{key}_real"] = (dims, value.real)
            data[f"{key}_imag"] = (dims, value.imag)
        else:
            data[key] = (dims, value)
    attrs = {k: str(v) for k, v in options.as_attrs().items()}
    attrs.update(source=source, created_by="serve_app.batch")
    if "seed" in result:
        attrs["seed"] = str(int(result["seed"]))
    return bytes(xr.Dataset(data, coords=coords, attrs=attrs).to_netcdf(engine="scipy"))


def write_result(
    result: dict[str, np.ndarray],
    fs: pafs.FileSystem,
    path: str,
    fmt: str,
    options: BatchOptions,
    source: str = "",
) -> None:
    """Write one file's result to ``path`` on ``fs`` as ``fmt`` (see `FORMATS`)."""
    if fmt == "npz":
        buf = io.BytesIO()
        np.savez(buf, **result)
        data = buf.getvalue()
    else:
        data = _netcdf(result, options, source)
    with fs.open_output_stream(path) as f:
        f.write(data)


def _analyse_batch(
    batch: dict[str, np.ndarray], options: BatchOptions, output: str, fmt: str
) -> dict:
    """Ray Data UDF: parse, analyse and write each file; return its manifest rows."""
    fs, root = _filesystem(output)
    rows: dict[str, list] = {"file": [], "status": [], "error": [], "seconds": [], "output": []}
    for path, data in zip(batch["path"], batch["bytes"], strict=True):
        name = posixpath.basename(str(path))
        t0 = time.perf_counter()
        error, target = "", ""
        try:
            result = analyse(series_of_bytes(bytes(data), name), options)
            target = posixpath.splitext(name)[0] + FORMATS[fmt]
            write_result(result, fs, posixpath.join(root, target), fmt, options, str(path))
        except ValueError as exc:  # a bad file is reported, not fatal
            error, target = str(exc), ""
        except Exception as exc:  # nor is a failure to write one file
            error, target = f"{type(exc).__name__}: {exc}", ""
        rows["file"].append(name)
        rows["status"].append("failed" if error else "ok")
        rows["error"].append(error)
        rows["seconds"].append(time.perf_counter() - t0)
        rows["output"].append(target)
    return {k: np.asarray(v) for k, v in rows.items()}


# -------------------------------------------------------------------------------- main


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m serve_app.batch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, help="folder or URI of *.csv / *.npy files")
    p.add_argument("--output", required=True, help="folder or URI for the results")
    p.add_argument("--format", choices=tuple(FORMATS), default="npz", help="default npz")
    add_option_flags(
        p.add_argument_group("scale grid"),
        ScaleGrid,
        overrides={"dt": spacing_flag(1.0, "1")},
    )  # fmt: skip
    add_option_flags(p.add_argument_group("preprocessing, in this order"), Preprocessing)
    g = p.add_argument_group("Monte Carlo thresholds of pairs")
    g.add_argument("--significance", action="store_true", help="MC thresholds for pairs")
    add_option_flags(
        g, MonteCarlo, exclude=("cache", "al1", "al2"),
        overrides={"backend": {"default": "sequential", "help": "MC backend inside each "
                               "task (default sequential; gpu with --num-gpus)"}},
    )  # fmt: skip
    g.add_argument("--mc-backend", dest="backend", help="deprecated spelling of --backend")
    p.add_argument("--address", default=None, help="Ray address (default: RAY_ADDRESS / auto)")
    p.add_argument("--batch-size", type=int, default=16, help="files per Ray Data batch")
    p.add_argument("--num-cpus", type=float, default=1.0, help="CPUs per batch task (default 1)")
    p.add_argument("--num-gpus", type=float, default=0.0, help="GPUs per batch task (default 0)")
    p.add_argument(
        "--max-in-flight", type=int, default=None, help="batch tasks at once (default: Ray Data's)"
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the batch; returns the process exit code (1 when any file failed)."""
    args = _parse(argv)
    fs, paths = _list_inputs(args.input)
    if not paths:
        print(f"no {', '.join('*' + s for s in SUFFIXES)} files in {args.input}", file=sys.stderr)
        return 2
    out_fs, out_root = _filesystem(args.output)
    out_fs.create_dir(out_root, recursive=True)
    try:  # the options' own checks, before any file is read
        options = BatchOptions(
            options_from_args(args, ScaleGrid),
            options_from_args(args, Preprocessing),
            options_from_args(args, MonteCarlo, cache=False) if args.significance else None,
        )
    except ValueError as exc:
        print(f"python -m serve_app.batch: {exc}", file=sys.stderr)
        return 2
    if not ray.is_initialized():  # `ray job submit` sets RAY_ADDRESS
        ray.init(address=args.address, log_to_driver=False)
    gpus = ray.cluster_resources().get("GPU", 0)
    if args.num_gpus > gpus:  # a GPU task on a GPU-less cluster would wait forever
        print(
            f"--num-gpus {args.num_gpus:g}: the Ray cluster has {gpus:g} GPU(s); "
            "start a node with GPUs or leave --num-gpus out",
            file=sys.stderr,
        )
        return 2
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    t0 = time.perf_counter()
    ds = ray.data.read_binary_files(paths, filesystem=fs, include_paths=True).map_batches(
        _analyse_batch,
        batch_size=args.batch_size,
        batch_format="numpy",
        fn_kwargs={"options": options, "output": args.output, "fmt": args.format},
        num_cpus=args.num_cpus,
        num_gpus=args.num_gpus or None,
        concurrency=args.max_in_flight,
    )
    manifest: dict[str, dict] = {}
    for row in ds.iter_rows():  # small rows only: the data stays in the workers
        error = str(row["error"])
        entry = {
            "status": str(row["status"]),
            "error": error or None,
            "seconds": float(row["seconds"]),
            "output": str(row["output"]) or None,
        }
        manifest[str(row["file"])] = entry
        print(f"{row['file']}: {entry['status']}{' - ' + error if error else ''}", flush=True)
    summary = {
        "files": dict(sorted(manifest.items())),
        "ok": sum(e["status"] == "ok" for e in manifest.values()),
        "failed": sum(e["status"] == "failed" for e in manifest.values()),
        "seconds": time.perf_counter() - t0,
        "format": args.format,
        "options": options.as_attrs(),
        "ray_nodes": len([n for n in ray.nodes() if n["Alive"]]),
        "pid": os.getpid(),
    }
    with out_fs.open_output_stream(posixpath.join(out_root, "manifest.json")) as f:
        f.write(json.dumps(summary, indent=2).encode())
    print(f"{summary['ok']} ok, {summary['failed']} failed -> {args.output}", flush=True)
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
