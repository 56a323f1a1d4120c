"""pycwt-mod: fast, pycwt-compatible continuous wavelet analysis.

``import pycwt_mod as wavelet`` is a drop-in for ``import pycwt``: the same
functions, parameters, defaults and return tuples, with pycwt 0.5's defects fixed
(see README) and a vectorised, reproducible Monte Carlo significance engine.

References
----------
Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
Bulletin of the American Meteorological Society, 79, 61-78.

Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
wavelet transform and wavelet coherence to geophysical time series. Nonlinear
Processes in Geophysics, 11, 561-566.
"""

from .areawise import (
    AREAWISE_TESTS,
    AreawiseResult,
    areawise_coherence,
    areawise_power,
    power_significance,
)
from .coherence import wct
from .montecarlo.engine import wct_significance
from .montecarlo.multivariate import multivariate_significance
from .montecarlo.surrogates import SURROGATES, get_surrogate
from .mothers import DOG, WAVELETS, MexicanHat, Morlet, Mother, Paul, get_wavelet
from .partial import multiple_wct, partial_wct
from .significance import (
    AR1EstimationError,
    ar1,
    ar1_spectrum,
    ar1_yule_walker,
    rednoise,
    significance,
)
from .transform import cone_of_influence, cwt, icwt, scale_grid, xwt

__version__ = "0.1.0"

__all__ = [
    "AREAWISE_TESTS",
    "DOG",
    "SURROGATES",
    "WAVELETS",
    "AR1EstimationError",
    "AreawiseResult",
    "MexicanHat",
    "Morlet",
    "Mother",
    "Paul",
    "__version__",
    "ar1",
    "ar1_spectrum",
    "ar1_yule_walker",
    "areawise_coherence",
    "areawise_power",
    "cone_of_influence",
    "cwt",
    "get_surrogate",
    "get_wavelet",
    "icwt",
    "multiple_wct",
    "multivariate_significance",
    "partial_wct",
    "power_significance",
    "rednoise",
    "scale_grid",
    "significance",
    "wct",
    "wct_significance",
    "xwt",
]
