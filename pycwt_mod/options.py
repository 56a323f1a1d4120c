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

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from ._validation import check_choice, check_count, check_positive, check_significance_level
from .mothers import WAVELETS, Mother, get_wavelet

__all__ = [
    "ANOMALY_PERIODS",
    "AREA_MEASURES",
    "AREA_TESTS",
    "DETREND_METHODS",
    "GAP_FILLS",
    "GAP_POLICIES",
    "SURROGATE_FAMILIES",
    "Areawise",
    "MonteCarlo",
    "OptionField",
    "Preprocessing",
    "ResolvedGrid",
    "ScaleGrid",
    "SurrogateFamily",
    "from_dict",
    "get_surrogate_family",
    "option_fields",
    "renamed_keywords",
    "to_dict",
]

# ------------------------------------------------------------------ choice sets

Detrend = Literal["none", "linear"]
GapPolicy = Literal["raise", "mask"]
GapFill = Literal["mean", "linear"]
AreaMeasure = Literal["maraun", "schulte"]
AreaTest = Literal["areawise", "cumulative"]
SurrogateName = Literal["ar1", "phase", "iaaft"]

#: How a series is detrended: "none", or "linear" (least-squares line of the valid samples).
DETREND_METHODS: tuple[str, ...] = get_args(Detrend)
#: What a missing sample (NaN) does: "raise" an error naming it, or "mask" it.
GAP_POLICIES: tuple[str, ...] = get_args(GapPolicy)
#: How gaps are filled with ``gaps="mask"``.
GAP_FILLS: tuple[str, ...] = get_args(GapFill)
#: How a patch of the areawise test is measured.
AREA_MEASURES: tuple[str, ...] = get_args(AreaMeasure)
#: The areawise tests.
AREA_TESTS: tuple[str, ...] = get_args(AreaTest)
#: Samples per seasonal cycle that the calendar of a date axis gives ``anomalies="auto"``.
ANOMALY_PERIODS = {1 / 12: 12, 0.25: 4}

#: Most scales of one grid (J + 1), whatever the series length.
MAX_SCALES = 10_000

_MISSING = dataclasses.MISSING


def _opt(default, doc: str, **meta: Any):
    """A dataclass field with its description and constraints (for `option_fields`)."""
    return field(default=default, metadata={"doc": doc, **meta})


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number (got {value!r})")
    return float(value)


# ------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class ResolvedGrid:
    """A `ScaleGrid` resolved against a series length.

    Attributes
    ----------
    dt, dj, s0 : float
    J : int
    mother : Mother
    scales : (J + 1,) ndarray
        ``s0 * 2**(j dj)``, ``j = 0..J`` ([1]_ eq. 9-10).
    """

    dt: float
    dj: float
    s0: float
    J: int
    mother: Mother
    scales: np.ndarray = field(compare=False, repr=False)

    @property
    def n_scales(self) -> int:
        """``J + 1``."""
        return self.J + 1


