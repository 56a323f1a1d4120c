"""Keyword options of the labelled API: the fields of `pycwt_mod.options`, or the objects.

Every option keyword of `cwt`, `xwt` and `wct` is a field of an option type, with
its name and default (``tests/pycwt_mod/labelled/test_labelled.py`` checks the signatures against
`pycwt_mod.options.option_fields`). A caller that already holds the objects (built
by another door, or read back with `pycwt_mod.options.from_dict`) passes them
instead: ``grid=``, ``preprocessing=``, ``monte_carlo=``, ``areawise=``. Giving an
object and one of its fields with another value is an error, not a silent choice.
The AR(1) fallback warnings of the pipeline are announced here
(`pycwt_mod.significance.AR1FallbackWarning`) and kept in the ``warnings`` attr.
"""

from __future__ import annotations

import dataclasses
import warnings

from ..options import Areawise, Preprocessing, ScaleGrid
from ..significance import AR1FallbackWarning

__all__: list[str] = []


def _same(value, default) -> bool:
    """``value == default`` as a caller means it (1/12 == 0.0833..., True is not 1)."""
    if value is default:
        return True
    if isinstance(value, bool) != isinstance(default, bool):
        return False
    try:
        return bool(value == default)
    except (TypeError, ValueError):  # an array, or a type that refuses the comparison
        return False


def resolve(cls: type, given, name: str, **fields):
    """``given`` (an instance of ``cls``), or ``cls(**fields)`` (validated).

    Raises
    ------
    TypeError
        When ``given`` is not a ``cls``.
    ValueError
        From the option type (naming the field), or when ``given`` comes with a
        field keyword that is not at its default.
    """
    if given is None:
        return cls(**fields)
    if not isinstance(given, cls):
        raise TypeError(
            f"`{name}` must be a pycwt_mod.options.{cls.__name__} (got {type(given).__name__})"
        )
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    clash = [k for k, v in fields.items() if not _same(v, defaults[k])]
    if clash:
        keys = ", ".join(f"`{k}`" for k in clash)
        raise ValueError(
            f"`{name}` already holds {keys}: pass the {cls.__name__} object or its fields, not both"
        )
    return given


def resolve_series_options(
    grid, dt, preprocessing, *, dj, s0, J, wavelet, **pre_fields
) -> tuple[ScaleGrid, object, Preprocessing]:
    """The options every analysis takes: `ScaleGrid`, ``dt`` and `Preprocessing`.

    Parameters
    ----------
    grid, preprocessing : ScaleGrid, Preprocessing or None
        The objects the caller passed, if any (see `resolve`).
    dt
        The caller's ``dt``.
    dj, s0, J, wavelet
        The grid's keyword fields.
    **pre_fields
        The preprocessing keyword fields.

    Returns
    -------
    grid : ScaleGrid
    dt
        The ``dt`` to read the series with (the grid's, if it has one).
    pre : Preprocessing

    Raises
    ------
    TypeError, ValueError
        As `resolve`, and for a ``dt`` given beside a grid that holds one.
    """
    g = resolve(ScaleGrid, grid, "grid", dj=dj, s0=s0, J=J, wavelet=wavelet)
    if grid is not None and grid.dt is not None:
        if dt is not None:
            raise ValueError("`grid` already holds `dt`: pass one of them")
        dt = grid.dt
    return g, dt, resolve(Preprocessing, preprocessing, "preprocessing", **pre_fields)


def resolve_areawise(areawise, **fields) -> Areawise | None:
    """The areawise test asked for (``areawise=True`` or an `Areawise`), else None.

    The fields are checked even when the test is off.
    """
    if isinstance(areawise, Areawise):
        return resolve(Areawise, areawise, "areawise", **fields)
    built = Areawise(**fields)
    if not isinstance(areawise, bool):
        raise TypeError(
            f"`areawise` must be True, False or a pycwt_mod.options.Areawise (got {areawise!r})"
        )
    return built if areawise else None


def announce(messages: tuple[str, ...], attrs: dict) -> None:
    """Warn with each AR(1) fallback message and record them in ``attrs["warnings"]``."""
    for message in messages:
        warnings.warn(message, AR1FallbackWarning, stacklevel=4)
    if messages:
        attrs["warnings"] = "\n".join(messages)
