"""The options of the areawise test."""

from __future__ import annotations

from dataclasses import dataclass

from .._validation import check_choice
from .choices import AREA_MEASURES, AREA_TESTS, AreaMeasure, AreaTest
from .declare import _number, _opt

__all__ = ["Areawise"]

# ----------------------------------------------------------------- areawise


@dataclass(frozen=True)
class Areawise:
    """The areawise test of the Monte Carlo pointwise masks ([2]_).

    The pointwise level is the `MonteCarlo` test's ``significance_level``.

    Attributes
    ----------
    area_level : float
        Areawise level, in (0, 1): a patch is significant when it is larger than
        this quantile of the null patches (default 0.95).
    area_measure : {"maraun", "schulte"}
        How a patch is measured: "maraun" sums ``dt / s * dj`` (scale-normalised
        area, Maraun et al. 2007); "schulte" its area in the (time, scale) plane.
    area_test : {"areawise", "cumulative"}
        "areawise" (Maraun et al. 2007) or the cumulative test of Schulte (2016).
    """

    area_level: float = _opt(
        0.95,
        "Level of the areawise test, in (0, 1): a patch is areawise significant when it "
        "is larger than this quantile of the null patches.",
        gt=0,
        lt=1,
    )
    area_measure: AreaMeasure = _opt(
        "maraun",
        "How a patch is measured: 'maraun' (Maraun et al. 2007) sums dt / s * dj over "
        "the patch (scale-normalised area); 'schulte' (Schulte et al. 2015) its area in "
        "the (time, scale) plane, sum of dt * s * ln2 * dj.",
        choices=AREA_MEASURES,
    )
    area_test: AreaTest = _opt(
        "areawise",
        "'areawise' is Maraun et al. (2007); 'cumulative' the cumulative areawise test "
        "of Schulte (2016), which also uses thresholds at the pointwise levels 0.82-0.98.",
        choices=AREA_TESTS,
    )

    def __post_init__(self) -> None:
        level = _number(self.area_level, "area_level") if self.area_level is not None else None
        if level is None or not 0 < level < 1:
            raise ValueError(
                "`area_level` must be in (0, 1), e.g. 0.95 for a 5% areawise test "
                f"(got {self.area_level!r})"
            )
        object.__setattr__(self, "area_level", level)
        check_choice(self.area_measure, "area_measure", AREA_MEASURES)
        check_choice(self.area_test, "area_test", AREA_TESTS)
