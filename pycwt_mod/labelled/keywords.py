"""Keyword options of the labelled API, generated from `pycwt_mod.options`.

`option_keywords` gives `cwt`, `xwt` and `wct` their option keywords: every field of
the option types they take, with the field's name, default and description
(`pycwt_mod.options.option_fields`), and the objects themselves (``grid=``,
``preprocessing=``, ``monte_carlo=``, ``areawise=``). A field an option type gains
is a keyword of these functions, in their signature and docstring, without a line
here. A caller that already holds the objects (built by another door, or read back
with `pycwt_mod.options.from_dict`) passes them instead of the fields; giving an
object and one of its fields with another value is an error, not a silent choice.
The AR(1) fallback warnings of the pipeline are announced here
(`pycwt_mod.significance.AR1FallbackWarning`) and kept in the ``warnings`` attr.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

from ..options import (
    Areawise,
    MonteCarlo,
    OptionField,
    Preprocessing,
    ScaleGrid,
    Spectrum,
    option_fields,
)
from ..significance import AR1FallbackWarning

__all__: list[str] = []

#: The option keywords of the labelled API and their types.
KINDS: dict[str, type] = {
    "grid": ScaleGrid,
    "preprocessing": Preprocessing,
    "monte_carlo": MonteCarlo,
    "areawise": Areawise,
    "spectrum": Spectrum,
}

#: What a field means in the labelled API beyond its option doc (its door's notes).
_NOTES = {
    "s0": "In ``unit``.",
    "anomalies": '``"auto"`` reads it from monthly or quarterly dates (an error for '
    "other spacings); recorded in the ``anomalies`` attr.",
    "normalize": "``standardize`` is its old name, accepted with a DeprecationWarning "
    "for one release.",
    "significance_level": "The variable is called ``sig95`` whatever the level.",
    "area_level": "The pointwise level is ``significance_level``.",
    "chunk_size": "How this process runs the test, not what it computes.",
    "cache": "How this process runs the test, not what it computes.",
}
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


@dataclasses.dataclass(frozen=True)
class Chosen:
    """The options of one labelled call, as objects.

    Attributes
    ----------
    grid : ScaleGrid
    dt : float, str, pandas.Timedelta or None
        The ``dt`` to read the series with (the grid's, when it holds one).
    preprocessing : Preprocessing
    monte_carlo : MonteCarlo or None
        None for a function without the Monte Carlo options.
    areawise : Areawise or None
        The areawise test asked for, else None.
    spectrum : Spectrum
        How power is expressed (``rectify``); the default for a function without it.
    """

    grid: ScaleGrid
    dt: Any
    preprocessing: Preprocessing
    monte_carlo: MonteCarlo | None
    areawise: Areawise | None
    spectrum: Spectrum = dataclasses.field(default_factory=Spectrum)


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


def _choose(kinds: tuple[str, ...], args: Mapping[str, Any]) -> Chosen:
    """The option objects of one call's bound arguments (see `option_keywords`)."""

    def fields(kind: str) -> dict[str, Any]:
        return {
            f.name: args[f.name]
            for f in option_fields(KINDS[kind])
            if f.name in args and f.name != "dt"  # dt: the function's own (a time step)
        }

    grid_given, dt = args.get("grid"), args.get("dt")
    grid = resolve(ScaleGrid, grid_given, "grid", **fields("grid"))
    if grid_given is not None and grid_given.dt is not None:
        if dt is not None:
            raise ValueError("`grid` already holds `dt`: pass one of them")
        dt = grid_given.dt
    pre = resolve(
        Preprocessing, args.get("preprocessing"), "preprocessing", **fields("preprocessing")
    )
    mc = None
    if "monte_carlo" in kinds:
        mc = resolve(MonteCarlo, args.get("monte_carlo"), "monte_carlo", **fields("monte_carlo"))
    test = None
    if "areawise" in kinds:
        test = resolve_areawise(args["areawise"], **fields("areawise"))
    spectrum = Spectrum()
    if "spectrum" in kinds:
        spectrum = resolve(Spectrum, args.get("spectrum"), "spectrum", **fields("spectrum"))
    return Chosen(grid, dt, pre, mc, test, spectrum)


def _type_text(f: OptionField) -> str:
    if f.choices:
        return "{" + ", ".join(f'"{c}"' for c in f.choices) + "}"
    return f.annotation.replace(" | None", "").replace("None | ", "")


def _default_text(value) -> str:
    """A default as a reader writes it (``1/12``, not ``0.08333333333333333``)."""
    if isinstance(value, float) and len(repr(value)) > 8:  # 1/12, not 0.0833...
        frac = Fraction(value).limit_denominator(1000)
        if float(frac) == value:
            return f"{frac.numerator}/{frac.denominator}"
    return repr(value)


def _entry(head: str, text: str) -> str:
    """One numpy-style parameter entry, its text wrapped under the head."""
    body = textwrap.fill(text, 88, initial_indent=" " * 8, subsequent_indent=" " * 8)
    return f"    {head}\n{body}"


def _field_doc(f: OptionField) -> str:
    text = f.doc if f.doc.endswith(".") else f.doc + "."
    if f.name in _NOTES:
        text += " " + _NOTES[f.name]
    text += f" Default {_default_text(f.default)}."
    return _entry(f"{f.name} : {_type_text(f)}, optional", text)


def _objects_doc(names: list[str]) -> str:
    types = ", ".join(KINDS[n].__name__ for n in names)
    return _entry(
        f"{', '.join(names)} : {types}, optional",
        "The options as objects (`pycwt_mod.options`), instead of their fields above (a "
        "field given beside its object must keep its default). ``grid.dt``, when set, "
        "stands for ``dt``.",
    )


_AREAWISE_SWITCH = _entry(
    "areawise : bool or Areawise, optional",
    "Add Monte Carlo pointwise and areawise significance masks (default False; Maraun "
    "et al. 2007, see `pycwt_mod.areawise`): True with the ``area_*`` options, or a "
    "`pycwt_mod.options.Areawise`. They are computed on the preprocessed (and "
    "gap-filled) series; points under ``gap_mask`` are not left out of the test.",
)


def option_keywords(
    *kinds: str,
    only: Mapping[str, Iterable[str]] | None = None,
    exclude: Iterable[str] = (),
) -> Callable:
    """Give a labelled function the option keywords of the option types ``kinds``.

    The decorated function declares its own parameters (``dt`` among them) and a
    keyword-only ``options``; the wrapper's signature is those parameters (less
    ``options``) followed by one keyword per option field (its name, default and
    type, from `pycwt_mod.options.option_fields`), the ``areawise`` switch when
    ``"areawise"`` is a kind, and one keyword per option object. A call binds
    them (an unknown keyword is a ``TypeError``), builds the objects and passes
    them as ``options`` (a `Chosen`), with ``dt`` resolved against ``grid``.
    ``{options}`` in the docstring becomes the fields' descriptions.

    Parameters
    ----------
    *kinds : str
        Keys of `KINDS`, in the order of the signature (``"grid"`` and
        ``"preprocessing"`` always).
    only : mapping, optional
        Kind -> the fields it gives (the rest keep their defaults); such a kind
        has no object keyword.
    exclude : iterable of str
        Fields that are no keywords of the function (they keep their defaults).
    """
    only = {k: set(v) for k, v in (only or {}).items()}
    skip = {"dt", *exclude}
    fields = [
        f
        for kind in kinds
        for f in option_fields(KINDS[kind])
        if f.name not in skip and (kind not in only or f.name in only[kind])
    ]
    objects = [k for k in kinds if k not in only and k != "areawise"]
    switch = "areawise" in kinds

    def decorate(func: Callable) -> Callable:
        own = [p for p in inspect.signature(func).parameters.values() if p.name != "options"]
        params = [inspect.Parameter(f.name, _KEYWORD, default=f.default, annotation=f.annotation)
                  for f in fields]  # fmt: skip
        if switch:
            params.append(inspect.Parameter("areawise", _KEYWORD, default=False))
        params += [inspect.Parameter(k, _KEYWORD, default=None) for k in objects]
        public = inspect.Signature(own + params)
        names = [p.name for p in own]

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = public.bind(*args, **kwargs)
            bound.apply_defaults()
            chosen = _choose(kinds, bound.arguments)
            call = {n: bound.arguments[n] for n in names}
            call["dt"] = chosen.dt
            return func(**call, options=chosen)

        docs = [_field_doc(f) for f in fields]
        if switch:
            docs.insert(next(i for i, f in enumerate(fields) if f.name.startswith("area_")),
                        _AREAWISE_SWITCH)  # fmt: skip
        if objects:
            docs.append(_objects_doc(objects))
        wrapper.__doc__ = (func.__doc__ or "").replace("    {options}", "\n".join(docs))
        wrapper.__signature__ = public
        return wrapper

    return decorate


def announce(messages: tuple[str, ...], attrs: dict) -> None:
    """Warn with each AR(1) fallback message and record them in ``attrs["warnings"]``."""
    for message in messages:
        warnings.warn(message, AR1FallbackWarning, stacklevel=5)
    if messages:
        attrs["warnings"] = "\n".join(messages)
