"""``GET /api/v1/jobs/{id}/events`` (sse-starlette): ids on every state, and a stream
resumed with ``Last-Event-ID`` after a cut, over real HTTP."""

from __future__ import annotations

import pytest
from httpx_sse import connect_sse

from serve_app.client import Client

from ..utils import series, wait_for


def submit(client, mc_count: int, seed: int) -> str:
    x, y = series(128, seed=50), series(128, seed=51)
    body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.5,
            "mc_count": mc_count, "seed": seed, "backend": "sequential"}  # fmt: skip
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code == 200, r.text
    return r.json()["job_id"]


def states(client, job_id: str, last_id: str | None = None, stop_after: int | None = None):
    """(id, state) of each message event; the connection is cut after ``stop_after``."""
    headers = {"Last-Event-ID": last_id} if last_id else {}
    got = []
    url = f"/api/v1/jobs/{job_id}/events"
    with connect_sse(client, "GET", url, params={"interval": 0.05}, headers=headers) as source:
        assert source.response.status_code == 200
        assert source.response.headers["content-type"].startswith("text/event-stream")
        for event in source.iter_sse():
            if event.event == "message":
                assert event.id and event.retry == 1000
                got.append((event.id, event.json()))
                if stop_after is not None and len(got) >= stop_after:
                    break  # leaving the block closes the connection: a cut
    return got


@pytest.fixture(scope="module")
def completed(client) -> str:
    job_id = submit(client, mc_count=4, seed=52)
    wait_for(lambda: client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "completed")
    return job_id


class TestResume:
    def test_completed_job_one_event_with_id(self, client, completed):
        ((state_id, state),) = states(client, completed)
        assert state["status"] == "completed" and state["job_id"] == completed
        # reconnecting with that id: nothing new, the stream closes at once
        assert states(client, completed, last_id=state_id) == []
        # with an id of an older state: the current one
        assert states(client, completed, last_id="0" * 16) == [(state_id, state)]

    def test_cut_stream_resumes_from_last_event_id(self, client):
        job_id = submit(client, mc_count=48, seed=53)
        ((first_id, first),) = states(client, job_id, stop_after=1)
        assert first["status"] in ("queued", "running")
        resumed = states(client, job_id, last_id=first_id)
        assert resumed, "the resumed stream sent nothing"
        assert resumed[0][0] != first_id  # the state already seen is not sent again
        assert len({i for i, _ in resumed}) == len(resumed)  # one event per state
        final = resumed[-1][1]
        assert final["status"] == "completed" and final["progress"] == 1.0
        progress = [first["progress"]] + [s["progress"] for _, s in resumed]
        assert progress == sorted(progress)

    def test_client_events_end_at_the_terminal_state(self, service, completed):
        with Client(service.url) as c:
            got = list(c.events(completed, interval=0.05))
        assert [s["status"] for s in got] == ["completed"]


def test_unknown_job_is_404_not_a_stream(client):
    r = client.get("/api/v1/jobs/nope/events")
    assert r.status_code == 404 and r.json()["code"] == "job_not_found"
    assert not r.headers["content-type"].startswith("text/event-stream")
