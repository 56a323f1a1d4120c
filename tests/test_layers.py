"""The import rules of the layout (README, "Layout"), enforced.

- Every module of both packages imports on its own, first, in a fresh set of
  project modules: no import cycle is hidden by import order.
- No project module is imported inside a function (the way a cycle gets dodged);
  optional third-party dependencies (ray, cupy, joblib, matplotlib, ...) may be.
- ``pycwt_mod`` imports with ``serve_app``, ``ray`` and ``fastapi`` blocked; the
  client (``serve_app.client``, with the CLI's local path) imports with ``ray``,
  ``fastapi``, ``pydantic`` and ``orjson`` blocked.
- The library's own layering (README, "Layout"), on the graph of its module-level
  imports (a module's imports and theirs, not the package ``__init__`` files Python
  runs on the way): ``montecarlo.plan``/``kernel``/``chunks`` (and the
  ``multivariate_plan``/``multivariate_kernel`` of partial and multiple coherence)
  import no backend and no engine; ``montecarlo.backends`` import only
  ``plan``/``kernel``/``chunks`` of the engine's package (never ``engine``, ``cache``,
  ``areawise``); ``transform`` imports no engine (``montecarlo``) and no
  ``coherence``; ``areawise`` may import ``montecarlo``, never the reverse;
  ``options`` is a leaf (it imports only the checks and the wavelets); ``pipeline``
  imports no door above it (``labelled``, ``plot``) and nothing below it imports
  ``pipeline``; nothing imports ``xarray`` or ``pandas`` at module level, and
  importing every library module loads neither.
- ``serve_app`` imports no private library module or name (``pycwt_mod._validation``,
  ``_helpers``): the doors use the library's public API.
- The client package imports with ray, fastapi, pydantic, orjson, pandas and xarray
  blocked (numpy + httpx: the `Client` on numpy arrays); the CLI runs on ``.npy``
  files with all of them blocked, and reads CSV tables (their dates included) with
  pandas, loaded only then (a clear message when it is missing).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pycwt_mod", "serve_app")


def _modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__main__":  # a script: importing it runs it
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


_BLOCKER = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is blocked by the layering test")
        return None
for mod in list(sys.modules):
    if mod.split(".")[0] in BLOCKED:
        del sys.modules[mod]
sys.meta_path.insert(0, Block())
"""


def test_every_module_imports_first_on_its_own():
    code = f"""
    import importlib, json, sys, traceback
    failures = {{}}
    for name in {_modules()!r}:
        for mod in list(sys.modules):
            if mod.split(".")[0] in {PACKAGES!r}:
                del sys.modules[mod]
        try:
            importlib.import_module(name)
        except Exception:
            failures[name] = traceback.format_exc(limit=3)
    print(json.dumps(failures))
    """
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    failures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def _function_level_project_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level > 0 or target.split(".")[0] in PACKAGES:
                    found.append(f"{where}:{node.lineno} from {target}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PACKAGES:
                        found.append(f"{where}:{node.lineno} import {alias.name}")
    return found


def test_no_project_import_inside_a_function():
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            found += _function_level_project_imports(path)
    found = sorted(set(found))  # a nested function is walked twice
    assert found == [], "project modules imported inside functions:\n" + "\n".join(found)


def test_the_check_sees_a_function_level_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import numpy\n"
        "def f():\n    from .montecarlo import run_chunk\n"
        "async def g():\n    import serve_app.app\n    import ray\n"
    )
    found = _function_level_project_imports(probe)
    lines = [line.split(":")[-1] for line in found]
    assert lines == ["3 from montecarlo", "5 import serve_app.app"]


@pytest.mark.parametrize(
    ("blocked", "modules"),
    [
        (
            ("serve_app", "ray", "fastapi"),
            [m for m in _modules() if m.startswith("pycwt_mod")],
        ),
        (
            ("ray", "fastapi", "pydantic", "pydantic_settings", "orjson", "starlette"),
            [m for m in _modules() if m.startswith("serve_app.client")]
            + ["serve_app.npz", "serve_app.records"],
        ),
    ],
    ids=["library", "client"],
)
def test_layer_imports_with_upper_layers_blocked(blocked, modules):
    code = _BLOCKER.format(blocked=set(blocked)) + textwrap.dedent(
        f"""
        import importlib
        for name in {modules!r}:
            importlib.import_module(name)
        print("ok")
        """
    )
    proc = _run(code)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]


