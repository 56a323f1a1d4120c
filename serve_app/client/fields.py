"""The fields of a request, derived from the option types (`pycwt_mod.options`).

`Client`'s methods take the option objects (``grid=ScaleGrid(...)``,
``preprocessing=Preprocessing(...)``, ``monte_carlo=MonteCarlo(...)``,
``areawise=Areawise(...)``) and the same fields as flat keywords (``dj=0.25``); both
become the flat fields of the service's request models, which are generated from the
same types (`pycwt_mod.options.option_fields`) under the same names. A field an option
type gains is sent with nothing to change here; a keyword that is no field of the
method raises ``TypeError`` naming it, so no option is dropped on the way.

Of an option object, the fields that differ from their defaults are sent (the service
has the same defaults), less the ``local`` ones (``chunk_size``, ``cache``: how this
process would run a test, which the service decides for itself); a flat keyword is
sent as given (``None``: left out).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from pycwt_mod.options import (
    Areawise,
    MonteCarlo,
    Preprocessing,
    ScaleGrid,
    Spectrum,
    option_fields,
    to_dict,
)

__all__ = [
    "DEPRECATED",
    "FIELDS",
    "JOB_FIELDS",
    "OPTION_TYPES",
    "PLOT_OPTIONS",
    "TEST_FIELDS",
    "areawise_switch",
    "request_fields",
    "select",
]

#: The option keywords of the client's methods and their types.
OPTION_TYPES: dict[str, type] = {
    "grid": ScaleGrid,
    "preprocessing": Preprocessing,
    "monte_carlo": MonteCarlo,
    "areawise": Areawise,
    "spectrum": Spectrum,
}
#: The request field names of each option type, by keyword (not the `local` ones:
#: how this process would run the test, which the service decides for itself).
FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(f.name for f in option_fields(cls) if not f.local)
    for kind, cls in OPTION_TYPES.items()
}
_DEFAULTS = {f.name: f.default for cls in OPTION_TYPES.values() for f in option_fields(cls)}
#: Old keyword names, accepted with a DeprecationWarning and sent under the new one.
DEPRECATED = {"areawise_test": "area_test"}
#: Labels and size of a plot (the service's ``PlotOptions``; not analysis options).
PLOT_OPTIONS = ("title", "time_label", "period_label", "t0", "width", "height", "dpi",
                "period_unit", "series_names", "format")  # fmt: skip
#: Fields a significance job takes: every analysis option, and the areawise switch.
JOB_FIELDS = frozenset(
    {n for kind, names in FIELDS.items() if kind != "spectrum" for n in names} | {"areawise"}
)  # a job's thresholds do not depend on how power is expressed
#: Fields of a coherence request that only its Monte Carlo (and areawise) test uses.
TEST_FIELDS = frozenset(
    {*FIELDS["monte_carlo"], *FIELDS["areawise"], "significance_test", "areawise"}
)


def areawise_switch(areawise) -> tuple[bool, Areawise | None]:
    """``areawise`` as given to a method (True, False, None or an `Areawise`): on, options.

    Raises
    ------
    TypeError
        For anything else.
    """
    if isinstance(areawise, Areawise):
        return True, areawise
    if areawise is None or isinstance(areawise, bool):
        return bool(areawise), None
    raise TypeError(f"`areawise` must be True, False or an Areawise (got {areawise!r})")


def _renamed(kwargs: dict[str, Any], stacklevel: int) -> dict[str, Any]:
    out = dict(kwargs)
    for old, new in DEPRECATED.items():
        if old in out:
            warnings.warn(
                f"`{old}` is deprecated; use `{new}`", DeprecationWarning, stacklevel=stacklevel
            )
            if new in out:
                raise TypeError(f"give `{new}` or its old name `{old}`, not both")
            out[new] = out.pop(old)
    return out


def request_fields(
    method: str,
    kinds: Iterable[str],
    extras: Iterable[str],
    options: dict[str, Any],
    kwargs: dict[str, Any],
    dt: float | None = None,
    *,
    needs_dt: bool = True,
    stacklevel: int = 4,
) -> dict[str, Any]:
    """The flat request fields of a call of ``Client.<method>``.

    Parameters
    ----------
    method : str
        The method, named in errors.
    kinds : iterable of str
        The option keywords the method takes (keys of `OPTION_TYPES`).
    extras : iterable of str
        Its other request fields (``output``, ``significance_test``, plot options...).
    options : dict
        The option objects given, by keyword (None: not given).
    kwargs : dict
        The flat keywords given.
    dt : float, optional
        The method's ``dt`` argument (else ``grid.dt``).

    Returns
    -------
    dict

    Raises
    ------
    TypeError
        For a keyword that is no field of the method, a field given both flat and in
        its option object, an option of the wrong type, or no ``dt``.
    """
    kinds = tuple(kinds)
    kwargs = _renamed(kwargs, stacklevel)
    allowed = {n for kind in kinds for n in FIELDS[kind]} | set(extras)
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise TypeError(
            f"{method}() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"it takes {', '.join(sorted(allowed - {'dt'}))}"
        )
    out: dict[str, Any] = {}
    for kind, obj in options.items():
        if obj is None:
            continue
        cls = OPTION_TYPES[kind]
        if not isinstance(obj, cls):
            raise TypeError(f"`{kind}` must be a {cls.__name__} (got {obj!r})")
        twice = sorted(set(kwargs) & set(FIELDS[kind]))
        if twice:
            raise TypeError(
                f"{method}(): give {', '.join(map(repr, twice))} in `{kind}` or as a "
                "keyword, not both"
            )
        sent = FIELDS[kind]
        out.update({k: v for k, v in to_dict(obj).items() if k in sent and v != _DEFAULTS[k]})
    out.update({k: v for k, v in kwargs.items() if v is not None})
    if dt is not None:
        if out.get("dt", dt) != dt:
            raise TypeError(f"{method}(): `dt` is {dt!r} but grid.dt is {out['dt']!r}")
        out["dt"] = dt
    if needs_dt and "dt" not in out:
        raise TypeError(f"{method}() needs `dt` (an argument, or grid=ScaleGrid(dt=...))")
    return out


def select(fields: dict[str, Any], names: Iterable[str], keep: bool = True) -> dict[str, Any]:
    """The ``fields`` named in ``names`` (``keep=False``: those not named)."""
    names = frozenset(names)
    return {k: v for k, v in fields.items() if (k in names) == keep}
