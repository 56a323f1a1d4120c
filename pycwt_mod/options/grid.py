"""The sample spacing and scale grid of a transform."""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_positive
from ..mothers import WAVELETS, Mother, get_wavelet
from .declare import _number, _opt

__all__ = ["MAX_SCALES", "ResolvedGrid", "ScaleGrid"]

#: Most scales of one grid (J + 1), whatever the series length.
MAX_SCALES = 10_000

# ------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class ResolvedGrid:
    """A `ScaleGrid` resolved against a series length.

    Attributes
    ----------
    dt, dj, s0 : float
    J : int
    mother : Mother
    scales : (J + 1,) ndarray
        ``s0 * 2**(j dj)``, ``j = 0..J`` ([1]_ eq. 9-10).
    """

    dt: float
    dj: float
    s0: float
    J: int
    mother: Mother
    scales: np.ndarray = field(compare=False, repr=False)

    @property
    def n_scales(self) -> int:
        """``J + 1``."""
        return self.J + 1


@dataclass(frozen=True)
class ScaleGrid:
    """Sample spacing and scale grid of a transform ([1]_ eq. 9-10).

    Attributes
    ----------
    dt : float or None
        Sample spacing, in the time unit. None: taken from the series' time axis
        (the labelled API and the CLI read it from dates); resolving then needs it.
    dj : float
        Scale spacing in octaves (default 1/12: twelve scales per octave).
    s0 : float
        Smallest scale; -1 (default) gives pycwt's ``2 dt / flambda``.
    J : int
        Number of scales less one; -1 (default) gives ``round(log2(n dt / s0) / dj)``.
    wavelet : str or Mother
        Mother wavelet: a name of `pycwt_mod.WAVELETS` or an instance (default Morlet).
    """

    dt: float | None = _opt(None, "Sample spacing (time units); null: from the time axis.", gt=0)
    dj: float = _opt(1 / 12, "Scale spacing in octaves.", gt=0, le=4)
    s0: float = _opt(-1.0, "Smallest scale; -1 gives the library default 2 dt / flambda.")
    J: int = _opt(-1, "Number of scales less one; -1 gives the library default.")
    wavelet: str | Mother = _opt("morlet", "Mother wavelet.", choices=tuple(WAVELETS))

    def __post_init__(self) -> None:
        if self.dt is not None:
            object.__setattr__(self, "dt", float(check_positive(self.dt, "dt")))
        object.__setattr__(self, "dj", float(check_positive(self.dj, "dj")))
        s0 = -1.0 if self.s0 is None else _number(self.s0, "s0")
        if s0 != -1 and not s0 > 0:
            raise ValueError(f"`s0` must be > 0, or -1 for the default (got {self.s0!r})")
        object.__setattr__(self, "s0", s0)
        J = -1 if self.J is None else self.J
        if isinstance(J, bool) or not isinstance(J, numbers.Integral) or J < -1:
            raise ValueError(f"`J` must be a whole number >= 0, or -1 for the default (got {J!r})")
        object.__setattr__(self, "J", int(J))
        get_wavelet(self.wavelet)  # raises naming `wavelet`

    @property
    def mother(self) -> Mother:
        """The mother wavelet."""
        return get_wavelet(self.wavelet)

    def with_dt(self, dt: float) -> ScaleGrid:
        """The same grid with the spacing ``dt`` (from a time axis)."""
        return dataclasses.replace(self, dt=dt)

    def resolve(self, n: int, dt: float | None = None) -> ResolvedGrid:
        """The scales for a series of ``n`` samples.

        Parameters
        ----------
        n : int
            Length of the series.
        dt : float, optional
            Sample spacing when the grid has none.

        Returns
        -------
        ResolvedGrid

        Raises
        ------
        ValueError
            Without a ``dt``; for an ``s0`` larger than the series; for more than
            `MAX_SCALES` scales or a largest scale that overflows.
        """
        dt = self.dt if dt is None else float(check_positive(dt, "dt"))
        if dt is None:
            raise ValueError("`dt` is needed (the series has no time axis to take it from)")
        mother = self.mother
        # a Python float, so that messages show the value (not np.float64(...))
        s0 = float(2 * dt / mother.flambda()) if self.s0 == -1 else self.s0
        if self.J == -1:
            try:
                J = int(np.round(np.log2(n * dt / s0) / self.dj))
            except OverflowError:  # n dt / s0 overflows
                raise ValueError(f"dt={dt!r} with s0={s0!r} gives no usable scale grid") from None
        else:
            J = self.J
        if J < 0:
            raise ValueError(
                f"s0={s0!r} is larger than the series ({n} samples x dt={dt!r}); lower s0"
            )
        if J + 1 > MAX_SCALES:  # before building the grid: J=10**12 must not allocate
            raise ValueError(
                f"J={J} asks for {J + 1} scales, more than the limit of {MAX_SCALES}; "
                "lower J or raise dj (J=-1 picks the library default)"
            )
        with np.errstate(over="ignore"):
            scales = s0 * 2 ** (np.arange(J + 1) * self.dj)
        if not np.isfinite(scales[-1]):
            raise ValueError(
                f"the largest scale s0 * 2**(J * dj) overflows (s0={s0!r}, J={J}, "
                f"dj={self.dj!r}); lower J or dj"
            )
        return ResolvedGrid(dt, self.dj, float(s0), J, mother, scales)
