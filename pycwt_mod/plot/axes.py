"""What every figure of `pycwt_mod.plot` shares: styles, checks, axes and ticks.

The constants of the conventions (shading levels, hatching, contour widths), the
checks of the inputs, matplotlib's lazy import, the time axis (numbers or dates),
the log2 period axis with its `period_tick_labels`, the hatched cone of influence
and gap mask, the pointwise and areawise significance contours (only where they
mean something: `_significance_ratio`), the caption under the time axis, and
`to_bytes` (PNG, SVG or PDF at any dpi; `to_png`).
"""

from __future__ import annotations

import io
import textwrap
from fractions import Fraction

import numpy as np

__all__ = [
    "AREAWISE_LABELS",
    "FIGURE_FORMATS",
    "POWER_LEVELS",
    "period_tick_labels",
    "to_bytes",
    "to_png",
]

#: Exponents k of the shading levels ``2**k`` of normalised power (T&C Fig. 1).
POWER_LEVELS = tuple(range(-4, 5))
_PLURAL = {"year", "month", "day", "hour", "minute", "second"}
_COI_STYLE = dict(facecolor="0.6", alpha=0.35, hatch="xx", edgecolor="0.25", linewidth=0)
_GAP_HATCH = "////"
_THIN, _BOLD = 1.0, 2.5  # pointwise and areawise contours when both are drawn
AREAWISE_LABELS = ("pointwise 95%", "areawise 95%")
#: Text in vector files stays text: SVG <text> elements, TrueType (Type 42) PDF fonts.
_VECTOR_TEXT = {"svg.fonttype": "none", "pdf.fonttype": 42}
#: Output formats of `to_bytes`, with their media types.
FIGURE_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def _check_drawable(A: np.ndarray, name: str) -> None:
    """A filled contour needs at least 2 scales and 2 samples."""
    if A.ndim != 2 or A.shape[0] < 2 or A.shape[1] < 2:
        raise ValueError(
            f"`{name}` of shape {A.shape} cannot be drawn: a figure needs at least 2 "
            "scales and 2 samples (lower dj or raise J for more scales)"
        )


def _check_areawise(areawise, shape: tuple[int, int]):
    """``areawise`` as a bool array of the field's shape, or None."""
    if areawise is None:
        return None
    mask = np.asarray(areawise)
    if mask.shape != tuple(shape):
        raise ValueError(
            f"`areawise` must be a (n_scales, n) = {tuple(shape)} mask like the field "
            f"(got shape {mask.shape})"
        )
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("`areawise` must hold booleans (True where areawise significant)")
        mask = mask.astype(bool)
    return mask


def _significance_ratio(field, threshold, period, coi):
    """``field / threshold`` where a significance contour means something, NaN elsewhere.

    Left out (NaN, so no contour is drawn there): the scales whose threshold is not a
    positive finite number (no threshold: e.g. phase surrogates at the longest
    periods), and the scales whose every point is inside the cone of influence (no
    point there is free of edge effects: the field is smooth along time, and the
    contour of 1 would be a line across the whole figure between two such scales).

    Parameters
    ----------
    field : (n_scales, n) ndarray
    threshold : (n_scales,) or (n_scales, n) array_like
    period, coi : (n_scales,), (n,) ndarray

    Returns
    -------
    (n_scales, n) ndarray or None
        None when no scale is left.
    """
    thr = np.asarray(threshold, dtype=float)
    thr = thr[:, None] if thr.ndim == 1 else thr
    thr = np.broadcast_to(thr, field.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(thr) & (thr > 0), field / thr, np.nan)
    outside = (period[:, None] <= np.asarray(coi, dtype=float)[None, :]).any(axis=1)
    ratio[~outside] = np.nan
    return ratio if np.isfinite(ratio).any() else None


def _caption(ax, text: str) -> None:
    """``text`` in small type under the time axis (its tick labels and label), left
    aligned with the axes; a layout engine makes room for it (it is an axes text)."""
    from matplotlib.transforms import Bbox

    def below_xaxis(renderer):
        axis = ax.xaxis.get_tightbbox(renderer) or ax.get_window_extent(renderer)
        box = ax.get_window_extent(renderer)
        return Bbox.from_extents(box.x0, axis.y0, box.x1, axis.y1)

    width_in = ax.get_position().width * ax.figure.get_figwidth()
    wrapped = textwrap.fill(text, width=max(40, int(width_in * 19)))
    ax.annotate(wrapped, xy=(0, 0), xycoords=below_xaxis, xytext=(0, -4),
                textcoords="offset points", ha="left", va="top", fontsize="small",
                annotation_clip=False)  # fmt: skip


def _draw_significance(ax, t, period, ratio, areawise, labels) -> None:
    """Pointwise contour where ``ratio = 1``; bold areawise outline and legend if given."""
    from matplotlib.lines import Line2D

    width = 1.2 if areawise is None else _THIN
    handles = []
    if ratio is not None:
        ax.contour(t, period, ratio, levels=[1.0], colors="k", linewidths=width)
        handles.append(Line2D([], [], color="k", linewidth=_THIN, label=labels[0]))
    if areawise is None:
        return
    if areawise.any():
        ax.contour(t, period, areawise.astype(float), levels=[0.5], colors="k",
                   linewidths=_BOLD)  # fmt: skip
    handles.append(Line2D([], [], color="k", linewidth=_BOLD, label=labels[1]))
    ax.legend(handles=handles, loc="lower left", fontsize="small", framealpha=0.85)


def _mpl():
    try:
        import matplotlib.dates as mdates
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("pycwt_mod.plot needs matplotlib: pip install 'pycwt-mod[plot]'") from exc
    return Figure, mdates