def test_cli_works_locally_without_the_client_extra(tmp_path):
    """``pip install pycwt-mod`` alone: local commands work on .npy files, a CSV file
    and the service commands say what to install (httpx, httpx-sse, pandas and the
    server stack blocked)."""
    import numpy as np

    np.save(tmp_path / "x.npy", np.array([0.0, 1.0, 0.5, -1.0] * 32))
    table = tmp_path / "x.csv"
    table.write_text("\n".join(str(v) for v in [0.0, 1.0, 0.5, -1.0] * 32))
    blocked = {"httpx", "httpx_sse", "ray", "fastapi", "pydantic", "orjson", "starlette"}
    blocked |= {"pandas", "xarray"}
    code = _BLOCKER.format(blocked=blocked) + textwrap.dedent(
        f"""
        from serve_app.client.cli import main
        assert main(["cwt", {str(tmp_path / "x.npy")!r}, "--dj", "0.5"]) == 0
        for argv in (["cwt", {str(table)!r}], ["jobs", "--url", "http://127.0.0.1:9"]):
            try:
                main(argv)
            except SystemExit as exc:
                print("exit", exc.code)
        """
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "cwt (local): 128 samples" in proc.stdout
    assert proc.stdout.count("exit 2") == 2
    assert "reading a .csv file needs pandas: pip install pandas" in proc.stderr
    assert "pip install 'pycwt-mod[client]'" in proc.stderr


# -- the library's layering, on its static import graph ----------------------------


def _module_files(root: Path, pkg: str) -> dict[str, Path]:
    files = {}
    for path in sorted((root / pkg).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def _module_level_imports(tree: ast.Module):
    """Import nodes outside functions (module body, classes, ``try``, ``if``)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _import_graph(root: Path, pkg: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Project edges and third-party top-level names of each module's module-level imports.

    ``from X import a`` is an edge to ``X.a`` when that is a module, else to ``X``
    (so ``from . import plan`` is not an edge to the package ``__init__``).
    """
    files = _module_files(root, pkg)
    edges: dict[str, set[str]] = {}
    external: dict[str, set[str]] = {}
    for name, path in files.items():
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        out, ext = set(), set()
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = here[: len(here) - (node.level - 1)] if node.level else []
                mod = ".".join(base + ([node.module] if node.module else []))
                subs = [f"{mod}.{alias.name}" for alias in node.names]
                targets = [t for t in subs if t in files]
                if len(targets) < len(subs):
                    targets.append(mod)
            for t in targets:
                if t.split(".")[0] == pkg:
                    out.add(t)
                else:
                    ext.add(t.split(".")[0])
        edges[name] = out - {name}
        external[name] = ext
    return edges, external


def _reach(edges: dict[str, set[str]], start: str) -> dict[str, list[str]]:
    """Every module reachable from ``start``, with one import path to it."""
    paths = {start: [start]}
    todo = [start]
    while todo:
        mod = todo.pop()
        for nxt in sorted(edges.get(mod, ())):
            if nxt not in paths:
                paths[nxt] = [*paths[mod], nxt]
                todo.append(nxt)
    del paths[start]
    return paths


def _under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _layer_violations(root: Path, pkg: str = "pycwt_mod") -> list[str]:
    """Each broken rule of the library's layering, with the import path that breaks it."""
    edges, external = _import_graph(root, pkg)
    mc = f"{pkg}.montecarlo"
    found = []

    def forbid(sources, banned, rule, package=None):
        # `package`: its __init__ alone is banned too (it imports the engine)
        for src in sorted(m for m in edges if _under(m, sources)):
            for dst, path in sorted(_reach(edges, src).items()):
                if _under(dst, banned) or dst == package:
                    found.append(f"{rule}: {' -> '.join(path)}")

    leaves = [f"{mc}.plan", f"{mc}.kernel", f"{mc}.chunks"]
    leaves += [f"{mc}.multivariate_plan", f"{mc}.multivariate_kernel"]
    forbid(leaves, [f"{mc}.backends", f"{mc}.engine"], "leaf: no backend, no engine", mc)
    backends = f"{mc}.backends"
    forbid(
        [backends],
        [f"{mc}.engine", f"{mc}.cache", f"{pkg}.areawise"],
        "backends: no engine, cache, areawise",
        mc,
    )
    allowed = {*leaves}
    for src in sorted(m for m in edges if _under(m, [backends])):
        for dst in sorted(edges[src]):
            if _under(dst, [mc]) and not _under(dst, [backends]) and dst not in allowed:
                found.append(f"backends: only plan/kernel/chunks: {src} -> {dst}")
    forbid([f"{pkg}.transform"], [mc, f"{pkg}.coherence"], "transform: no engine, no coherence")
    forbid([mc], [f"{pkg}.areawise"], "montecarlo: no areawise")
    opts = f"{pkg}.options"
    leaf = [opts, f"{pkg}._validation", f"{pkg}.mothers", f"{pkg}.smoothing"]
    for src in sorted(m for m in edges if _under(m, [opts])):
        for dst, path in sorted(_reach(edges, src).items()):
            if not _under(dst, leaf):
                found.append(f"options: a leaf (validation, wavelets): {' -> '.join(path)}")
    doors = [f"{pkg}.labelled", f"{pkg}.xr", f"{pkg}.plot"]
    forbid([f"{pkg}.pipeline"], doors, "pipeline: no door above it")
    below = [m for m in edges if not _under(m, [f"{pkg}.pipeline", *doors]) and m != pkg]
    forbid(below, [f"{pkg}.pipeline"], "pipeline: nothing below it imports it")
    for mod, names in sorted(external.items()):
        for lib in sorted(names & {"xarray", "pandas"}):
            found.append(f"xarray/pandas: in functions only: {mod} imports {lib}")
    return found


def test_library_layering():
    found = _layer_violations(ROOT)
    assert found == [], "layering rules broken:\n" + "\n".join(found)


def test_the_layering_check_sees_violations(tmp_path):
    """One breach of each rule in a mock package, each reported with its path."""
    files = {
        "__init__.py": "",
        "transform.py": "from .grid import f\nfrom .coherence import wct\n",
        "grid.py": "from .montecarlo.engine import run\n",
        "coherence.py": "",
        "montecarlo/__init__.py": "from .engine import run\n",
        "montecarlo/engine.py": "from .plan import make_plan\n",
        "montecarlo/plan.py": "try:\n    from .backends import f\nexcept OSError:\n    pass\n",
        "montecarlo/kernel.py": "from . import plan\n",
        "montecarlo/chunks.py": "from ..areawise.patches import size\n",
        "montecarlo/cache.py": "",
        "montecarlo/backends/__init__.py": "from .base import get\n",
        "montecarlo/backends/base.py": "from .. import kernel\nfrom ..cache import Cache\n",
        "areawise/__init__.py": "",
        "areawise/patches.py": "from ..montecarlo import run\n",
        "labelled.py": "import numpy\nimport pandas as pd\n\ndef f():\n    import xarray\n",
        "options/__init__.py": "from .grid import ScaleGrid\n",
        "options/grid.py": "from ..mothers import get\nfrom ..spectra import f\n",
        "mothers.py": "",
        "spectra.py": "from .pipeline import analyze\n",
        "pipeline.py": "from .labelled import f\n",
    }
    for rel, text in files.items():
        path = tmp_path / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = _layer_violations(tmp_path, "pkg")
    mc = "pkg.montecarlo"
    expected = [
        f"leaf: no backend, no engine: {mc}.plan -> {mc}.backends",
        f"backends: no engine, cache, areawise: {mc}.backends.base -> {mc}.cache",
        f"backends: only plan/kernel/chunks: {mc}.backends.base -> {mc}.cache",
        "transform: no engine, no coherence: pkg.transform -> pkg.coherence",
        f"transform: no engine, no coherence: pkg.transform -> pkg.grid -> {mc}.engine",
        f"montecarlo: no areawise: {mc}.chunks -> pkg.areawise.patches",
        "xarray/pandas: in functions only: pkg.labelled imports pandas",
        "options: a leaf (validation, wavelets): pkg.options.grid -> pkg.spectra",
        "pipeline: no door above it: pkg.pipeline -> pkg.labelled",
        "pipeline: nothing below it imports it: pkg.spectra -> pkg.pipeline",
    ]
    for line in expected:
        assert line in found, (line, found)
    # kernel's `from . import plan` is no edge to the package __init__ (and so to the
    # engine), but plan's backend import does reach them: reported from kernel too.
    assert "pkg.montecarlo.kernel -> pkg.montecarlo.plan -> pkg.montecarlo.backends" in "\n".join(
        found
    )
    assert not [f for f in found if "xarray" in f and "imports xarray" in f]


def _private_library_imports(root: Path) -> list[str]:
    """Imports of a private library module (``pycwt_mod._x`` or ``pycwt_mod.y._x``)."""
    found = []
    for name, path in _module_files(root, "serve_app").items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for mod in mods:  # a private module, or a private name of a module
                parts = mod.split(".")
                if parts[0] == "pycwt_mod" and any(p.startswith("_") for p in parts[1:]):
                    found.append(f"{name} imports {mod}")
    return found


def test_the_service_imports_no_private_library_module(tmp_path):
    found = _private_library_imports(ROOT)
    assert found == [], "serve_app imports private library modules:\n" + "\n".join(found)
    probe = tmp_path / "serve_app" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(
        "from pycwt_mod._validation import as_series\nimport pycwt_mod.x._y\n"
        "from pycwt_mod.pipeline.prepare import _gap_mask, prepare_series\n"
    )
    assert _private_library_imports(tmp_path) == [
        "serve_app.probe imports pycwt_mod._validation.as_series",
        "serve_app.probe imports pycwt_mod.x._y",
        "serve_app.probe imports pycwt_mod.pipeline.prepare._gap_mask",
    ]


def test_library_modules_load_no_xarray_or_pandas():
    code = f"""
    import importlib, sys
    for name in {[m for m in _modules() if m.startswith("pycwt_mod")]!r}:
        importlib.import_module(name)
    print(sorted(m for m in ("xarray", "pandas") if m in sys.modules))
    """
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"


# The client needs numpy and httpx only: pandas and xarray are blocked too. The CLI
# reads CSV tables with pandas (imported then) and never loads xarray.
_CLIENT_BLOCKED = {
    "ray",
    "fastapi",
    "pydantic",
    "pydantic_settings",
    "orjson",
    "starlette",
    "pandas",
    "xarray",
}


def test_client_imports_with_pandas_and_xarray_blocked():
    modules = [m for m in _modules() if m.startswith("serve_app.client")]
    modules += ["serve_app.npz", "serve_app.records", "pycwt_mod.timeaxis"]
    code = _BLOCKER.format(blocked=_CLIENT_BLOCKED) + textwrap.dedent(
        f"""
        import importlib
        for name in {modules!r}:
            importlib.import_module(name)
        print("ok")
        """
    )
    proc = _run(code)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]


def _dated_csv(path: Path, dates, header: str = "date,value") -> Path:
    values = [0.0, 1.0, 0.5, -1.0] * (len(dates) // 4)
    rows = [f"{d},{v!r}" for d, v in zip(dates, values, strict=True)]
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_cli_dates_work_with_xarray_blocked(tmp_path):
    """``pycwt-mod cwt``/``wct`` on CSV files of ISO dates, locally: the spacing comes
    from the dates (monthly: 1/12 year, month ends in months, hourly: 1 hour) with
    ray, fastapi, pydantic, orjson and xarray blocked; pandas reads the tables."""
    import numpy as np

    months = np.arange("2000-01", "2010-09", dtype="datetime64[M]")
    monthly = _dated_csv(tmp_path / "monthly.csv", [f"{m}-01" for m in months])
    other = _dated_csv(tmp_path / "other.csv", [f"{m}-01" for m in months], "time,x")
    month_ends = (months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    ends = _dated_csv(tmp_path / "ends.csv", [str(d) for d in month_ends])
    hours = np.datetime64("2000-01-01T00:00") + np.arange(128) * np.timedelta64(1, "h")
    hourly = _dated_csv(tmp_path / "hourly.csv", [str(h) for h in hours])
    out = tmp_path / "hourly.npz"
    blocked = _CLIENT_BLOCKED - {"pandas"}
    code = _BLOCKER.format(blocked=blocked) + textwrap.dedent(
        f"""
        import sys
        from serve_app.client.cli import main
        assert main(["cwt", {str(monthly)!r}, "--dj", "0.5"]) == 0
        assert main(["cwt", {str(ends)!r}, "--dj", "0.5", "--time-unit", "month"]) == 0
        assert main(["wct", {str(monthly)!r}, {str(other)!r}, "--dj", "0.5"]) == 0
        assert main(["cwt", {str(hourly)!r}, "--dj", "0.5", "-o", {str(out)!r}]) == 0
        loaded = sorted({{m.split(".")[0] for m in sys.modules}} & {_CLIENT_BLOCKED!r})
        print("loaded", loaded)
        """
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "cwt (local): 128 samples, dt 0.0833333 year" in proc.stdout
    assert "cwt (local): 128 samples, dt 1 month" in proc.stdout
    assert "wct (local): 128 samples, 13 scales;" in proc.stdout
    assert "coherence inside the cone of influence 1.000 at period 0.1667 year" in proc.stdout
    assert "loaded ['pandas']" in proc.stdout
    with np.load(out) as saved:
        assert (float(saved["dt"]), str(saved["unit"])) == (1.0, "hour")
        assert saved["time"][1] - saved["time"][0] == np.timedelta64(1, "h")
