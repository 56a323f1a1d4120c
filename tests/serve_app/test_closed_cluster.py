"""The embedded cluster is closed (issue 22, point 1): the run's one cluster is closed
by `serve_app.cluster.close_cluster` as ``python -m serve_app`` closes its own
(test_durable.py checks the launcher's ports too).

- every port a process of the cluster listens on is a loopback one, but the Serve
  replicas' inter-deployment gRPC servers, which Ray Serve 2.60 binds to all
  interfaces itself: those refuse a call without the token;
- a driver without the token (or with another) is refused by the GCS.
"""

from __future__ import annotations

import os

import grpc

from .procs import beyond_loopback, listening, pids_with, with_descendants


def test_every_ray_port_listens_on_loopback_only(ray_cluster, private_ray_temp_dir):
    cluster = with_descendants(pids_with(os.path.join(private_ray_temp_dir, "c")))
    sockets = listening([*cluster, os.getpid()])  # the driver's core worker too
    names = {name for _, name, _, _ in sockets}
    assert {"gcs_server", "raylet"} <= names, sockets  # the cluster's daemons were found
    assert len(sockets) >= 6, sockets  # GCS, raylet (2), agents, driver...
    assert beyond_loopback(sockets) == [], "Ray ports beyond loopback"


def _cluster_id(gcs: str, metadata: tuple) -> grpc.StatusCode:
    """Status of the GCS's first call of every driver (GetClusterId) with ``metadata``."""
    from ray.core.generated import gcs_service_pb2, gcs_service_pb2_grpc

    with grpc.insecure_channel(gcs) as channel:
        stub = gcs_service_pb2_grpc.NodeInfoGcsServiceStub(channel)
        try:
            stub.GetClusterId(gcs_service_pb2.GetClusterIdRequest(), timeout=10,
                              metadata=metadata)  # fmt: skip
        except grpc.RpcError as exc:
            return exc.code()
    return grpc.StatusCode.OK


def test_a_driver_without_the_token_cannot_connect(ray_cluster):
    """What a driver's ``ray.init`` sends first, straight to the GCS: refused without
    the token or with another one (a real ``ray.init`` without it fails the same way
    after Ray's 20 s of retries: "InvalidAuthToken"), answered with it."""
    gcs = ray_cluster.get_runtime_context().gcs_address
    token = os.environ["RAY_AUTH_TOKEN"]
    assert _cluster_id(gcs, ()) is grpc.StatusCode.UNAUTHENTICATED
    wrong = (("authorization", "Bearer " + "0" * len(token)),)
    assert _cluster_id(gcs, wrong) is grpc.StatusCode.UNAUTHENTICATED
    assert _cluster_id(gcs, (("authorization", f"Bearer {token}"),)) is grpc.StatusCode.OK
