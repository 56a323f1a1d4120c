"""The options of an analysis, each defined once.

Every option of every door (the library, the labelled API, HTTP requests, jobs,
handles, the client, the CLI and batch) is a field of one of these frozen types,
with one name, one default and one description. The doors build their own
declarations from them (`option_fields`): the service's request models, the CLI's
flags and the client's field sets are generated, never re-listed.

=================  ==========================================================
`ScaleGrid`        sample spacing and scale grid (``dt, dj, s0, J, wavelet``)
`Preprocessing`    seasonal anomalies, detrending, normalisation, gaps
`MonteCarlo`       the Monte Carlo test: level, count, seed, null hypothesis
                   (`SurrogateFamily`), red-noise coefficients, backend, cache
`Areawise`         the areawise test of the Monte Carlo masks
`Spectrum`         how power is expressed (``rectify``: divided by the scale)
=================  ==========================================================

Each type validates itself on construction (``ValueError`` naming the field as
a user writes it) and is hashable, picklable and comparable, so it can be kept
with a job and sent to Ray workers.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   BAMS, 79, 61-78.
.. [2] Maraun, D., Kurths, J. and Holschneider, M. (2007). Nonstationary Gaussian
   processes in wavelet domain. Phys. Rev. E, 75, 016707.
"""

from .._validation import renamed_keywords
from .areawise import Areawise
from .choices import (
    ANOMALY_PERIODS,
    AREA_MEASURES,
    AREA_TESTS,
    DETREND_METHODS,
    GAP_FILLS,
    GAP_POLICIES,
    SURROGATE_FAMILIES,
    SurrogateFamily,
    get_surrogate_family,
)
from .declare import OptionField, from_dict, option_fields, to_dict
from .grid import MAX_SCALES, ResolvedGrid, ScaleGrid
from .montecarlo import MonteCarlo
from .preprocessing import Preprocessing
from .spectrum import Spectrum

__all__ = [
    "ANOMALY_PERIODS",
    "AREA_MEASURES",
    "AREA_TESTS",
    "DETREND_METHODS",
    "GAP_FILLS",
    "GAP_POLICIES",
    "MAX_SCALES",
    "SURROGATE_FAMILIES",
    "Areawise",
    "MonteCarlo",
    "OptionField",
    "Preprocessing",
    "ResolvedGrid",
    "ScaleGrid",
    "Spectrum",
    "SurrogateFamily",
    "from_dict",
    "get_surrogate_family",
    "option_fields",
    "renamed_keywords",
    "to_dict",
]
