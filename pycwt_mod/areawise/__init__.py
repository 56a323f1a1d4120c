"""Areawise significance tests: Maraun et al. (2007) and the cumulative test.

`areawise_power` (`power`) and `areawise_coherence` (`coherence`) run the pointwise
and areawise tests of a series or pair on the Monte Carlo engine
(`pycwt_mod.montecarlo`, which this package may import, never the reverse), through
the glue they share (`common`, where the procedure is described); `patches`
measures patches and their critical area, `pathways` and `cumulative` are Schulte's
(2016) cumulative test and `kernel` the power and null-patch plans the engine runs.
"""

from .coherence import areawise_coherence
from .common import AREAWISE_TESTS, AreawiseResult, threshold_levels
from .patches import (
    AREA_MEASURES,
    areawise_mask,
    critical_area,
    critical_size,
    outside_coi,
    patch_sizes,
    pointwise_thresholds,
)
from .power import areawise_power, power_significance

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
