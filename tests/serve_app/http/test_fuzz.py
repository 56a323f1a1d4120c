"""Property-based fuzzing of the live service from its own /openapi.json (schemathesis).

Every operation gets up to 25 generated requests (loopback only); no answer may be a
5xx and every answer must conform to the documented response schema.

Generation is derandomized (hypothesis' fixed seed for each test), so a given code
state always runs the same cases and CI is reproducible; explore further with
``pytest tests/serve_app/http/test_fuzz.py --hypothesis-seed=N`` after setting
``PYCWT_FUZZ_RANDOM=1``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25


def test_openapi_fuzz_no_5xx_and_conforming(service, client):
    schema = schemathesis.openapi.from_url(service.url + "/openapi.json")
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=not os.environ.get("PYCWT_FUZZ_RANDOM"),
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            nonlocal calls
            if case.path.endswith("/events"):
                case.query = {**(case.query or {}), "interval": 0.05}
            response = case.call(base_url=service.url, timeout=60)
            calls += 1
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except Exception as exc:  # collect all, report at the end
                failures.append(f"{case.operation.label}: {type(exc).__name__}: {exc}"[:1500])

        fuzz()
    # leave no fuzz job running for the tests after this one
    for job in client.get("/api/v1/jobs", params={"status": "running"}).json()["jobs"]:
        client.delete(f"/api/v1/jobs/{job['job_id']}")
    for job in client.get("/api/v1/jobs", params={"status": "queued"}).json()["jobs"]:
        client.delete(f"/api/v1/jobs/{job['job_id']}")
    assert calls >= MAX_EXAMPLES  # it really ran
    assert not failures, "\n\n".join(failures[:10])
    assert client.get("/health").status_code == 200