@dataclass(frozen=True)
class ScaleGrid:
    """Sample spacing and scale grid of a transform ([1]_ eq. 9-10).

    Attributes
    ----------
    dt : float or None
        Sample spacing, in the time unit. None: taken from the series' time axis
        (the labelled API and the CLI read it from dates); resolving then needs it.
    dj : float
        Scale spacing in octaves (default 1/12: twelve scales per octave).
    s0 : float
        Smallest scale; -1 (default) gives pycwt's ``2 dt / flambda``.
    J : int
        Number of scales less one; -1 (default) gives ``round(log2(n dt / s0) / dj)``.
    wavelet : str or Mother
        Mother wavelet: a name of `pycwt_mod.WAVELETS` or an instance (default Morlet).
    """

    dt: float | None = _opt(None, "Sample spacing (time units); null: from the time axis.", gt=0)
    dj: float = _opt(1 / 12, "Scale spacing in octaves.", gt=0, le=4)
    s0: float = _opt(-1.0, "Smallest scale; -1 gives the library default 2 dt / flambda.")
    J: int = _opt(-1, "Number of scales less one; -1 gives the library default.")
    wavelet: str | Mother = _opt("morlet", "Mother wavelet.", choices=tuple(WAVELETS))

    def __post_init__(self) -> None:
        if self.dt is not None:
            object.__setattr__(self, "dt", float(check_positive(self.dt, "dt")))
        object.__setattr__(self, "dj", float(check_positive(self.dj, "dj")))
        s0 = -1.0 if self.s0 is None else _number(self.s0, "s0")
        if s0 != -1 and not s0 > 0:
            raise ValueError(f"`s0` must be > 0, or -1 for the default (got {self.s0!r})")
        object.__setattr__(self, "s0", s0)
        J = -1 if self.J is None else self.J
        if isinstance(J, bool) or not isinstance(J, numbers.Integral) or J < -1:
            raise ValueError(f"`J` must be a whole number >= 0, or -1 for the default (got {J!r})")
        object.__setattr__(self, "J", int(J))
        get_wavelet(self.wavelet)  # raises naming `wavelet`

    @property
    def mother(self) -> Mother:
        """The mother wavelet."""
        return get_wavelet(self.wavelet)

    def with_dt(self, dt: float) -> ScaleGrid:
        """The same grid with the spacing ``dt`` (from a time axis)."""
        return dataclasses.replace(self, dt=dt)

    def resolve(self, n: int, dt: float | None = None) -> ResolvedGrid:
        """The scales for a series of ``n`` samples.

        Parameters
        ----------
        n : int
            Length of the series.
        dt : float, optional
            Sample spacing when the grid has none.

        Returns
        -------
        ResolvedGrid

        Raises
        ------
        ValueError
            Without a ``dt``; for an ``s0`` larger than the series; for more than
            `MAX_SCALES` scales or a largest scale that overflows.
        """
        dt = self.dt if dt is None else float(check_positive(dt, "dt"))
        if dt is None:
            raise ValueError("`dt` is needed (the series has no time axis to take it from)")
        mother = self.mother
        # a Python float, so that messages show the value (not np.float64(...))
        s0 = float(2 * dt / mother.flambda()) if self.s0 == -1 else self.s0
        if self.J == -1:
            try:
                J = int(np.round(np.log2(n * dt / s0) / self.dj))
            except OverflowError:  # n dt / s0 overflows
                raise ValueError(f"dt={dt!r} with s0={s0!r} gives no usable scale grid") from None
        else:
            J = self.J
        if J < 0:
            raise ValueError(
                f"s0={s0!r} is larger than the series ({n} samples x dt={dt!r}); lower s0"
            )
        if J + 1 > MAX_SCALES:  # before building the grid: J=10**12 must not allocate
            raise ValueError(
                f"J={J} asks for {J + 1} scales, more than the limit of {MAX_SCALES}; "
                "lower J or raise dj (J=-1 picks the library default)"
            )
        with np.errstate(over="ignore"):
            scales = s0 * 2 ** (np.arange(J + 1) * self.dj)
        if not np.isfinite(scales[-1]):
            raise ValueError(
                f"the largest scale s0 * 2**(J * dj) overflows (s0={s0!r}, J={J}, "
                f"dj={self.dj!r}); lower J or dj"
            )
        return ResolvedGrid(dt, self.dj, float(s0), J, mother, scales)


# ------------------------------------------------------------- preprocessing


@dataclass(frozen=True)
class Preprocessing:
    """What is done to a series before its transform, in this order.

    Attributes
    ----------
    anomalies : int, "auto" or None
        Remove the mean seasonal cycle: the mean of every phase of a cycle of
        ``anomalies`` samples (12 for monthly data, 4 for quarterly) over the valid
        samples, the climatology a climate scientist removes before a coherence
        study. ``"auto"`` takes the cycle from a date axis (monthly or quarterly
        dates); None (default) leaves the series as it is.
    detrend : {"none", "linear"}
        "linear" removes the least-squares line of the valid samples.
    normalize : bool
        Standardise the series (zero mean, unit variance of the valid samples)
        before the transform (default True, as pycwt's ``wct``/``xwt`` and the API
        contract). Coherence is computed from the standardised pair either way
        (its value does not depend on the series' scale).
    gaps : {"raise", "mask"}
        A missing sample (NaN): "raise" (default) is an error naming the first one;
        "mask" fills gaps (``fill``) and masks the results they influence, within
        the wavelet's e-folding time ([1]_ sec. 3g).
    fill : {"mean", "linear"}
        How gaps are filled with ``gaps="mask"`` (default the mean: zero anomaly).
    """

    anomalies: int | str | None = _opt(
        None,
        "Remove the mean seasonal cycle of this many samples (12: monthly, 4: "
        "quarterly; 'auto' from a date axis); null: leave the series as it is.",
    )
    detrend: Detrend = _opt(
        "none",
        "'linear' removes each series' least-squares line (fitted to its valid samples) "
        "first; 'none' leaves it as it is.",
        choices=DETREND_METHODS,
    )
    normalize: bool = _opt(
        True,
        "Standardise the series first (zero mean, unit variance of the valid samples).",
    )
    gaps: GapPolicy = _opt(
        "raise",
        "Missing samples (null or NaN): 'raise' refuses them, naming the first one; "
        "'mask' fills them and returns gap_mask, true within the wavelet's e-folding "
        "time of a gap (Torrence & Compo 1998, sec. 3g).",
        choices=GAP_POLICIES,
    )
    fill: GapFill = _opt("mean", "How gaps are filled with gaps='mask'.", choices=GAP_FILLS)

    def __post_init__(self) -> None:
        a = self.anomalies
        if a is not None and a != "auto":
            if isinstance(a, bool) or not isinstance(a, numbers.Integral) or a < 2:
                raise ValueError(
                    "`anomalies` must be the samples per seasonal cycle (a whole number "
                    f">= 2, e.g. 12 for monthly data), 'auto' or null (got {a!r})"
                )
            object.__setattr__(self, "anomalies", int(a))
        check_choice(self.detrend, "detrend", DETREND_METHODS)
        check_choice(self.gaps, "gaps", GAP_POLICIES)
        check_choice(self.fill, "fill", GAP_FILLS)
        if not isinstance(self.normalize, bool | np.bool_):
            raise ValueError(f"`normalize` must be true or false (got {self.normalize!r})")
        object.__setattr__(self, "normalize", bool(self.normalize))


