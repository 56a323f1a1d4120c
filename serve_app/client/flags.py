"""Command-line flags generated from the option types (`pycwt_mod.options`).

Each field of an option type becomes one flag, in one place: its name in kebab case
(``mc_count`` -> ``--mc-count``, ``J`` stays ``--J``), its default, its description
(`pycwt_mod.options.option_fields`) as help and its choice set as argparse choices;
a true-or-false field becomes ``--name``/``--no-name``. A field the option types gain
becomes a flag of every command that declares its type, with nothing to change here.

`add_option_flags` declares the flags of one type on a parser; `options_from_args`
builds the option object back from the parsed arguments. The CLI's ``cwt`` and
``wct`` use them, and so can any other command line of the project (`serve_app.batch`).

Old spellings (`DEPRECATED`) keep working as aliases, with a note on stderr.

Examples
--------
>>> import argparse
>>> from pycwt_mod.options import MonteCarlo
>>> p = argparse.ArgumentParser()
>>> _ = add_option_flags(p, MonteCarlo, only=("mc_count", "seed"))
>>> options_from_args(p.parse_args(["--mc-count", "50"]), MonteCarlo).mc_count
50
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from pycwt_mod.options import (
    Areawise,
    MonteCarlo,
    OptionField,
    Preprocessing,
    ScaleGrid,
    Spectrum,
    option_fields,
)

__all__ = ["DEPRECATED", "add_option_flags", "cli_words", "flag_name", "options_from_args"]

#: Old spellings of the flags, by field: they work as before, with a note on stderr.
#: A true-or-false field's alias sets it true, whatever else is given (``cwt
#: --no-normalize --standardize`` standardised before the options had one name).
DEPRECATED: dict[str, tuple[str, ...]] = {
    "significance_level": ("--level",),
    "normalize": ("--standardize",),
    "fill": ("--gap-fill",),
    "area_test": ("--areawise-test",),
}

_ALIAS_DEST = "{}__deprecated_alias"


def flag_name(name: str) -> str:
    """The flag of the option field ``name``: ``mc_count`` -> ``--mc-count``."""
    return "--" + name.replace("_", "-")


_NAMES = [f.name for cls in (ScaleGrid, Preprocessing, MonteCarlo, Areawise, Spectrum)
          for f in option_fields(cls)]  # fmt: skip
_KEYWORD = re.compile(rf"\b({'|'.join(map(re.escape, _NAMES))})=('?)([\w.+-]+)\2")


def cli_words(text: str) -> str:
    """``text`` (a library message or description) with keywords written as flags.

    Examples
    --------
    >>> cli_words("Pass gaps='mask' to fill them, or anomalies=12")
    'Pass --gaps mask to fill them, or --anomalies 12'
    """
    return _KEYWORD.sub(lambda m: f"{flag_name(m.group(1))} {m.group(3)}", text)


def _note(parser: argparse.ArgumentParser, old: str, new: str) -> None:
    sys.stderr.write(f"{parser.prog}: warning: {old} is deprecated; use {new}\n")


class _Store(argparse.Action):
    """``store``, with a note on stderr when the option string is a deprecated alias."""

    def __init__(self, option_strings, dest, deprecated: tuple[str, ...] = (), **kwargs):
        self.deprecated = deprecated
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        if option_string in self.deprecated:
            _note(parser, option_string, self.option_strings[0])
        setattr(namespace, self.dest, values)


class _TrueAlias(argparse.Action):
    """A deprecated alias of a true-or-false flag: it sets the field true."""

    def __init__(self, option_strings, dest, new: str = "", **kwargs):
        self.new = new
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        _note(parser, option_string, self.new)
        setattr(namespace, self.dest, True)


def _int_or_word(text: str) -> int | str:
    """A whole number, or a word the option type checks (``anomalies``: 12 or ``auto``)."""
    try:
        return int(text)
    except ValueError:
        return text


def _value_type(f: OptionField):
    """The argparse ``type`` of a field, from its annotation."""
    kinds = [k.strip() for k in f.annotation.split("|")]
    if f.choices is not None or kinds[0] not in ("int", "float"):
        return str
    if kinds[0] == "int" and "str" in kinds:
        return _int_or_word
    return int if kinds[0] == "int" else float


def _help(f: OptionField) -> str:
    """The field's description and default (``--x/--no-x`` flags show theirs)."""
    if f.default is None or isinstance(f.default, bool):
        return cli_words(f.doc)
    shown = f"{f.default:.6g}" if isinstance(f.default, float) else str(f.default)
    return f"{cli_words(f.doc)} (default {shown})"


def add_option_flags(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    cls: type,
    *,
    only: tuple[str, ...] | None = None,
    exclude: tuple[str, ...] = (),
    overrides: dict[str, dict[str, Any]] | None = None,
) -> tuple[OptionField, ...]:
    """Declare one flag per field of the option type ``cls``.

    Parameters
    ----------
    parser : argparse.ArgumentParser or argument group
    cls : type
        An option type of `pycwt_mod.options` (``ScaleGrid``, ``Preprocessing``...).
    only, exclude : tuple of str, optional
        The fields to declare (default all), and fields to leave out (they keep the
        type's default in `options_from_args`).
    overrides : dict, optional
        ``add_argument`` keywords by field name (``help``, ``type``, ``default``,
        ``metavar``), where a command means more than the field's description.

    Returns
    -------
    tuple of OptionField
        The fields declared.

    Raises
    ------
    ValueError
        For a name of ``only``, ``exclude`` or ``overrides`` that is no field of ``cls``.
    """
    fields = option_fields(cls)
    names = {f.name for f in fields}
    overrides = overrides or {}
    unknown = sorted(({*(only or ()), *exclude, *overrides}) - names)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    declared = []
    for f in fields:
        if (only is not None and f.name not in only) or f.name in exclude:
            continue
        old = DEPRECATED.get(f.name, ())
        kwargs: dict[str, Any] = {"dest": f.name, "default": f.default, "help": _help(f)}
        if isinstance(f.default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction
            strings = [flag_name(f.name)]
        else:
            kwargs.update(action=_Store, type=_value_type(f), deprecated=old)
            if f.choices is not None:
                kwargs["choices"] = f.choices
            strings = [flag_name(f.name), *old]
        kwargs.update(overrides.get(f.name, {}))
        if old:
            kwargs["help"] += f" ({', '.join(old)}: deprecated spelling)"
        kwargs["help"] = kwargs["help"].replace("%", "%%")
        parser.add_argument(*strings, **kwargs)
        if isinstance(f.default, bool):
            for alias in old:
                parser.add_argument(
                    alias, action=_TrueAlias, dest=_ALIAS_DEST.format(f.name),
                    new=flag_name(f.name), help=f"deprecated: the same as {flag_name(f.name)}",
                )  # fmt: skip
        declared.append(f)
    return tuple(declared)


def options_from_args(args: argparse.Namespace, cls: type, **given: Any):
    """The option object of ``cls`` from parsed flags (`add_option_flags`).

    Parameters
    ----------
    args : argparse.Namespace
    cls : type
    **given
        Field values that win over the flags (e.g. ``dt`` read from a time column).

    Returns
    -------
    cls instance

    Raises
    ------
    ValueError
        The option type's message for a bad value.
    """
    values = {}
    for f in option_fields(cls):
        if hasattr(args, f.name):
            values[f.name] = getattr(args, f.name)
        if getattr(args, _ALIAS_DEST.format(f.name), False):
            values[f.name] = True
    values.update(given)
    return cls(**values)
