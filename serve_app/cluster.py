"""The embedded Ray cluster of ``python -m serve_app`` is closed by default.

A Ray driver that reaches the cluster's GCS port runs any code as the service's user
and reads every owner's jobs through a handle, around the API keys that guard only
the HTTP port. So, unless the operator opts out in the settings:

- **loopback**: every Ray port (GCS, raylet, object manager, workers, dashboard
  agent, metrics, runtime-env agent) listens on 127.0.0.1 only. Ray 2.60 binds all
  of them to the node's IP address, and a node whose IP is the loopback one listens
  on loopback only; ``ray.init`` turns ``_node_ip_address="127.0.0.1"`` into the
  machine's address unless Ray's single-machine mode is on
  (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, the default on macOS and Windows), which
  is what `close_cluster` sets. (``PYCWT_RAY_LOOPBACK=false`` opts out.)
- **token authentication**: ``RAY_AUTH_MODE=token``, so every gRPC call to the
  cluster must carry the token (a driver without it is refused:
  ``Unauthenticated: InvalidAuthToken``). The token is Ray's: ``RAY_AUTH_TOKEN``,
  the file ``RAY_AUTH_TOKEN_PATH`` names, or ``~/.ray/auth_token`` (Ray generates
  it there when none exists; ``ray get-auth-token`` prints it), so Ray's CLI on
  this machine works with ``RAY_AUTH_MODE=token``. (``PYCWT_RAY_TOKEN_AUTH=false``
  opts out.)

The HTTP port is the proxy's own (``PYCWT_HOST``) and is not a Ray port. One Ray port
stays on all interfaces: Ray Serve 2.60 binds each replica's inter-deployment gRPC
server to ``[::]:0`` (hard-coded in ``ray.serve._private.replica``); with token
authentication on, that server refuses every call without the token
(tests/serve_app/test_closed_cluster.py checks both).
"""

from __future__ import annotations

import os
import sys

__all__ = ["LOOPBACK_ENV", "close_cluster", "cluster_env"]

#: Ray's switch for single-machine clusters (node IP 127.0.0.1): "0" turns it on.
LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def cluster_env(*, loopback: bool, token_auth: bool) -> dict[str, str]:
    """The environment variables that close (or open) a local Ray cluster.

    Parameters
    ----------
    loopback : bool
        Ray's ports on 127.0.0.1 only.
    token_auth : bool
        Ray's token authentication (``RAY_AUTH_MODE=token``); False disables it.

    Returns
    -------
    dict of str to str
        To set before the cluster starts (its processes inherit them).
    """
    return {
        LOOPBACK_ENV: "0" if loopback else "1",
        "RAY_AUTH_MODE": "token" if token_auth else "disabled",
    }


def close_cluster(*, loopback: bool = True, token_auth: bool = True) -> dict[str, str]:
    """Set `cluster_env` in this process, before ``ray.init`` starts a local cluster.

    Ray reads ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` once, when ``ray`` is imported,
    and ``RAY_AUTH_MODE`` into its config: when ``ray`` is imported already, its
    copy of the switch is set too and its config read again (as Ray itself does when
    it turns token authentication on).

    Returns
    -------
    dict of str to str
        The variables set.
    """
    env = cluster_env(loopback=loopback, token_auth=token_auth)
    os.environ.update(env)
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:
        constants.ENABLE_RAY_CLUSTER = not loopback
    raylet = sys.modules.get("ray._raylet")
    if raylet is not None:
        raylet.Config.initialize("")
    return env