def _figure(figsize, ax=None):
    """A new figure and its one axes, or ``ax`` (given by the caller) and its figure."""
    if ax is not None:
        return ax.figure, ax
    Figure, _ = _mpl()
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _time_axis(n: int, dt: float, t0: float, time):
    """Numbers for plotting, and whether they are matplotlib dates."""
    if time is None:
        return t0 + dt * np.arange(n), False
    time = np.asarray(time)
    if np.issubdtype(time.dtype, np.datetime64):
        _, mdates = _mpl()
        return mdates.date2num(time), True
    return time.astype(float), False


def _map_axes(shape: tuple[int, int], freqs, areawise, dt: float, t0: float, time):
    """What a (period, time) map starts from.

    Returns the ``areawise`` mask checked against the field's ``shape`` (or None),
    the periods ``1 / freqs``, the plotting times and whether they are dates.
    """
    areawise = _check_areawise(areawise, shape)
    period = 1 / np.asarray(freqs, dtype=float)
    t, is_date = _time_axis(shape[1], dt, t0, time)
    return areawise, period, t, is_date


def _date_axis(ax, is_date: bool) -> None:
    if is_date:
        _, mdates = _mpl()
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def period_tick_labels(pmin: float, pmax: float) -> tuple[np.ndarray, list[str]]:
    """Ticks at the powers of two between two periods, with plain labels.

    Parameters
    ----------
    pmin, pmax : float
        Shortest and longest period shown (> 0).

    Returns
    -------
    ticks : (k,) ndarray
        ``2**j`` for every integer ``j`` with ``pmin <= 2**j <= pmax``.
    labels : list of str
        ``"0.125"``, ``"0.25"``, ``"0.5"``, ``"1"``, ``"2"``, ... (periods below
        1/8 are written as fractions, ``"1/16"``).

    Examples
    --------
    >>> period_tick_labels(0.2, 9.0)[1]
    ['0.25', '0.5', '1', '2', '4', '8']
    """
    lo, hi = int(np.ceil(np.log2(pmin) - 1e-9)), int(np.floor(np.log2(pmax) + 1e-9))
    ticks = 2.0 ** np.arange(lo, hi + 1)
    labels = []
    for v in ticks:
        if v >= 1:
            labels.append(f"{v:.0f}")
        elif v >= 1 / 8:
            labels.append(f"{v:g}")
        else:
            labels.append(str(Fraction(v).limit_denominator()))
    return ticks, labels


def _power_tick_labels(exponents) -> list[str]:
    """Colour-bar labels of the shading levels ``2**k``: "1/16", "1/4", "1", "4"."""
    return [str(Fraction(2.0**k).limit_denominator()) for k in exponents]


def _period_label(period_label: str, period_unit: str | None) -> str:
    if not period_unit:
        return period_label
    unit = f"{period_unit}s" if period_unit in _PLURAL else period_unit
    return f"{period_label} ({unit})"


def _period_yaxis(ax, period, period_label, period_unit) -> None:
    ax.set_yscale("log", base=2)
    ticks, labels = period_tick_labels(period.min(), period.max())
    ax.set_yticks(ticks, labels)
    ax.minorticks_off()
    ax.set_ylim(period.max(), period.min())
    ax.set_ylabel(_period_label(period_label, period_unit))


def _hatch_masks(ax, t, period, coi, gap_mask) -> None:
    """Hatch the cone of influence and, if given, the gap mask."""
    ax.fill_between(t, np.minimum(coi, period.max()), period.max(), **_COI_STYLE)
    if gap_mask is not None:
        mask = np.asarray(gap_mask, dtype=bool)
        if mask.any():
            ax.contourf(t, period, mask.astype(float), levels=[0.5, 1.5],
                        colors=["0.6"], alpha=0.35)  # fmt: skip
            hatched = ax.contourf(t, period, mask.astype(float), levels=[0.5, 1.5],
                                  colors="none", hatches=[_GAP_HATCH])  # fmt: skip
            hatched.set_edgecolor("0.25")


def _finish_map(
    ax, t, is_date, period, coi, gap_mask, title, xlabel, period_label, period_unit
) -> None:
    """End a (period, time) map: hatched masks, period and time axes, title."""
    _hatch_masks(ax, t, period, np.asarray(coi, dtype=float), gap_mask)
    _period_yaxis(ax, period, period_label, period_unit)
    ax.set_xlim(t[0], t[-1])
    _date_axis(ax, is_date)
    if title:
        ax.set_title(title)
    if xlabel and not is_date:
        ax.set_xlabel(xlabel)


def to_bytes(fig, format: str = "png", dpi: int = 100) -> bytes:
    """Render a figure to PNG, SVG or PDF bytes (`FIGURE_FORMATS`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    format : {"png", "svg", "pdf"}
        SVG and PDF are vector, with text as text (SVG ``<text>``, PDF TrueType
        fonts, as journals ask), editable and searchable; ``dpi`` then sets only the
        resolution of the shaded fields.
    dpi : int
        Pixels per inch.

    Raises
    ------
    ValueError
        For another format.
    """
    if format not in FIGURE_FORMATS:
        raise ValueError(f"unknown figure format {format!r}; valid: {', '.join(FIGURE_FORMATS)}")
    from matplotlib import rc_context

    buf = io.BytesIO()
    # no creation date in vector files: the same figure gives the same bytes
    meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(format, {})
    with rc_context(_VECTOR_TEXT):
        fig.savefig(buf, format=format, dpi=dpi, metadata=meta)
    return buf.getvalue()


def to_png(fig, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes (`to_bytes` with ``format="png"``)."""
    return to_bytes(fig, "png", dpi)
