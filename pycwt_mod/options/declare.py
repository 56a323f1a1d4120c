"""How an option field is declared (`option_fields`) and stored (`to_dict`, `from_dict`)."""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

from ..mothers import Mother
from .choices import SurrogateFamily

__all__ = ["OptionField", "from_dict", "option_fields", "to_dict"]


def _opt(default, doc: str, **meta: Any):
    """A dataclass field with its description and constraints (for `option_fields`)."""
    return field(default=default, metadata={"doc": doc, **meta})


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number (got {value!r})")
    return float(value)


# ------------------------------------------------------- declarations for doors


@dataclass(frozen=True)
class OptionField:
    """One option as a door declares it (a request field, a CLI flag).

    Attributes
    ----------
    name : str
    default : object
    doc : str
    choices : tuple of str or None
        The choice set, when the option has one.
    bounds : dict
        Numeric constraints (``gt``, ``ge``, ``lt``, ``le``).
    annotation : str
        The field's type, as written in its dataclass.
    local : bool
        True for how the calling process runs the analysis (``chunk_size``,
        ``cache``), not what it computes: a service decides those for itself, so
        they are no request fields.
    """

    name: str
    default: Any
    doc: str
    choices: tuple[str, ...] | None
    bounds: dict
    annotation: str
    local: bool = False


def to_dict(options) -> dict[str, Any]:
    """The fields of an option object as plain JSON values (a family by its name).

    Raises
    ------
    TypeError
        For a wavelet given as an instance (only names are JSON values).
    """
    out = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if isinstance(value, SurrogateFamily):
            value = value.name
        elif isinstance(value, Mother):
            raise TypeError(f"`{f.name}` must be a wavelet name to be stored (got {value!r})")
        out[f.name] = value
    return out


def from_dict(cls: type, data: dict[str, Any]):
    """Inverse of `to_dict` (unknown keys are ignored).

    Examples
    --------
    >>> from pycwt_mod.options import Areawise, MonteCarlo
    >>> from_dict(MonteCarlo, to_dict(MonteCarlo(seed=1))) == MonteCarlo(seed=1)
    True
    """
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def option_fields(cls: type) -> tuple[OptionField, ...]:
    """The fields of an option type, with their defaults, descriptions and constraints.

    Examples
    --------
    >>> from pycwt_mod.options import Areawise
    >>> [f.name for f in option_fields(Areawise)]
    ['area_level', 'area_measure', 'area_test']
    """
    out = []
    for f in dataclasses.fields(cls):
        meta = dict(f.metadata)
        doc = meta.pop("doc", "")
        choices = meta.pop("choices", None)
        local = bool(meta.pop("local", False))
        out.append(OptionField(f.name, f.default, doc, choices, meta, str(f.type), local))
    return tuple(out)
