"""Mother wavelets of Torrence & Compo (1998): Morlet, Paul, DOG and Mexican hat.

Each class gives the wavelet in time (`psi`) and frequency (`psi_ft`), its Fourier
wavelength (`flambda`), e-folding time (`coi`) and the empirical factors of Table 2
of [1]_ (``cdelta``, ``gamma``, ``deltaj0``, ``dofmin``). Factors that the paper does
not tabulate (e.g. Morlet with ``f0 != 6``) are ``-1``, as in pycwt, and the
functions that need them raise a ``ValueError`` naming what is supported.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gamma as gamma_fn
from scipy.special import hermitenorm

from .smoothing import smooth as _smooth

__all__ = ["DOG", "WAVELETS", "MexicanHat", "Morlet", "Mother", "Paul", "get_wavelet"]

# psi_ft(x) underflows to exactly 0.0 in float64 once exp's argument is below
# about -745.13; these margins keep every non-zero value inside the band.
_GAUSS_HALF_WIDTH = 40.0  # exp(-x**2 / 2) == 0 for |x| > 38.61
_EXP_LIMIT = 750.0  # exp(-x) == 0 for x > 745.14


class Mother:
    """Base class of the mother wavelets.

    Subclasses set ``name``, ``dofmin``, ``cdelta``, ``gamma`` and ``deltaj0`` and
    implement `psi`, `psi_ft`, `flambda` and `coi`.
    """

    name: str = "Mother"
    dofmin: float = 2
    cdelta: float = -1
    gamma: float = -1
    deltaj0: float = -1

    def psi(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def psi_ft(self, f):  # pragma: no cover - abstract
        raise NotImplementedError

    def flambda(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def coi(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def sup(self) -> float:
        """Wavelet support defined by the e-folding time, ``1 / coi()``."""
        return 1.0 / self.coi()

    def ft_support(self) -> tuple[float, float]:
        """Interval of ``s * omega`` outside which `psi_ft` is exactly zero in float64."""
        return (-np.inf, np.inf)

    @property
    def param(self) -> float | None:
        """The wavelet's shape parameter (``f0`` or ``m``), or None."""
        return None

    def check_tabulated(self, what: str) -> None:
        """Raise ``ValueError`` if Table 2 of Torrence & Compo gives no factors here."""
        if self.cdelta == -1 or self.deltaj0 == -1:
            raise ValueError(
                f"{what} needs the empirical factors of Torrence & Compo (1998), Table 2, "
                f"which exist only for {SUPPORTED_TABULATED}; got {self!r}"
            )

    def require_deltaj0(self, what: str) -> None:
        """Raise ``ValueError`` unless Table 2 gives this wavelet's ``deltaj0``."""
        if self.deltaj0 == -1:
            raise ValueError(
                f"{what} needs the scale-decorrelation length deltaj0 of "
                f"Torrence & Compo (1998), Table 2, which exists only for "
                f"{SUPPORTED_TABULATED}; got {self!r}"
            )

    def smooth(self, W, dt: float, dj: float, scales):
        """Smoothing used in coherence analysis (Grinsted et al. 2004, eq. 5-6).

        In time, a Gaussian of width equal to the scale: the absolute value of the
        Morlet wavelet at that scale, as suggested by Torrence & Webster (1999) and
        used by Grinsted et al. (2004); it is used for every mother wavelet, so the
        time resolution of coherence is comparable between wavelets. In scale, a
        boxcar whose width is twice the wavelet's own scale-decorrelation length
        ``deltaj0`` (Torrence & Compo 1998, Table 2): 0.60 for Morlet (the paper's
        value, as in pycwt), 1.50 for Paul (m=4), 1.40 for DOG (m=2) and 0.97 for
        DOG (m=6).

        Parameters
        ----------
        W : (n_scales, n) ndarray
            Spectrum to smooth (usually divided by scale).
        dt, dj : float
            Sample spacing and scale spacing.
        scales : (n_scales,) ndarray
            Wavelet scales.

        Returns
        -------
        T : (n_scales, n) ndarray
            Smoothed spectrum.

        Raises
        ------
        ValueError
            If ``deltaj0`` is not tabulated for this wavelet and parameter.
        """
        self.require_deltaj0("coherence smoothing")
        return _smooth(np.asarray(W), dt, dj, np.asarray(scales), self.deltaj0)

    def __repr__(self) -> str:
        p = self.param
        return f"{type(self).__name__}()" if p is None else f"{type(self).__name__}({p:g})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.param == other.param

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.param))


class Morlet(Mother):
    """Morlet wavelet, ``psi(t) = pi^(-1/4) exp(i f0 t - t^2 / 2)``.

    Parameters
    ----------
    f0 : float, optional
        Non-dimensional angular frequency. Default 6; Table 2 factors exist only
        for 6. Values below about 0.8 do not make an admissible wavelet.
    """

    def __init__(self, f0: float = 6):
        if not np.isfinite(f0) or f0 <= 0:
            raise ValueError(f"Morlet `f0` must be > 0 (got {f0!r})")
        self.f0 = f0
        self.name = "Morlet"
        self.dofmin = 2
        if f0 == 6:
            self.cdelta, self.gamma, self.deltaj0 = 0.776, 2.32, 0.60
        else:
            self.cdelta = self.gamma = self.deltaj0 = -1

    @property
    def param(self) -> float:
        return self.f0

    def psi_ft(self, f):
        """Fourier transform of the (approximate) Morlet wavelet."""
        return (np.pi**-0.25) * np.exp(-0.5 * (f - self.f0) ** 2)

    def psi(self, t):
        """Morlet wavelet in time ([1]_, Table 1)."""
        return (np.pi**-0.25) * np.exp(1j * self.f0 * t - t**2 / 2)

    def flambda(self) -> float:
        """Fourier wavelength over scale, ``4 pi / (f0 + sqrt(2 + f0^2))``."""
        return (4 * np.pi) / (self.f0 + np.sqrt(2 + self.f0**2))

    def coi(self) -> float:
        """e-folding time over scale, ``1 / sqrt(2)``."""
        return 1.0 / np.sqrt(2)

    def ft_support(self) -> tuple[float, float]:
        return (self.f0 - _GAUSS_HALF_WIDTH, self.f0 + _GAUSS_HALF_WIDTH)


class Paul(Mother):
    """Paul wavelet of order ``m``.

    ``psi(t) = 2^m i^m m! / sqrt(pi (2m)!) (1 - i t)^-(m+1)`` ([1]_, Table 1).
    pycwt 0.5 uses ``(m-2)!`` in place of ``m!`` and so is 12 times too small for
    ``m = 4``; this class follows the paper (``psi(0) = 1.079`` for ``m = 4``).

    Parameters
    ----------
    m : int, optional
        Order, default 4 (the only order with Table 2 factors).
    """

    def __init__(self, m: int = 4):
        if int(m) != m or m < 1:
            raise ValueError(f"Paul order `m` must be a whole number >= 1 (got {m!r})")
        self.m = int(m)
        self.name = "Paul"
        self.dofmin = 2
        if self.m == 4:
            self.cdelta, self.gamma, self.deltaj0 = 1.132, 1.17, 1.50
        else:
            self.cdelta = self.gamma = self.deltaj0 = -1

    @property
    def param(self) -> int:
        return self.m

    def psi_ft(self, f):
        """Fourier transform of the Paul wavelet (zero for negative frequencies)."""
        return (
            2**self.m
            / np.sqrt(self.m * np.prod(range(2, 2 * self.m)))
            * f**self.m
            * np.exp(-f)
            * (f > 0)
        )

    def psi(self, t):
        """Paul wavelet in time ([1]_, Table 1)."""
        m = self.m
        return (
            2**m
            * 1j**m
            * math.factorial(m)
            / np.sqrt(np.pi * math.factorial(2 * m))
            * (1 - 1j * np.asarray(t)) ** (-(m + 1))
        )

    def flambda(self) -> float:
        """Fourier wavelength over scale, ``4 pi / (2m + 1)``."""
        return 4 * np.pi / (2 * self.m + 1)

    def coi(self) -> float:
        """e-folding time over scale, ``sqrt(2)``."""
        return np.sqrt(2)

    def ft_support(self) -> tuple[float, float]:
        return (0.0, _EXP_LIMIT)


class DOG(Mother):
    """Derivative of a Gaussian (DOG) wavelet of order ``m``.

    Parameters
    ----------
    m : int, optional
        Derivative order, default 2 (the Mexican hat). Table 2 factors exist for
        m = 2 and m = 6.
    """

    def __init__(self, m: int = 2):
        if int(m) != m or m < 1:
            raise ValueError(f"DOG order `m` must be a whole number >= 1 (got {m!r})")
        self._set_m(int(m))
        self.name = "DOG"

    def _set_m(self, m: int) -> None:
        self.m = m
        self.dofmin = 1
        if m == 2:
            self.cdelta, self.gamma, self.deltaj0 = 3.541, 1.43, 1.40
        elif m == 6:
            self.cdelta, self.gamma, self.deltaj0 = 1.966, 1.37, 0.97
        else:
            self.cdelta = self.gamma = self.deltaj0 = -1

    @property
    def param(self) -> int:
        return self.m

    def psi_ft(self, f):
        """Fourier transform of the DOG wavelet."""
        return -(1j**self.m) / np.sqrt(gamma_fn(self.m + 0.5)) * f**self.m * np.exp(-0.5 * f**2)

    def psi(self, t):
        """DOG wavelet in time, via the probabilists' Hermite polynomial He_m."""
        p = hermitenorm(self.m)
        return (
            (-1) ** (self.m + 1)
            * np.polyval(p, t)
            * np.exp(-(np.asarray(t) ** 2) / 2)
            / np.sqrt(gamma_fn(self.m + 0.5))
        )

    def flambda(self) -> float:
        """Fourier wavelength over scale, ``2 pi / sqrt(m + 1/2)``."""
        return 2 * np.pi / np.sqrt(self.m + 0.5)

    def coi(self) -> float:
        """e-folding time over scale, ``1 / sqrt(2)``."""
        return 1 / np.sqrt(2)

    def ft_support(self) -> tuple[float, float]:
        return (-_GAUSS_HALF_WIDTH, _GAUSS_HALF_WIDTH)


