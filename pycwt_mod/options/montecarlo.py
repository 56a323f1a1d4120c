"""The options of a Monte Carlo significance test."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._validation import check_count, check_significance_level
from .choices import SURROGATE_FAMILIES, SurrogateFamily, get_surrogate_family
from .declare import _number, _opt

__all__ = ["MonteCarlo"]

# -------------------------------------------------------------- Monte Carlo


def _coefficient(value, name: str) -> float | None:
    if value is None:
        return None
    v = _number(value, name)
    if not -1 < v < 1:
        raise ValueError(f"`{name}` must be in (-1, 1) (got {value!r})")
    return v


@dataclass(frozen=True)
class MonteCarlo:
    """A Monte Carlo significance test.

    Attributes
    ----------
    significance_level : float
        Confidence level of the thresholds, in (0, 1) (default 0.95).
    mc_count : int
        Surrogates (pairs, for coherence), default 300.
    seed : int or None
        Root seed: surrogate ``k`` draws from ``SeedSequence(seed, spawn_key=(k,))``,
        so the same seed gives the same bits on every CPU backend and chunking.
        None draws fresh entropy (the result reports the seed used).
    surrogate : SurrogateFamily
        The null hypothesis (a name is accepted): "ar1" (default) red noise of
        each series' lag-1 coefficient, "phase" or "iaaft" surrogates of the series.
    al1, al2 : float or None
        Lag-1 coefficients of the red noise; None: estimated from the series.
    backend : str or None
        Where chunks run (`pycwt_mod.backends`); None: the best available.
    chunk_size : int or None
        Surrogates per chunk (None: the backend's choice).
    cache : bool
        Read and write the threshold cache (default True).
    """

    significance_level: float = _opt(0.95, "Confidence level.", gt=0, lt=1)
    mc_count: int = _opt(300, "Surrogates (pairs) of the Monte Carlo test.", ge=1)
    seed: int | None = _opt(None, "Root seed; null draws one (returned with the result).", ge=0)
    surrogate: SurrogateFamily | str = _opt(
        "ar1",
        "Null hypothesis of the test: 'ar1' red noise with each series' lag-1 "
        "coefficient (al1/al2); 'phase' Fourier phase-randomised copies of the series "
        "(same power spectrum); 'iaaft' iterated amplitude-adjusted copies (same "
        "spectrum and value distribution).",
        choices=tuple(SURROGATE_FAMILIES),
    )
    al1: float | None = _opt(None, "Lag-1 coefficient of the first series; null: estimated.")
    al2: float | None = _opt(None, "Lag-1 coefficient of the second series; null: estimated.")
    backend: str | None = _opt(None, "Monte Carlo backend; null: the best available.")
    chunk_size: int | None = _opt(
        None, "Surrogates per chunk; null: the backend's choice.", local=True
    )
    cache: bool = _opt(True, "Read and write the threshold cache.", local=True)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "significance_level", check_significance_level(self.significance_level)
        )
        object.__setattr__(self, "mc_count", check_count(self.mc_count, "mc_count"))
        if self.seed is not None:
            object.__setattr__(self, "seed", check_count(self.seed, "seed", minimum=0))
        object.__setattr__(self, "surrogate", get_surrogate_family(self.surrogate))
        object.__setattr__(self, "al1", _coefficient(self.al1, "al1"))
        object.__setattr__(self, "al2", _coefficient(self.al2, "al2"))
        if self.chunk_size is not None:
            object.__setattr__(self, "chunk_size", check_count(self.chunk_size, "chunk_size"))
        if self.backend is not None and not isinstance(self.backend, str):
            raise ValueError(f"`backend` must be a backend name (got {self.backend!r})")
        if not isinstance(self.cache, bool | np.bool_):
            raise ValueError(f"`cache` must be true or false (got {self.cache!r})")
        object.__setattr__(self, "cache", bool(self.cache))

    def with_seed(self, seed: int) -> MonteCarlo:
        """The same test with its root seed fixed."""
        return dataclasses.replace(self, seed=seed)
