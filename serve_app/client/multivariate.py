"""`Client` methods of partial and multiple coherence (POST /api/v1/analysis/partial-wct
and /multiple-wct): numpy arrays (or labelled series) in, typed records out.

The options are the coherence request's: option objects (``grid``, ``preprocessing``,
``monte_carlo``) or their flat fields (`serve_app.client.fields.request_fields`). The
Monte Carlo test runs synchronously, within the service's work budget: these analyses
have no significance job yet, so a test over the budget raises `BadRequest` (its
message names ``PYCWT_SYNC_WORK_BUDGET``).
"""

from __future__ import annotations

import numpy as np

from pycwt_mod.options import MonteCarlo, Preprocessing, ScaleGrid

from ..records import MultipleWCTResult, PartialWCTResult
from .fields import request_fields
from .labels import read_series
from .transport import Transport

__all__ = ["Multivariate"]

_KINDS = ("grid", "preprocessing", "monte_carlo")


def _several(obj) -> list:
    """One series, a list or tuple of them, or a (m, n) array, as a list of series."""
    if isinstance(obj, list | tuple):
        if obj and all(np.ndim(v) == 0 for v in obj):  # a plain list of numbers
            return [obj]
        return list(obj)
    if isinstance(obj, np.ndarray) and obj.ndim == 2:
        return list(obj)
    return [obj]


def _stacked(values: tuple, names: tuple[str, ...]) -> np.ndarray:
    """The series as one (m, n) array (an npz member), their lengths checked first."""
    sizes = [np.size(v) for v in values]
    if len(set(sizes)) > 1:
        got = ", ".join(f"`{n}` {s}" for n, s in zip(names, sizes, strict=True))
        raise ValueError(f"the series must have the same length (got {got})")
    return np.stack([np.asarray(v, dtype=float) for v in values])


class Multivariate(Transport):
    """Partial and multiple coherence (a base of `serve_app.client.Client`)."""

    def _multivariate_fields(self, method, dt, options, significance_test, kwargs) -> dict:
        fields = request_fields(method, _KINDS, (), options, kwargs, dt, stacklevel=5)
        if significance_test is None and options["monte_carlo"] is not None:
            significance_test = True  # the test's options ask for the test
        if significance_test is not None:
            fields["significance_test"] = bool(significance_test)
        return fields

    def partial_wct(
        self,
        response,
        predictor,
        removed,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        monte_carlo: MonteCarlo | None = None,
        significance_test: bool | None = None,
        **kwargs,
    ) -> PartialWCTResult:
        """Partial coherence of ``response`` and ``predictor``, ``removed`` taken out.

        Parameters
        ----------
        response, predictor : (n,) array_like, pandas Series or 1-D DataArray
        removed : series, or a list of them (or a (m, n) array)
            One or more series whose influence is removed, on the same time axis.
        dt : float, optional
            Sample spacing (else from the labels, or ``grid.dt``).
        grid, preprocessing, monte_carlo : option objects, optional
            ``monte_carlo`` given implies ``significance_test=True``.
        significance_test : bool, optional
            Monte Carlo thresholds (``sig95``), within the service's budget.
        **kwargs
            The options' fields as flat keywords (``dj=0.25``, ``mc_count=50``).

        Returns
        -------
        PartialWCTResult
            ``PWCT``, ``aPWCT``, ``WCT`` (n_scales, n) and the rest; ``time`` the
            labels of labelled input.

        Raises
        ------
        TypeError
            For a keyword that is no option of the request.
        BadRequest
            Bad data (naming ``removed[i]``), or a test over the work budget.
        """
        removed = _several(removed)
        s = read_series((response, predictor, *removed), dt)
        options = {"grid": grid, "preprocessing": preprocessing, "monte_carlo": monte_carlo}
        fields = self._multivariate_fields("partial_wct", s.dt, options, significance_test,
                                           kwargs)  # fmt: skip
        names = ("response", "predictor", *(f"removed[{i}]" for i in range(len(removed))))
        stacked = _stacked(s.values, names)
        arrays = {"response": stacked[0], "predictor": stacked[1], "removed": stacked[2:]}
        res = self._analysis("/api/v1/analysis/partial-wct", PartialWCTResult,
                             {**arrays, **fields})  # fmt: skip
        res.time = s.time
        return res

    def multiple_wct(
        self,
        response,
        predictors,
        dt: float | None = None,
        *,
        grid: ScaleGrid | None = None,
        preprocessing: Preprocessing | None = None,
        monte_carlo: MonteCarlo | None = None,
        significance_test: bool | None = None,
        **kwargs,
    ) -> MultipleWCTResult:
        """Multiple coherence of ``response`` with the ``predictors`` together.

        ``predictors``: one series, a list of them or a (m, n) array; the rest as
        `partial_wct`. Returns a `MultipleWCTResult` (``MWCT``, (n_scales, n)).
        """
        predictors = _several(predictors)
        s = read_series((response, *predictors), dt)
        options = {"grid": grid, "preprocessing": preprocessing, "monte_carlo": monte_carlo}
        fields = self._multivariate_fields("multiple_wct", s.dt, options, significance_test,
                                           kwargs)  # fmt: skip
        names = ("response", *(f"predictors[{i}]" for i in range(len(predictors))))
        stacked = _stacked(s.values, names)
        arrays = {"response": stacked[0], "predictors": stacked[1:]}
        res = self._analysis("/api/v1/analysis/multiple-wct", MultipleWCTResult,
                             {**arrays, **fields})  # fmt: skip
        res.time = s.time
        return res
