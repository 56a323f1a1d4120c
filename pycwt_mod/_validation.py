"""Input checks shared by the public functions.

Every check names the parameter, what it accepts and the value it received, so a
caller (or the HTTP service, which turns these ``ValueError`` into 400 answers) can
fix the input without reading the source.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import numpy as np

__all__ = [
    "as_series",
    "check_choice",
    "check_count",
    "check_positive",
    "check_same_length",
    "check_significance_level",
    "renamed_keywords",
    "resolve_J",
    "resolve_s0",
]


def as_series(x, name: str = "signal", min_length: int = 2) -> np.ndarray:
    """Return ``x`` as a finite 1-D float array or raise ``ValueError``.

    Parameters
    ----------
    x : array_like
        The time series.
    name : str
        Parameter name used in the error messages.
    min_length : int
        Smallest accepted number of samples.

    Returns
    -------
    y : (n,) ndarray
        A float view or copy of ``x`` (float32 stays float32, everything else is
        float64).

    Raises
    ------
    ValueError
        If ``x`` is not 1-D, is shorter than ``min_length``, is not numeric, or
        holds NaN or infinite values (the message gives how many and the index of
        the first one).
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise ValueError(f"`{name}` must be a 1-D sequence of numbers ({exc})") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise ValueError(f"`{name}` must hold real numbers (got dtype {arr.dtype})")
    if np.iscomplexobj(arr):
        raise ValueError(f"`{name}` must be real-valued (got dtype {arr.dtype})")
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D (got an array of shape {arr.shape})")
    if arr.size < min_length:
        raise ValueError(f"`{name}` must have at least {min_length} samples (got {arr.size})")
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64, copy=False)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        first = int(bad[0])
        raise ValueError(
            f"`{name}` holds {bad.size} non-finite value(s) (NaN or inf); the first is "
            f"at index {first} (value {arr[first]!r}). Remove or interpolate them first."
        )
    return arr


def check_positive(value, name: str) -> float:
    """Return ``value`` as a float, raising ``ValueError`` unless it is finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a real number > 0 (got {value!r})")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be > 0 (got {value!r})")
    return value


def check_same_length(y1: np.ndarray, y2: np.ndarray) -> None:
    """Raise ``ValueError`` unless the two series have the same number of samples."""
    if y1.size != y2.size:
        raise ValueError(
            f"`y1` and `y2` must have the same length (got {y1.size} and {y2.size}); "
            "resample or trim them onto a common time axis first"
        )


def check_count(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is a whole number >= ``minimum`` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"`{name}` must be a whole number >= {minimum} (got {value!r})")
    return int(value)


def check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    ValueError
        "`name` must be one of 'a', 'b' (got 'c')", naming the option as a user writes it.
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))} (got {value!r})")
    return value


def check_significance_level(level) -> float:
    """Return ``level`` as a float in the open interval (0, 1)."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise ValueError(f"`significance_level` must be a number in (0, 1) (got {level!r})")
    level = float(level)
    if not 0 < level < 1:
        raise ValueError(f"`significance_level` must be in (0, 1) (got {level!r})")
    return level


def _is_default(value) -> bool:
    return value is None or (isinstance(value, numbers.Real) and value == -1)


def resolve_s0(s0, dt: float, flambda: float) -> float:
    """Smallest scale: ``2 dt / flambda`` when ``s0`` is -1 or None (pycwt's default)."""
    if _is_default(s0):
        return 2 * dt / flambda
    return check_positive(s0, "s0")


def resolve_J(J, n: int, dt: float, s0: float, dj: float) -> int:
    """Number of scales less one: ``round(log2(n dt / s0) / dj)`` when J is -1 or None."""
    if _is_default(J):
        return int(np.round(np.log2(n * dt / s0) / dj))
    if (
        isinstance(J, bool)
        or not isinstance(J, numbers.Real)
        # a Python int past int64 is fine here; floats must be finite before int(J)
        or (not isinstance(J, numbers.Integral) and not math.isfinite(J))
        or J != int(J)
        or J < 0
    ):
        raise ValueError(f"`J` must be a whole number >= 0, or -1 for the default (got {J!r})")
    return int(J)


def renamed_keywords(**renamed: str):
    """Accept the old name of a renamed keyword, with a DeprecationWarning, for one release.

    ``@renamed_keywords(level="significance_level")`` lets a caller of the decorated
    function still write ``level=0.9``: it is passed on as ``significance_level=0.9``.
    The signature shown (`inspect.signature`) is the function's own, with the new names.

    Raises
    ------
    TypeError
        When a call gives both the old and the new name.

    Examples
    --------
    >>> @renamed_keywords(standardize="normalize")
    ... def f(*, normalize=True):
    ...     return normalize
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f(standardize=False)
    False
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{func.__name__}() got both `{old}` and its new name `{new}`; "
                            f"pass `{new}` only"
                        )
                    warnings.warn(
                        f"`{old}` is deprecated and will be removed in the next release; "
                        f"use `{new}` (the name of every door, pycwt_mod.options)",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate
