"""A short soak (bench/soak.py) against the session's service: mixed traffic from 4
clients for 6 s with no unexpected answer and no failed job."""

from __future__ import annotations

import importlib.util
import json

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_short_soak(service, tmp_path):
    spec = importlib.util.spec_from_file_location("soak", ROOT / "bench" / "soak.py")
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    out = tmp_path / "soak.json"
    # no warm-up: against --url it only precedes the RSS figures (none here), and its
    # answers are not checked
    rc = soak.main(["--url", service.url, "--seconds", "6", "--clients", "4",
                    "--warmup", "0", "--json", str(out)])  # fmt: skip
    report = json.loads(out.read_text())
    assert rc == 0, report
    assert report["requests"] > 20
    assert not report["unexpected"]
    assert report["jobs"].get("completed", 0) >= 1, report["jobs"]  # client 0 submits one
    assert set(report["codes"]) <= {"200", "202", "400", "422", "503"}, report["codes"]
