"""Job metrics scraped from Ray's Prometheus endpoint; concurrent event streams."""

from __future__ import annotations

import json
import re
import threading

import httpx
import ray

from ..utils import series, wait_for

METRIC = re.compile(r"^(ray_pycwt_\w+)\{([^}]*)\} (\S+)$")


def scrape() -> dict[tuple[str, str], float]:
    """``{(name, tags): value}`` of the pycwt metrics on this (single-node) cluster."""
    out: dict[tuple[str, str], float] = {}
    for node in ray.nodes():
        if not node["Alive"]:
            continue
        url = f"http://{node['NodeManagerAddress']}:{node['MetricsExportPort']}/metrics"
        for line in httpx.get(url, timeout=10).text.splitlines():
            m = METRIC.match(line)
            if m:
                tags = ",".join(
                    t for t in m.group(2).split(",") if t.split("=")[0] in ("status", "backend")
                )
                key = (m.group(1), tags)
                out[key] = out.get(key, 0.0) + float(m.group(3))
    return out


def total(snapshot: dict, name: str, **tags) -> float:
    want = [f'{k}="{v}"' for k, v in tags.items()]
    return sum(v for (n, t), v in snapshot.items() if n == name and all(w in t for w in want))


def submit(client, **kw) -> dict:
    x, y = series(128, seed=30), series(128, seed=31)
    body = {"data1": x.tolist(), "data2": y.tolist(), "dt": 1.0, "dj": 0.5, **kw}
    r = client.post("/api/v1/analysis/significance", json=body)
    assert r.status_code == 200, r.text
    return r.json()


class TestMetrics:
    def test_job_counters_scraped(self, client, service):
        before = scrape()
        job = submit(client, mc_count=8, seed=40)

        def completed():
            j = client.get(f"/api/v1/jobs/{job['job_id']}").json()
            return j if j["status"] == "completed" else None

        final = wait_for(completed, timeout=90)

        def grown():  # Ray exports every few seconds
            now = scrape()
            ok = total(now, "ray_pycwt_jobs_submitted_total") > total(
                before, "ray_pycwt_jobs_submitted_total"
            ) and total(now, "ray_pycwt_jobs_finished_total", status="completed") > total(
                before, "ray_pycwt_jobs_finished_total", status="completed"
            )
            return now if ok else None

        now = wait_for(grown, timeout=60, interval=2)
        # this job counted under its backend (earlier jobs of the run are in `before`)
        for name in ("ray_pycwt_jobs_submitted_total", "ray_pycwt_mc_pairs_per_second_count"):
            grew = total(now, name, backend=final["backend"]) - total(
                before, name, backend=final["backend"]
            )
            assert grew >= 1, (name, final["backend"], grew)
        assert ("ray_pycwt_jobs_active", "") in now


class TestEvents:
    def test_more_streams_than_serve_default(self, client, service):
        """8 clients follow one job at once (Serve's default max_ongoing_requests is 5)."""
        job = submit(client, mc_count=24, seed=41)
        url = f"{service.url}/api/v1/jobs/{job['job_id']}/events"
        finals: list[dict] = []
        errors: list[BaseException] = []

        def follow():
            try:
                last = None
                with httpx.stream("GET", url, params={"interval": 0.2}, timeout=120) as r:
                    for line in r.iter_lines():
                        if line.startswith("data: "):
                            last = json.loads(line[6:])
                finals.append(last)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=follow) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=150)
        assert not errors, errors
        assert len(finals) == 8
        assert all(f["status"] == "completed" and f["progress"] == 1.0 for f in finals)
        assert not any(t.is_alive() for t in threads)  # every stream closed on its own
