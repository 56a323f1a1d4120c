"""Choice sets of the options, each defined once, and the surrogate families."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from .._validation import check_choice

__all__ = [
    "ANOMALY_PERIODS",
    "AREA_MEASURES",
    "AREA_TESTS",
    "DETREND_METHODS",
    "GAP_FILLS",
    "GAP_POLICIES",
    "SURROGATE_FAMILIES",
    "SurrogateFamily",
    "get_surrogate_family",
]

# ------------------------------------------------------------------ choice sets

Detrend = Literal["none", "linear"]
GapPolicy = Literal["raise", "mask"]
GapFill = Literal["mean", "linear"]
AreaMeasure = Literal["maraun", "schulte"]
AreaTest = Literal["areawise", "cumulative"]
SurrogateName = Literal["ar1", "phase", "iaaft"]

#: How a series is detrended: "none", or "linear" (least-squares line of the valid samples).
DETREND_METHODS: tuple[str, ...] = get_args(Detrend)
#: What a missing sample (NaN) does: "raise" an error naming it, or "mask" it.
GAP_POLICIES: tuple[str, ...] = get_args(GapPolicy)
#: How gaps are filled with ``gaps="mask"``.
GAP_FILLS: tuple[str, ...] = get_args(GapFill)
#: How a patch of the areawise test is measured.
AREA_MEASURES: tuple[str, ...] = get_args(AreaMeasure)
#: The areawise tests.
AREA_TESTS: tuple[str, ...] = get_args(AreaTest)
#: Samples per seasonal cycle that the calendar of a date axis gives ``anomalies="auto"``.
ANOMALY_PERIODS = {1 / 12: 12, 0.25: 4}


# ------------------------------------------------------- surrogate families


@dataclass(frozen=True)
class SurrogateFamily:
    """A null hypothesis of the Monte Carlo tests: how surrogate series are drawn.

    Attributes
    ----------
    name : str
        ``"ar1"``, ``"phase"`` or ``"iaaft"``.
    description : str
        One line, for figures and attrs.
    needs_data : bool
        True when the surrogates resample the observed series (their plan and
        cache key carry the data); False for red noise, which needs only the
        series' lag-1 coefficients.
    """

    name: str
    description: str
    needs_data: bool

    @property
    def fits_red_noise(self) -> bool:
        """True when the test needs each series' AR(1) coefficient."""
        return not self.needs_data

    def __str__(self) -> str:
        return self.name


#: The families, by name (`pycwt_mod.surrogates` draws them).
SURROGATE_FAMILIES: dict[str, SurrogateFamily] = {
    f.name: f
    for f in (
        SurrogateFamily("ar1", "AR(1) red-noise", needs_data=False),
        SurrogateFamily("phase", "phase-randomised", needs_data=True),
        SurrogateFamily("iaaft", "IAAFT", needs_data=True),
    )
}


def get_surrogate_family(family: str | SurrogateFamily) -> SurrogateFamily:
    """The family named ``family`` (or ``family`` itself).

    Raises
    ------
    ValueError
        Naming ``surrogate`` and listing the families.
    """
    if isinstance(family, SurrogateFamily):
        return family
    return SURROGATE_FAMILIES[check_choice(family, "surrogate", tuple(SURROGATE_FAMILIES))]