# ------------------------------------------------------- surrogate families


@dataclass(frozen=True)
class SurrogateFamily:
    """A null hypothesis of the Monte Carlo tests: how surrogate series are drawn.

    Attributes
    ----------
    name : str
        ``"ar1"``, ``"phase"`` or ``"iaaft"``.
    description : str
        One line, for figures and attrs.
    needs_data : bool
        True when the surrogates resample the observed series (their plan and
        cache key carry the data); False for red noise, which needs only the
        series' lag-1 coefficients.
    """

    name: str
    description: str
    needs_data: bool

    @property
    def fits_red_noise(self) -> bool:
        """True when the test needs each series' AR(1) coefficient."""
        return not self.needs_data

    def __str__(self) -> str:
        return self.name


#: The families, by name (`pycwt_mod.surrogates` draws them).
SURROGATE_FAMILIES: dict[str, SurrogateFamily] = {
    f.name: f
    for f in (
        SurrogateFamily("ar1", "AR(1) red-noise", needs_data=False),
        SurrogateFamily("phase", "phase-randomised", needs_data=True),
        SurrogateFamily("iaaft", "IAAFT", needs_data=True),
    )
}


def get_surrogate_family(family: str | SurrogateFamily) -> SurrogateFamily:
    """The family named ``family`` (or ``family`` itself).

    Raises
    ------
    ValueError
        Naming ``surrogate`` and listing the families.
    """
    if isinstance(family, SurrogateFamily):
        return family
    return SURROGATE_FAMILIES[check_choice(family, "surrogate", tuple(SURROGATE_FAMILIES))]


# -------------------------------------------------------------- Monte Carlo


def _coefficient(value, name: str) -> float | None:
    if value is None:
        return None
    v = _number(value, name)
    if not -1 < v < 1:
        raise ValueError(f"`{name}` must be in (-1, 1) (got {value!r})")
    return v


