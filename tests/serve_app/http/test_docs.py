"""Issue 11, section 4: /docs works offline, and every request example succeeds."""

from __future__ import annotations

import httpx
import pytest

from serve_app.http.api import DOCS_STATIC


def test_docs_page_uses_the_services_own_assets(client):
    r = client.get("/docs")
    assert r.status_code == 200
    html = r.text
    assert f'src="{DOCS_STATIC}/swagger-ui-bundle.js"' in html
    assert f'href="{DOCS_STATIC}/swagger-ui.css"' in html
    assert "cdn." not in html and "https://" not in html  # nothing from the internet
    js = client.get(f"{DOCS_STATIC}/swagger-ui-bundle.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert len(js.content) > 100_000 and b"SwaggerUIBundle" in js.content
    css = client.get(f"{DOCS_STATIC}/swagger-ui.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert client.get(f"{DOCS_STATIC}/favicon-32x32.png").status_code == 200


def test_docs_under_a_route_prefix(keyed_service):
    """An app served under a prefix points /docs at its own prefixed assets."""
    html = httpx.get(keyed_service.url + "/docs", timeout=30).text
    src = f"/keyed{DOCS_STATIC}/swagger-ui-bundle.js"
    assert src in html and "/keyed/openapi.json" in html
    base = keyed_service.url.removesuffix("/keyed")
    assert httpx.get(base + src, timeout=30).status_code == 200


def _request_examples(spec: dict) -> list[tuple[str, dict]]:
    schemas = spec["components"]["schemas"]
    out = []
    for path, ops in spec["paths"].items():
        op = ops.get("post")
        if op is None or "requestBody" not in op:
            continue
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        examples = schemas[ref.rsplit("/", 1)[-1]].get("examples")
        assert examples, f"{path}: its request model has no example"
        out.append((path, examples[0]))
    return out


def test_every_request_example_succeeds(client):
    """What "Try it out" posts: each request model's schema example answers 2xx."""
    examples = _request_examples(client.get("/openapi.json").json())
    paths = {p for p, _ in examples}
    assert {"/api/v1/analysis/cwt", "/api/v1/analysis/icwt", "/api/v1/analysis/xwt",
            "/api/v1/analysis/wct", "/api/v1/analysis/significance",
            "/api/v1/plots/cwt", "/api/v1/plots/wct"} <= paths  # fmt: skip
    for path, example in examples:
        r = client.post(path, json=example)
        assert 200 <= r.status_code < 300, (path, r.text[:500])


@pytest.mark.parametrize("path", ["/redoc"])
def test_no_page_that_needs_a_cdn(client, path):
    assert client.get(path).status_code == 404
