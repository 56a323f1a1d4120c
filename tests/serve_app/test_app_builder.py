"""The Serve application is built when Serve asks for it: ``configs/*.yaml`` name the
builder ``serve_app.app:build_app``, and importing it builds nothing."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def test_importing_the_app_module_builds_nothing():
    """With settings that do not validate, the import still succeeds (nothing is read);
    building is what refuses them."""
    env = {**os.environ, "PYCWT_MAX_SAMPLES": "not-a-number", "PYTHONPATH": str(ROOT)}
    code = (
        "import serve_app.app as m, pydantic\n"
        "assert not hasattr(m, 'app')\n"
        "try:\n    m.build_app()\nexcept pydantic.ValidationError as e:\n"
        "    print('refused', e.errors()[0]['loc'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "refused ('max_samples',)" in out.stdout


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_configs_name_the_builder(config):
    from ray.serve import Application

    apps = yaml.safe_load(config.read_text())["applications"]
    assert apps
    for spec in apps:
        module, _, name = spec["import_path"].partition(":")
        assert (module, name) == ("serve_app.app", "build_app")
        builder = getattr(importlib.import_module(module), name)
        assert isinstance(builder(spec.get("args") or {}), Application)