@dataclass(frozen=True)
class MonteCarlo:
    """A Monte Carlo significance test.

    Attributes
    ----------
    significance_level : float
        Confidence level of the thresholds, in (0, 1) (default 0.95).
    mc_count : int
        Surrogates (pairs, for coherence), default 300.
    seed : int or None
        Root seed: surrogate ``k`` draws from ``SeedSequence(seed, spawn_key=(k,))``,
        so the same seed gives the same bits on every CPU backend and chunking.
        None draws fresh entropy (the result reports the seed used).
    surrogate : SurrogateFamily
        The null hypothesis (a name is accepted): "ar1" (default) red noise of
        each series' lag-1 coefficient, "phase" or "iaaft" surrogates of the series.
    al1, al2 : float or None
        Lag-1 coefficients of the red noise; None: estimated from the series.
    backend : str or None
        Where chunks run (`pycwt_mod.backends`); None: the best available.
    chunk_size : int or None
        Surrogates per chunk (None: the backend's choice).
    cache : bool
        Read and write the threshold cache (default True).
    """

    significance_level: float = _opt(0.95, "Confidence level.", gt=0, lt=1)
    mc_count: int = _opt(300, "Surrogates (pairs) of the Monte Carlo test.", ge=1)
    seed: int | None = _opt(None, "Root seed; null draws one (returned with the result).", ge=0)
    surrogate: SurrogateFamily | str = _opt(
        "ar1",
        "Null hypothesis of the test: 'ar1' red noise with each series' lag-1 "
        "coefficient (al1/al2); 'phase' Fourier phase-randomised copies of the series "
        "(same power spectrum); 'iaaft' iterated amplitude-adjusted copies (same "
        "spectrum and value distribution).",
        choices=tuple(SURROGATE_FAMILIES),
    )
    al1: float | None = _opt(None, "Lag-1 coefficient of the first series; null: estimated.")
    al2: float | None = _opt(None, "Lag-1 coefficient of the second series; null: estimated.")
    backend: str | None = _opt(None, "Monte Carlo backend; null: the best available.")
    chunk_size: int | None = _opt(None, "Surrogates per chunk; null: the backend's choice.")
    cache: bool = _opt(True, "Read and write the threshold cache.")

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "significance_level", check_significance_level(self.significance_level)
        )
        object.__setattr__(self, "mc_count", check_count(self.mc_count, "mc_count"))
        if self.seed is not None:
            object.__setattr__(self, "seed", check_count(self.seed, "seed", minimum=0))
        object.__setattr__(self, "surrogate", get_surrogate_family(self.surrogate))
        object.__setattr__(self, "al1", _coefficient(self.al1, "al1"))
        object.__setattr__(self, "al2", _coefficient(self.al2, "al2"))
        if self.chunk_size is not None:
            object.__setattr__(self, "chunk_size", check_count(self.chunk_size, "chunk_size"))
        if self.backend is not None and not isinstance(self.backend, str):
            raise ValueError(f"`backend` must be a backend name (got {self.backend!r})")
        if not isinstance(self.cache, bool | np.bool_):
            raise ValueError(f"`cache` must be true or false (got {self.cache!r})")
        object.__setattr__(self, "cache", bool(self.cache))

    def with_seed(self, seed: int) -> MonteCarlo:
        """The same test with its root seed fixed."""
        return dataclasses.replace(self, seed=seed)


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


# ------------------------------------------------------- declarations for doors


@dataclass(frozen=True)
class OptionField:
    """One option as a door declares it (a request field, a CLI flag).

    Attributes
    ----------
    name : str
    default : object
    doc : str
    choices : tuple of str or None
        The choice set, when the option has one.
    bounds : dict
        Numeric constraints (``gt``, ``ge``, ``lt``, ``le``).
    annotation : str
        The field's type, as written in its dataclass.
    """

    name: str
    default: Any
    doc: str
    choices: tuple[str, ...] | None
    bounds: dict
    annotation: str


def to_dict(options) -> dict[str, Any]:
    """The fields of an option object as plain JSON values (a family by its name).

    Raises
    ------
    TypeError
        For a wavelet given as an instance (only names are JSON values).
    """
    out = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if isinstance(value, SurrogateFamily):
            value = value.name
        elif isinstance(value, Mother):
            raise TypeError(f"`{f.name}` must be a wavelet name to be stored (got {value!r})")
        out[f.name] = value
    return out


def from_dict(cls: type, data: dict[str, Any]):
    """Inverse of `to_dict` (unknown keys are ignored).

    Examples
    --------
    >>> from_dict(MonteCarlo, to_dict(MonteCarlo(seed=1))) == MonteCarlo(seed=1)
    True
    """
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def option_fields(cls: type) -> tuple[OptionField, ...]:
    """The fields of an option type, with their defaults, descriptions and constraints.

    Examples
    --------
    >>> [f.name for f in option_fields(Areawise)]
    ['area_level', 'area_measure', 'area_test']
    """
    out = []
    for f in dataclasses.fields(cls):
        meta = dict(f.metadata)
        doc = meta.pop("doc", "")
        choices = meta.pop("choices", None)
        out.append(OptionField(f.name, f.default, doc, choices, meta, str(f.type)))
    return tuple(out)


# ---------------------------------------------------------- deprecated names


def renamed_keywords(**renamed: str):
    """Accept the old name of a renamed keyword, with a DeprecationWarning, for one release.

    ``@renamed_keywords(level="significance_level")`` lets a caller of the decorated
    function still write ``level=0.9``: it is passed on as ``significance_level=0.9``.
    The signature shown (`inspect.signature`) is the function's own, with the new names.

    Raises
    ------
    TypeError
        When a call gives both the old and the new name.

    Examples
    --------
    >>> @renamed_keywords(standardize="normalize")
    ... def f(*, normalize=True):
    ...     return normalize
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f(standardize=False)
    False
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{func.__name__}() got both `{old}` and its new name `{new}`; "
                            f"pass `{new}` only"
                        )
                    warnings.warn(
                        f"`{old}` is deprecated and will be removed in the next release; "
                        f"use `{new}` (the name of every door, pycwt_mod.options)",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate
