"""Reading series from files: one reader for the CLI and the batch job (numpy only).

``.npy`` files hold a 1-D array (one series) or a 2-D one (series as columns, or as
rows when there are at most two rows). ``.csv``/``.txt`` files hold numeric columns;
a first row that is not numeric is taken as the header, blank lines are skipped.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

__all__ = ["SUFFIXES", "SeriesFileError", "read_series", "read_table", "series_of_file"]

#: File types the readers accept.
SUFFIXES = (".csv", ".txt", ".npy")


class SeriesFileError(ValueError):
    """A series file that cannot be read as asked; the message says why."""


def read_table(path: str | Path) -> tuple[list[str] | None, np.ndarray]:
    """The header (or None) and the numbers of a series file.

    Returns
    -------
    header : list of str or None
    table : (n_rows, n_columns) float ndarray
        A 1-D ``.npy`` gives one column.

    Raises
    ------
    SeriesFileError
        Missing file, unknown suffix, non-numeric values, empty file.
    """
    p = Path(path)
    if not p.is_file():
        raise SeriesFileError(f"input file {str(path)!r} does not exist")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        a = np.load(p, allow_pickle=False)
        if a.ndim == 1:
            a = a[:, np.newaxis]
        if a.ndim != 2:
            raise SeriesFileError(f"{p.name}: expected a 1-D or 2-D array, got shape {a.shape}")
        return None, a.astype(float)
    if suffix not in SUFFIXES:
        raise SeriesFileError(f"{p.name}: unknown input type {suffix!r}; use .csv or .npy")
    with p.open(newline="") as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    if not rows:
        raise SeriesFileError(f"{p.name}: empty file")
    header = None
    try:
        [float(c) for c in rows[0]]
    except ValueError:
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    ncols = len(rows[0]) if rows else 0
    table = np.empty((len(rows), ncols))
    for i, row in enumerate(rows):
        if len(row) != ncols:
            raise SeriesFileError(f"{p.name}: row {i + 1} has {len(row)} values, not {ncols}")
        try:
            table[i] = [float(c) for c in row]
        except ValueError as exc:
            raise SeriesFileError(f"{p.name}: row {i + 1}: {exc}") from None
    return header, table


def read_series(path: str | Path, column: str | None = None) -> np.ndarray:
    """One series of a file.

    Parameters
    ----------
    path : str or Path
        A file with one column, or several (then ``column`` picks one).
    column : str, optional
        Column name (header) or 0-based index. Ignored for a file holding one unnamed
        column (a 1-D ``.npy``, say), so one ``--column`` can serve two files.

    Returns
    -------
    (n,) float ndarray

    Raises
    ------
    SeriesFileError
        As `read_table`, or no such column, or several columns and none picked.
    """
    header, table = read_table(path)
    name = Path(path).name
    ncols = table.shape[1]
    if column is None or (ncols == 1 and header is None):
        if ncols != 1:
            names = ", ".join(header) if header else f"0..{ncols - 1}"
            raise SeriesFileError(f"{name}: {ncols} columns; pick one with --column ({names})")
        idx = 0
    elif header is not None and column in header:
        idx = header.index(column)
    elif column.isdigit() and int(column) < ncols:
        idx = int(column)
    else:
        raise SeriesFileError(f"{name}: no column {column!r} (columns: {header or ncols})")
    return table[:, idx].copy()


def series_of_file(path: str | Path) -> np.ndarray:
    """The one or two series of a file, as rows.

    Returns
    -------
    (k, n) float ndarray
        ``k`` = 1 or 2: one or two columns (or rows of a ``.npy`` with at most two).

    Raises
    ------
    SeriesFileError
        As `read_table`, or a file with more than two series.
    """
    _, table = read_table(path)
    if table.shape[1] in (1, 2) and table.shape[0] > 2:
        return table.T.copy()
    if table.shape[0] in (1, 2) and Path(path).suffix.lower() == ".npy":
        return table
    raise SeriesFileError(
        f"{Path(path).name}: expected one or two series, got an array of {table.shape}"
    )
