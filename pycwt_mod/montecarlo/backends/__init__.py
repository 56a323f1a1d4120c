"""Monte Carlo backends: where the chunks of a significance computation run.

>>> from pycwt_mod.montecarlo.backends import list_backends, get_backend
>>> "sequential" in list_backends()
True
>>> get_backend("sequential").name
'sequential'
"""

from __future__ import annotations

from .base import BackendUnavailableError, MonteCarloBackend
from .gpu import GPUBackend
from .joblib_backend import JoblibBackend
from .ray_backend import RayBackend
from .sequential import SequentialBackend

__all__ = [
    "BackendUnavailableError",
    "MonteCarloBackend",
    "describe_backends",
    "get_backend",
    "list_backends",
    "register_backend",
]

_REGISTRY: dict[str, type[MonteCarloBackend]] = {}

#: ``backend="auto"`` tries these in order and takes the first available.
AUTO_ORDER = ("gpu", "ray", "joblib", "sequential")


def register_backend(name: str, cls: type[MonteCarloBackend]) -> None:
    """Register ``cls`` under ``name`` (replacing any backend of that name)."""
    if not (isinstance(cls, type) and issubclass(cls, MonteCarloBackend)):
        raise TypeError(f"backend class must subclass MonteCarloBackend (got {cls!r})")
    _REGISTRY[name] = cls


def list_backends() -> list[str]:
    """Names of all registered backends, available or not."""
    return list(_REGISTRY)


def describe_backends() -> list[dict]:
    """`MonteCarloBackend.describe` of every registered backend."""
    return [cls.describe() for cls in _REGISTRY.values()]


def _auto() -> MonteCarloBackend:
    for name in AUTO_ORDER:
        cls = _REGISTRY.get(name)
        if cls is None or not cls.is_available():
            continue
        if name == "ray":  # only join a Ray the caller already started
            import ray

            if not ray.is_initialized():
                continue
        return cls()
    return SequentialBackend()


def get_backend(name: str | None = None, **options) -> MonteCarloBackend:
    """A backend instance by name.

    Parameters
    ----------
    name : str, optional
        A registered name, or None/"auto" for the first available of
        ``AUTO_ORDER`` (Ray only if already initialised).
    **options
        Backend options (see each backend class).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the registered ones).
    BackendUnavailableError
        For a known backend that cannot run here (the message gives the reason).
    """
    if name is None or name == "auto":
        return _auto() if not options else type(_auto())(**options)
    if name not in _REGISTRY:
        raise ValueError(
            f"unknown backend {name!r}; registered backends are {', '.join(_REGISTRY)} (or 'auto')"
        )
    cls = _REGISTRY[name]
    reason = cls.unavailable_reason()
    if reason is not None:
        raise BackendUnavailableError(f"backend {name!r} is unavailable: {reason}")
    return cls(**options)


for _cls in (SequentialBackend, JoblibBackend, RayBackend, GPUBackend):
    register_backend(_cls.name, _cls)
