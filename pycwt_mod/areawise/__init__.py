"""Areawise significance tests: Maraun et al. (2007) and the cumulative test.

`areawise_power` and `areawise_coherence` run the pointwise and areawise tests of a
series or pair on the Monte Carlo engine (`pycwt_mod.montecarlo`, which this
package may import, never the reverse); `patches` measures patches and their
critical area, `cumulative` is Schulte's (2016) cumulative test and `kernel` the
power and null-patch plans the engine runs.
"""

from .power import (
    AREA_MEASURES,
    AREAWISE_TESTS,
    AreawiseResult,
    areawise_coherence,
    areawise_mask,
    areawise_power,
    critical_area,
    critical_size,
    outside_coi,
    patch_sizes,
    pointwise_thresholds,
    power_significance,
    threshold_levels,
)

__all__ = [
    "AREAWISE_TESTS",
    "AREA_MEASURES",
    "AreawiseResult",
    "areawise_coherence",
    "areawise_mask",
    "areawise_power",
    "critical_area",
    "critical_size",
    "outside_coi",
    "patch_sizes",
    "pointwise_thresholds",
    "power_significance",
    "threshold_levels",
]