class MexicanHat(DOG):
    """Mexican hat wavelet: the DOG wavelet with ``m = 2``."""

    def __init__(self):
        self._set_m(2)
        self.name = "Mexican Hat"

    @property
    def param(self) -> None:
        return None


#: Wavelet names accepted wherever a ``wavelet`` argument is taken.
WAVELETS: dict[str, type[Mother]] = {
    "morlet": Morlet,
    "paul": Paul,
    "dog": DOG,
    "mexicanhat": MexicanHat,
}

SUPPORTED_TABULATED = "Morlet(6), Paul(4), DOG(2), DOG(6) and MexicanHat()"


def get_wavelet(wavelet) -> Mother:
    """Return a mother-wavelet object from a name or an object.

    Parameters
    ----------
    wavelet : str or Mother
        One of ``WAVELETS`` (case-insensitive; ``"mexican_hat"`` and
        ``"mexican hat"`` are accepted too) or any object with ``psi_ft``,
        ``flambda`` and ``coi`` methods (a pycwt mother works as well).

    Returns
    -------
    mother : Mother
        A new instance for names, ``wavelet`` itself for a `Mother`, and any other
        wavelet object wrapped so it has the whole `Mother` interface (``sup``,
        ``smooth``, ``ft_support``, ``check_tabulated``).

    Raises
    ------
    ValueError
        For an unknown name or an object that is not a wavelet.
    """
    if isinstance(wavelet, str):
        key = wavelet.strip().lower().replace("_", "").replace(" ", "").replace("-", "")
        if key not in WAVELETS:
            raise ValueError(f"unknown wavelet {wavelet!r}; valid names are {', '.join(WAVELETS)}")
        return WAVELETS[key]()
    if isinstance(wavelet, type) and issubclass(wavelet, Mother):
        return wavelet()
    if isinstance(wavelet, Mother):
        return wavelet
    if all(callable(getattr(wavelet, attr, None)) for attr in ("psi_ft", "flambda", "coi")):
        return _Foreign(wavelet)
    raise ValueError(
        f"`wavelet` must be a name ({', '.join(WAVELETS)}) or a mother wavelet object "
        f"(got {wavelet!r})"
    )


class _Foreign(Mother):
    """A duck-typed mother wavelet (a pycwt one, say) behind the `Mother` interface.

    Calls go to the wrapped object; the Table 2 factors are read from it (``-1``
    when it lacks them), and ``ft_support`` is unbounded, so the transform
    evaluates ``psi_ft`` at every frequency exactly as pycwt does.
    """

    def __init__(self, wavelet):
        self.wrapped = wavelet
        self.name = getattr(wavelet, "name", type(wavelet).__name__)
        for attr in ("dofmin", "cdelta", "gamma", "deltaj0"):
            setattr(self, attr, getattr(wavelet, attr, getattr(Mother, attr)))

    @property
    def param(self):
        return getattr(self.wrapped, "f0", getattr(self.wrapped, "m", None))

    def psi(self, t):
        fn = getattr(self.wrapped, "psi", None)
        if not callable(fn):
            raise ValueError(f"{self!r} has no psi(t) method, which this function needs")
        return fn(t)

    def psi_ft(self, f):
        return self.wrapped.psi_ft(f)

    def flambda(self) -> float:
        return self.wrapped.flambda()

    def coi(self) -> float:
        return self.wrapped.coi()

    def __repr__(self) -> str:
        cls = type(self.wrapped)
        p = self.param
        return f"{cls.__module__}.{cls.__name__}({'' if p is None else f'{p:g}'})"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, _Foreign)
            and type(self.wrapped) is type(other.wrapped)
            and self.param == other.param
        )

    def __hash__(self) -> int:
        return hash((type(self.wrapped).__module__, type(self.wrapped).__name__, self.param))
