"""Plots of wavelet results: scalogram, coherence map, global spectrum, summary.

Needs matplotlib (``pip install 'pycwt-mod[plot]'``). The functions build
``matplotlib.figure.Figure`` objects directly (no pyplot state, no GUI), so they
are safe in servers and threads; `to_png` renders one to PNG bytes.

Conventions follow Torrence & Compo (1998), Fig. 1, and Grinsted et al. (2004),
Fig. 3-4: period on a log2 axis increasing downwards with ticks at powers of two
of the data's time unit (0.25, 0.5, 1, 2, 4 ... years), wavelet power normalised
by the variance and shaded at powers of two, significance as thick contours, the
cone of influence (and the gap mask, `pycwt_mod.preprocess.gap_mask`) hatched,
and phase arrows pointing right for in-phase, left for anti-phase and up when the
first series leads by 90 degrees, drawn only where the coherence is significant
and outside the cone of influence. An areawise significance mask
(`pycwt_mod.areawise_power`, `pycwt_mod.areawise_coherence`), when given, is
outlined bold (linewidth 2.5) over the thin pointwise contour (1.0), with a legend
saying which is which. ``time`` may hold dates (``datetime64``); the
time axis is then labelled with dates. `scalogram_figure`, `coherence_figure` and
`global_spectrum_figure` also take the Datasets of `pycwt_mod.labelled` (``cwt``,
``wct``) in place of the arrays, and an ``ax=`` to draw into; `to_bytes` writes
PNG, SVG or PDF at any dpi.

The package is split by job: `axes` (styles, checks, time and period axes,
`period_tick_labels`, hatching, significance contours, the caption, `to_bytes`),
`dataset` (the labelled Datasets as arrays), `power`
(`scalogram_figure`, `global_spectrum_figure`), `coherence` (`coherence_figure`)
and `summary` (`summary_figure`). matplotlib is imported only when a figure is made.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlinear
   Processes in Geophysics, 11, 561-566.
"""

from .axes import (
    AREAWISE_LABELS,
    FIGURE_FORMATS,
    POWER_LEVELS,
    period_tick_labels,
    to_bytes,
    to_png,
)
from .coherence import PHASE_LEGEND as PHASE_LEGEND  # public, not in __all__ (as before)
from .coherence import coherence_figure
from .power import global_spectrum_figure, scalogram_figure
from .summary import summary_figure

__all__ = [
    "AREAWISE_LABELS",
    "FIGURE_FORMATS",
    "POWER_LEVELS",
    "coherence_figure",
    "global_spectrum_figure",
    "period_tick_labels",
    "scalogram_figure",
    "summary_figure",
    "to_bytes",
    "to_png",
]
