"""POST /api/v1/plots/{cwt,wct} for a journal: SVG and PDF, dpi, named series and units."""

from __future__ import annotations

import io

from matplotlib.image import imread

from ..utils import series

X, Y = series(128, seed=3).tolist(), series(128, seed=4).tolist()


def test_cwt_svg_names_the_series_and_the_unit(client):
    body = {"data": X, "dt": 0.25, "dj": 0.5, "series_names": ["nino3"], "period_unit": "year",
            "format": "svg"}  # fmt: skip
    r = client.post("/api/v1/plots/cwt", json=body)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.lstrip().startswith(b"<?xml")
    assert "Wavelet power spectrum: nino3</text>" in r.text  # text as text
    assert "Period (years)</text>" in r.text


def test_wct_pdf_and_phase_caption_names(client):
    body = {"data1": X, "data2": Y, "dt": 1.0, "dj": 0.5, "series_names": ["nino3", "rain"]}
    pdf = client.post("/api/v1/plots/wct", json={**body, "format": "pdf"})
    assert pdf.status_code == 200, pdf.text[:300]
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    svg = client.post("/api/v1/plots/wct", json={**body, "format": "svg"})
    assert "phase of nino3 relative to rain" in svg.text.replace("\n", " ")
    assert "Wavelet coherence: nino3 / rain</text>" in svg.text


def test_dpi_for_print(client):
    body = {"data": X, "dt": 1.0, "dj": 0.5, "width": 3, "height": 2, "dpi": 600}
    r = client.post("/api/v1/plots/cwt", json=body)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "image/png"
    assert imread(io.BytesIO(r.content), format="png").shape[:2] == (1200, 1800)


def test_refusals_name_the_field(client):
    base = {"data": X, "dt": 1.0, "dj": 0.5}
    r = client.post("/api/v1/plots/cwt", json={**base, "format": "tif"})
    assert r.status_code == 422 and "valid names are png, svg, pdf" in r.text
    r = client.post("/api/v1/plots/cwt", json={**base, "series_names": ["a", "b", "c"]})
    assert r.status_code == 422 and "series_names" in r.text
