"""Each analysis assembled once: series + options -> a typed result.

Every door (the labelled API, the HTTP deployments, significance jobs, batch, the
CLI) calls these functions, so the same series, options and seed give the same
bits through all of them. They only translate: read their input, call a function
here, shape its result.

=========================  ==================================================
`prepare_series`           one series through `Preprocessing` (anomalies, detrend,
                           normalize, gaps), validated with the field's name
`prepare_pair`             two series of one time axis
`red_noise`                each series' AR(1) coefficient, one policy (`fit_ar1`)
`analyze_cwt`              transform, gap mask, chi-square power test, areawise test
`analyze_xwt`              cross wavelet transform
`analyze_wct`              coherence, Monte Carlo thresholds, areawise masks
`coherence_thresholds`     the Monte Carlo stage of `analyze_wct` alone (jobs)
`analyze_partial_wct`      partial coherence (other series removed), its test
`analyze_multiple_wct`     multiple coherence (predictors together), its test
`multivariate_thresholds`  the Monte Carlo stage of those two alone (jobs)
`reconstruct_cwt`          a series rebuilt from a band of a CWT (significant,
                           outside the cone, when asked)
`phase_of`                 mean phase, its interval and the lag of an XWT or WCT
                           over a band and a time window
=========================  ==================================================

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   BAMS, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlin.
   Processes Geophys., 11, 561-566.
.. [3] Liu, Y., Liang, X. S. and Weisberg, R. H. (2007). Rectification of the bias in
   the wavelet power spectrum. J. Atmos. Oceanic Technol., 24, 2093-2102.
.. [4] Veleda, D., Montagne, R. and Araujo, M. (2012). Cross-wavelet bias corrected
   by normalizing scales. J. Atmos. Oceanic Technol., 29, 1401-1408.
"""

from .cwt import CWTAnalysis, analyze_cwt, power_test
from .partial import (
    MultipleWCTAnalysis,
    PartialWCTAnalysis,
    analyze_multiple_wct,
    analyze_partial_wct,
    multivariate_thresholds,
)
from .prepare import (
    PreparedSeries,
    anomaly_period,
    draw_seed,
    prepare_pair,
    prepare_series,
    red_noise,
)
from .selected import phase_of, reconstruct_cwt
from .wct import Thresholds, WCTAnalysis, analyze_wct, coherence_thresholds
from .xwt import XWTAnalysis, analyze_xwt

__all__ = [
    "CWTAnalysis",
    "MultipleWCTAnalysis",
    "PartialWCTAnalysis",
    "PreparedSeries",
    "Thresholds",
    "WCTAnalysis",
    "XWTAnalysis",
    "analyze_cwt",
    "analyze_multiple_wct",
    "analyze_partial_wct",
    "analyze_wct",
    "analyze_xwt",
    "anomaly_period",
    "coherence_thresholds",
    "draw_seed",
    "multivariate_thresholds",
    "phase_of",
    "power_test",
    "prepare_pair",
    "prepare_series",
    "reconstruct_cwt",
    "red_noise",
]
