"""How wavelet power and cross power are expressed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .declare import _opt

__all__ = ["Spectrum"]

# ------------------------------------------------------------------ spectrum


@dataclass(frozen=True)
class Spectrum:
    """How wavelet power and cross power are expressed.

    Attributes
    ----------
    rectify : bool
        Divide the power ``|W|**2``, the global spectrum, the cross power
        ``|W_a conj(W_b)|`` and their significance levels by the scale ``s`` (the
        bias rectification of Liu et al. 2007 and, for the cross spectrum, Veleda et
        al. 2012): with the energy normalisation of Torrence & Compo (1998), a
        sine's power grows in proportion to its scale, so unrectified power
        overstates long periods against short ones; rectified, sines of one
        amplitude have one peak. Default False (``|W|**2`` as Torrence & Compo). A
        level is divided as its power is, so which points are significant does not
        change. The scale-averaged power (Torrence & Compo eq. 24) already sums
        ``|W|**2 / s``, and the coherence (Grinsted et al. 2004, eq. 5) already
        smooths ``|W|**2 / s``: both are the same either way.

    References
    ----------
    Liu, Y., Liang, X. S. and Weisberg, R. H. (2007). Rectification of the bias in
    the wavelet power spectrum. J. Atmos. Oceanic Technol., 24, 2093-2102.
    Veleda, D., Montagne, R. and Araujo, M. (2012). Cross-wavelet bias corrected by
    normalizing scales. J. Atmos. Oceanic Technol., 29, 1401-1408.
    """

    rectify: bool = _opt(
        False,
        "Divide wavelet power, global and cross spectra and their significance levels "
        "by the scale (bias rectification, Liu et al. 2007; Veleda et al. 2012).",
    )

    def __post_init__(self) -> None:
        if not isinstance(self.rectify, bool | np.bool_):
            raise ValueError(f"`rectify` must be true or false (got {self.rectify!r})")
        object.__setattr__(self, "rectify", bool(self.rectify))
