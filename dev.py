#!/usr/bin/env python3
"""One-command entry points that need nothing but Python 3.10+.

    python3 dev.py serve    # start the service on http://127.0.0.1:8000 (Ctrl-C stops it)
    python3 dev.py test     # install the test extras and run lint + the test suite
    python3 dev.py demo     # analyse a real series and print its dominant periods

Each command creates ``.venv`` next to this file on first use, installs the
project into it (editable) with the extras it needs, then runs inside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PYCWT_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"

COMMANDS = {
    "serve": ("serve,plot", [str(PY), "-m", "serve_app"]),
    "demo": ("bench", [str(PY), "-m", "pycwt_mod.demo"]),
    "test": ("test", None),
}


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def ensure_env(extra: str) -> None:
    """Create the venv if needed and install the project with ``extra``."""
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        _run([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    _run([str(PY), "-m", "pip", "install", "-q", "-e", f".[{extra}]"])


#: The browser of the workbench tests (tests/serve_app/web): Debian's package.
CHROMIUM = Path(os.environ.get("PYCWT_CHROMIUM", "/usr/bin/chromium"))


def ensure_browser() -> None:
    """Install Debian's ``chromium`` for the page tests when it is missing and this runs
    as root with apt-get (Playwright's own browser download is never used); otherwise
    the page tests fail with what to install."""
    if CHROMIUM.is_file() or os.name == "nt" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "chromium",
        "fonts-liberation",
    ]
    print("+", " ".join(install), flush=True)
    if subprocess.run(install, env=env).returncode != 0:  # a stale package list
        subprocess.run(["apt-get", "update", "-q"], env=env)
        subprocess.run(install, env=env)


def run_tests(args: list[str]) -> int:
    """Lint, then pytest with coverage of both packages (fails under 80%).

    The page tests need their browser here: missing, they fail (not skip).
    """
    ensure_browser()
    _run([str(BIN / "ruff"), "check", "."])
    _run([str(BIN / "ruff"), "format", "--check", "."])
    cmd = [
        str(PY), "-m", "pytest",
        "--cov=pycwt_mod", "--cov=serve_app", "--cov-report=term", "--cov-fail-under=80",
        *args,
    ]  # fmt: skip
    print("+", " ".join(cmd), flush=True)
    env = {**os.environ, "PYCWT_REQUIRE_BROWSER": "1"}
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    name, rest = argv[0], argv[1:]
    extra, cmd = COMMANDS[name]
    ensure_env(extra)
    if name == "test":
        return run_tests(rest)
    return subprocess.run([*cmd, *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
