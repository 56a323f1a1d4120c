"""The workbench page at ``/``, in a real browser, against the suite's real Serve app:
a CSV upload (monthly dates give dt and its unit), a CWT and its downloads, a
coherence significance job followed live, cancelled, and run to its contour, and an
API key. The option inputs are the option fields (generated from OpenAPI)."""

from __future__ import annotations

import io
import os

import httpx
import numpy as np
import pytest

from pycwt_mod.options import Areawise, MonteCarlo, Preprocessing, ScaleGrid, option_fields
from pycwt_mod.pipeline import analyze_cwt

N = 192  # 16 years of months


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    """Monthly dates and two series sharing a 4-year cycle, the second lagging."""
    rng = np.random.default_rng(5)
    t = np.arange(N) / 12
    a = np.sin(2 * np.pi * t / 4) + 0.4 * rng.standard_normal(N)
    b = np.sin(2 * np.pi * (t - 0.5) / 4) + 0.4 * rng.standard_normal(N)
    dates = [f"{1950 + i // 12}-{i % 12 + 1:02d}-01" for i in range(N)]
    path = tmp_path_factory.mktemp("web") / "enso.csv"
    rows = [f"{d},{x:.6f},{y:.6f}" for d, x, y in zip(dates, a, b, strict=True)]
    path.write_text("date,nino3,rain\n" + "\n".join(rows) + "\n")
    return path, np.round(a, 6), np.round(b, 6)


def _wait(page, condition: str, timeout: float = 20_000) -> None:
    """Wait for a JavaScript condition; on a timeout, say what the page shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, timeout=timeout)
    except PlaywrightTimeout:
        shown = page.evaluate(
            "['status', 'error', 'job-state'].map(i => i + ': ' +"
            " document.getElementById(i).textContent).join(' | ')"
        )
        raise AssertionError(f"not met within {timeout / 1000} s: {condition}; {shown}") from None


def _open(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready='1']")


def _upload(page, path) -> None:
    page.set_input_files("#csv-file", str(path))
    _wait(page, "document.getElementById('series2').value !== ''")


def _download(page, text: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=text).click()
    return open(info.value.path(), "rb").read()


def _figure_size(page) -> tuple[int, int]:
    _wait(page, "document.getElementById('figure-img').naturalWidth > 0")
    return tuple(
        page.evaluate(
            "[document.getElementById('figure-img').naturalWidth,"
            " document.getElementById('figure-img').naturalHeight]"
        )
    )


def test_options_are_the_option_fields_and_labelled(page, service):
    _open(page, service.url)
    for cls in (ScaleGrid, Preprocessing):
        for f in option_fields(cls):
            if f.name != "dt":  # dt comes from the time column (or the dt input)
                assert page.locator(f"#cwt-{f.name}").count() == 1, f.name
    for cls in (ScaleGrid, Preprocessing, MonteCarlo, Areawise):
        for f in option_fields(cls):
            if f.name != "dt" and not f.local:
                assert page.locator(f"#wct-{f.name}").count() == 1, f.name
    assert float(page.input_value("#wct-dj")) == ScaleGrid().dj
    assert int(page.input_value("#wct-mc_count")) == MonteCarlo().mc_count
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, select, textarea')]"
        ".filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)"
    )
    assert unlabelled == []
    # keyboard only: paste values, Tab to the button, Enter loads them
    page.focus("#csv-text")
    page.keyboard.type("1.0\n2.5\n0.5\n-1.0\n")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "load-text"
    page.keyboard.press("Enter")
    _wait(page, "!document.getElementById('columns').disabled")
    assert "4 rows" in page.inner_text("#data-summary")


def test_cwt_of_an_uploaded_csv(page, service, csv_file, monkeypatch):
    path, a, _ = csv_file
    _open(page, service.url)
    _upload(page, path)
    assert float(page.input_value("#dt")) == pytest.approx(1 / 12)
    assert page.input_value("#unit") == "year"
    assert page.input_value("#time-col") == "date"
    page.check("input[name='analysis'][value='cwt']")
    page.fill("#cwt-dj", "0.25")
    page.click("#run")
    assert _figure_size(page) == (900, 450)  # the plot route's default 9 x 4.5 in, 100 dpi
    assert page.get_attribute("#figure-img", "alt").startswith("Wavelet power of nino3")
    png = _download(page, "Figure (PNG)")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    result = np.load(io.BytesIO(_download(page, "Result (.npz)")))
    ref = analyze_cwt(a, ScaleGrid(dt=1 / 12, dj=0.25), Preprocessing())
    np.testing.assert_allclose(result["wave"], ref.wave, rtol=1e-9, atol=1e-12)
    snippet = page.text_content("#snippet")
    assert "labelled.cwt(table['nino3'], dj=0.25)" in snippet.replace('"', "'")
    assert "parse_dates=['date']" in snippet.replace('"', "'")
    # the snippet, run as a user would next to the file, gives the service's numbers
    monkeypatch.chdir(path.parent)
    scope: dict = {}
    exec(compile(snippet, "snippet.py", "exec"), scope)
    np.testing.assert_allclose(scope["ds"]["power"].values, np.abs(result["wave"]) ** 2, rtol=1e-9)
    assert (path.parent / "power.png").read_bytes()[:4] == b"\x89PNG"


def test_coherence_job_live_cancel_and_contour(page, service, csv_file):
    path, _, _ = csv_file
    _open(page, service.url)
    _upload(page, path)
    assert page.is_checked("input[name='analysis'][value='wct']")  # two series: coherence
    page.fill("#wct-dj", "0.25")
    page.fill("#wct-seed", "3")
    page.fill("#wct-mc_count", "4000")
    page.click("#run-job")
    _wait(page, "document.getElementById('job-progress').value > 0", timeout=60_000)
    job_id = page.inner_text("#job-id")
    page.click("#cancel-job")
    _wait(page, "document.getElementById('job-state').textContent.startsWith('cancelled')")
    assert httpx.get(f"{service.url}/api/v1/jobs/{job_id}").json()["status"] == "cancelled"
    page.fill("#wct-mc_count", "40")
    page.click("#run-job")
    _wait(page, "document.getElementById('status').textContent.startsWith('Done')", timeout=60_000)
    assert page.inner_text("#job-state").startswith("completed, 100%")
    assert _figure_size(page) == (900, 450)
    thresholds = np.load(io.BytesIO(_download(page, "Job thresholds (.npz)")))
    assert np.isfinite(thresholds["sig95"]).sum() > 5
    coherence = np.load(io.BytesIO(_download(page, "Coherence (.npz)")))
    assert coherence["WCT"].shape == (thresholds["sig95"].size, N)
    snippet = page.text_content("#snippet").replace('"', "'")
    assert "labelled.wct(table['nino3'], table['rain']" in snippet
    assert "mc_count=40" in snippet and "seed=3" in snippet
    if shot := os.environ.get("PYCWT_SCREENSHOT"):  # README's picture: docs/workbench.png
        page.screenshot(path=shot, full_page=True)


def test_api_key(page, keyed_service):
    _open(page, keyed_service.url)
    page.fill("#csv-text", "x\n" + "\n".join(f"{np.sin(i / 3):.4f}" for i in range(64)))
    page.click("#load-text")
    page.check("input[name='analysis'][value='cwt']")
    page.fill("#cwt-dj", "0.5")
    page.click("#run")
    _wait(page, "document.getElementById('error').textContent.includes('401')")
    assert "API key" in page.inner_text("#error")
    page.fill("#api-key", keyed_service.keys[0])
    page.click("#run")
    assert _figure_size(page) == (900, 450)
    assert page.inner_text("#error") == ""
