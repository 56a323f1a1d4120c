"""Request fields generated from the library's option types (`pycwt_mod.options`).

Every option field of a request (the grid, preprocessing, Monte Carlo and areawise
options) is declared by `option_model` from `pycwt_mod.options.option_fields`: its
name, default, description, numeric bounds (``gt``, ``ge``, ``lt``, ``le``) and
choice set (a ``Literal``, so OpenAPI lists it as an ``enum``). A value is checked by
pydantic's bounds, then by the option type itself, so a ``ValueError`` of the option
type is a 422 that names the field (``loc``) and says why (its message). A new option
field appears on every request with that option group, without a line here.

A door may deviate from an option's declaration only where the API contract says so
(`option_model`'s ``overrides``: e.g. ``dt`` is required, since a request has no time
axis to take it from).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WrapValidator,
    create_model,
)

from pycwt_mod.options import OptionField, option_fields

__all__ = [
    "build_options",
    "choice",
    "declare",
    "merge_aliases",
    "option_model",
    "unknown_choice",
]

_BOUNDS = ("gt", "ge", "lt", "le")
_OPTION_DEFAULT: Any = object()  # `declare`: keep the option's default


def unknown_choice(name: str, value: Any, choices: Iterable) -> str:
    """The service's message for a value outside a choice set."""
    return f"unknown {name} {value!r}; valid names are {', '.join(map(str, choices))}"


def choice(name: str, choices: tuple[str, ...]) -> Any:
    """A ``Literal`` of ``choices`` (an OpenAPI ``enum``) answering `unknown_choice`."""

    def check(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(unknown_choice(name, value, choices)) from None

    return Annotated[Literal[choices], WrapValidator(check)]  # type: ignore[valid-type]


def _checked_by(cls: type, field: str) -> AfterValidator:
    """Check a value with the option type ``cls`` itself (its ``ValueError`` names it)."""

    def check(value: Any) -> Any:
        cls(**{field: value})
        return value

    return AfterValidator(check)


def declare(
    cls: type,
    opt: OptionField,
    *,
    name: str | None = None,
    annotation: Any = None,
    default: Any = _OPTION_DEFAULT,
    doc: str | None = None,
    optional: bool = False,
    validators: tuple = (),
    **extra: Any,
) -> tuple[Any, Any]:
    """The ``(type, FieldInfo)`` of option field ``opt`` of ``cls``, for `create_model`.

    Parameters
    ----------
    name : str, optional
        The request's name for it, when it differs (a deprecated alias).
    annotation : type, optional
        The request's type (default: the option's; a ``Literal`` for a choice set).
    default : optional
        The request's default (default: the option's; ``...``: required).
    doc : str, optional
        The description (default: the option's).
    optional : bool
        Also accept ``null`` (a deprecated alias, whose default is None).
    validators : tuple
        More ``AfterValidator``s (after the option type's check).
    **extra
        Further `pydantic.Field` arguments (``examples``, ``json_schema_extra``).
    """
    name = name or opt.name
    if opt.choices:
        ann = choice(name, opt.choices)
    else:
        ann = annotation if annotation is not None else get_type_hints(cls)[opt.name]
        ann = Annotated[ann, _checked_by(cls, opt.name)]
    if optional:
        ann = ann | None
    for v in validators:
        ann = Annotated[ann, v]
    bounds = {k: v for k, v in opt.bounds.items() if k in _BOUNDS}
    info = Field(
        opt.default if default is _OPTION_DEFAULT else default,
        description=opt.doc if doc is None else doc,
        **bounds,
        **extra,
    )
    return ann, info


def option_model(
    cls: type,
    model_name: str,
    *,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    overrides: dict[str, dict[str, Any]] | None = None,
    aliases: dict[str, str] | None = None,
) -> type[BaseModel]:
    """A pydantic model whose fields are those of option type ``cls``.

    Parameters
    ----------
    cls : type
        `pycwt_mod.options.ScaleGrid`, ``Preprocessing``, ``MonteCarlo`` or ``Areawise``.
    model_name : str
    include, exclude : iterable of str, optional
        The fields a request takes (default: all).
    overrides : dict, optional
        Field name -> `declare` arguments, where the API contract differs.
    aliases : dict, optional
        Deprecated name -> field: an optional field of that name (null by default),
        declared as the field is; `merge_aliases` moves its value to the field.

    Returns
    -------
    type[BaseModel]
        With ``extra="forbid"``; `build_options` makes the option object of an instance.
    """
    names = None if include is None else set(include)
    skip = set(exclude)
    overrides = overrides or {}
    opts = {opt.name: opt for opt in option_fields(cls)}
    fields = {
        name: declare(cls, opt, **overrides.get(name, {}))
        for name, opt in opts.items()
        if (names is None or name in names) and name not in skip
    }
    for alias, name in (aliases or {}).items():
        fields[alias] = declare(
            cls, opts[name], name=alias, default=None, optional=True,
            doc=f"Deprecated name of {name} (accepted for one release).",
            json_schema_extra={"deprecated": True},
        )  # fmt: skip
    return create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)


def merge_aliases(model: BaseModel, aliases: dict[str, str]) -> None:
    """Give each field the value of its deprecated alias, and the alias the field's.

    Raises
    ------
    ValueError
        When a field and its alias were both given, with different values.
    """
    for alias, name in aliases.items():
        value = getattr(model, alias)
        if value is not None:
            if name in model.model_fields_set and getattr(model, name) != value:
                raise ValueError(f"give {name} or its deprecated alias {alias}, not both")
            setattr(model, name, value)
        setattr(model, alias, getattr(model, name))


def build_options(model: BaseModel, cls: type):
    """The ``cls`` option object of a request: its fields of ``cls``, the rest defaults.

    Raises
    ------
    ValueError
        The option type's message (a 422 inside a validator).
    """
    fields = type(model).model_fields
    return cls(**{f.name: getattr(model, f.name) for f in option_fields(cls) if f.name in fields})
