"""Reading series from files: one reader for the CLI and the batch job.

``.npy`` files (numpy) hold a 1-D array (one series) or a 2-D one (series as
columns, or as rows when there are at most two rows). ``.csv``/``.txt`` files are read
by `pandas.read_csv` (pandas is imported only then; without it the reader says what
to install): numeric columns, the delimiter sniffed among ``,`` ``;`` tab and ``|``
(a file of one column is comma-separated), a first row that is not numeric (above a
numeric row) taken as the header, blank lines skipped, and an empty cell or one of
`NA_VALUES` a missing value (NaN). Every row must have as many cells as the first.

A CSV file may also hold a **time column**: the column named by ``time_column``, else
one whose header is in `TIME_NAMES`, else a first column of dates. Times are numbers
or dates (`pandas.to_datetime`: ISO 8601 first, then the formats pandas infers).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "NA_VALUES",
    "SUFFIXES",
    "TIME_NAMES",
    "SeriesFileError",
    "TimedSeries",
    "parse_times",
    "read_series",
    "read_table",
    "read_timed_series",
    "series_of_bytes",
    "series_of_file",
]

#: File types the readers accept.
SUFFIXES = (".csv", ".txt", ".npy")
#: Column names (case-insensitive) taken as the time column without being asked.
TIME_NAMES = ("time", "date", "datetime", "timestamp")
#: Cells read as a missing value, in lower, upper and title case, besides an empty cell
#: and the others `pandas.read_csv` reads as one ("NaN", "#N/A", "None", ...).
NA_VALUES = tuple(
    sorted({form for word in ("na", "n/a", "nan", "null") for form in (word, word.upper(),
            word.title())})
)  # fmt: skip
#: Delimiters a CSV file may use (sniffed; `pandas.read_csv`'s ``sep=None`` would also
#: take a "." or a digit for one in a file of one column).
DELIMITERS = ",;\t|"
_PANDAS_HINT = "reading a .csv file needs pandas: pip install pandas (or 'pycwt-mod[client]')"


class SeriesFileError(ValueError):
    """A series file that cannot be read as asked; the message says why."""


@dataclass(frozen=True)
class TimedSeries:
    """One series of a file with its time column, if the file has one."""

    values: np.ndarray  #: (n,) float, NaN where a value is missing
    time: np.ndarray | None  #: (n,) float or datetime64[ns] labels, or None
    name: str  #: column name ("" when unnamed)
    time_name: str  #: time column name ("" when none)


@dataclass(frozen=True)
class _Table:
    """A CSV file's cells (strings, NaN where missing) and its header."""

    frame: object  #: pandas.DataFrame of str cells, columns 0..ncols-1
    header: list[str] | None
    first: list[str]  #: the first data row's cells (for the time column's detection)

    @property
    def ncols(self) -> int:
        return self.frame.shape[1]


# ------------------------------------------------------------------------- parsing


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(_PANDAS_HINT) from None
    return pd


def _is_number(cell: str) -> bool:
    if cell.strip() in ("", *NA_VALUES):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _table(text: str, name: str) -> _Table:
    """The cells of a CSV text (pandas), after checking that every row is complete."""
    pd = _pandas()
    try:
        sep = csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column
        sep = ","
    # blank lines are skipped (a line of delimiters is a row of missing values)
    try:
        rows = [
            r
            for r in csv.reader(io.StringIO(text), delimiter=sep)
            if len(r) > 1 or (r and r[0].strip())
        ]
    except csv.Error as exc:
        raise SeriesFileError(f"{name}: not a readable CSV table: {exc}") from None
    if not rows:
        raise SeriesFileError(f"{name}: empty file")
    first = [[c.strip() for c in r] for r in rows[:2]]
    if len(first) == 1:
        is_header = not all(_is_number(c) for c in first[0])
    else:  # a header cell sits above a number; a date column is not a header
        is_header = any(not _is_number(a) and _is_number(b) for a, b in zip(*first, strict=False))
    data = rows[1:] if is_header else rows
    for i, row in enumerate(data):
        if len(row) != len(data[0]):
            raise SeriesFileError(f"{name}: row {i + 1} has {len(row)} values, not {len(data[0])}")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=range(len(data[0]) if data else len(rows[0])),
            dtype=str,
            na_values=NA_VALUES,  # besides pandas' own (NaN, NULL, #N/A, None, ...)
            skipinitialspace=True,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SeriesFileError(f"{name}: not a readable CSV table: {exc}") from None
    if is_header:
        frame = frame.iloc[1:].reset_index(drop=True)
    return _Table(frame, first[0] if is_header else None, first[is_header] if data else [])


def _floats(table: _Table, cols: list[int], name: str) -> np.ndarray:
    """The named columns as floats, NaN where missing, or the row of the first bad cell."""
    pd = _pandas()
    out = np.empty((table.frame.shape[0], len(cols)))
    for k, j in enumerate(cols):
        cells = table.frame[j].str.strip()
        numbers = pd.to_numeric(cells, errors="coerce")
        bad = numbers.isna() & cells.notna()
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise SeriesFileError(
                f"{name}: row {i + 1}: could not convert string to float: {cells.iloc[i]!r}"
            )
        out[:, k] = numbers.to_numpy(dtype=float)
    return out


def parse_times(cells) -> np.ndarray:
    """Time labels from strings: float numbers, or dates as ``datetime64[ns]``.

    Numbers by `pandas.to_numeric`; dates by `pandas.to_datetime`, ISO 8601 first,
    then any format it infers. Missing cells are NaN or NaT.

    Raises
    ------
    SeriesFileError
        When the labels are neither numbers nor dates.
    ImportError
        Without pandas.
    """
    pd = _pandas()
    cells = pd.Series(list(cells), dtype=object).str.strip()
    try:
        return pd.to_numeric(cells).to_numpy(dtype=float)
    except (ValueError, TypeError):
        pass
    try:
        times = pd.to_datetime(cells, format="ISO8601")
    except (ValueError, TypeError):
        try:
            times = pd.to_datetime(cells)
        except (ValueError, TypeError) as exc:
            raise SeriesFileError(f"the time labels are neither numbers nor dates: {exc}") from None
    if times.dt.tz is not None:
        times = times.dt.tz_convert(None)
    return times.to_numpy(dtype="datetime64[ns]")


def _time_index(table: _Table, time_column: str | None, name: str) -> int | None:
    header, ncols = table.header, table.ncols
    if time_column is not None:
        if header is not None and time_column in header:
            return header.index(time_column)
        if time_column.isdigit() and int(time_column) < ncols:
            return int(time_column)
        raise SeriesFileError(
            f"{name}: no time column {time_column!r} (columns: {header or ncols})"
        )
    if header is not None:
        for i, h in enumerate(header):
            if h.lower() in TIME_NAMES:
                return i
    if ncols > 1 and table.frame.shape[0] and not _is_number(table.first[0]):
        return 0  # a first column of dates
    return None


def _load(path: str | Path) -> tuple[str, bytes]:
    p = Path(path)
    if not p.is_file():
        raise SeriesFileError(f"input file {str(path)!r} does not exist")
    return p.name, p.read_bytes()


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise SeriesFileError(f"{name}: unknown input type {suffix!r}; use .csv or .npy")
    return suffix


def _npy(data: bytes, name: str) -> np.ndarray:
    try:
        a = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        raise SeriesFileError(f"{name}: not a readable .npy array: {exc}") from None
    if a.ndim == 1:
        a = a[:, np.newaxis]
    if a.ndim != 2:
        raise SeriesFileError(f"{name}: expected a 1-D or 2-D array, got shape {a.shape}")
    return a.astype(float)


def _csv(data: bytes, name: str) -> _Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeriesFileError(f"{name}: not a UTF-8 text file ({exc})") from None
    return _table(text, name)


# ---------------------------------------------------------------------------- public


def read_table(path: str | Path) -> tuple[list[str] | None, np.ndarray]:
    """The header (or None) and the numbers of a series file.

    Returns
    -------
    header : list of str or None
    table : (n_rows, n_columns) float ndarray
        A 1-D ``.npy`` gives one column; empty or ``NA`` cells are NaN.

    Raises
    ------
    SeriesFileError
        Missing file, unknown suffix, non-numeric values, empty file.
    """
    name, data = _load(path)
    if _check_suffix(name) == ".npy":
        return None, _npy(data, name)
    table = _csv(data, name)
    return table.header, _floats(table, list(range(table.ncols)), name)


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
    return table[:, _value_index(header, table.shape[1], column, Path(path).name, [])].copy()


def _value_index(header, ncols: int, column, name: str, skip: list[int]) -> int:
    values = [i for i in range(ncols) if i not in skip]
    if column is None or (ncols == 1 and header is None):
        if len(values) != 1:
            names = ", ".join(header[i] for i in values) if header else f"0..{ncols - 1}"
            raise SeriesFileError(
                f"{name}: {len(values)} columns; pick one with --column ({names})"
            )
        return values[0]
    if header is not None and column in header:
        return header.index(column)
    if column.isdigit() and int(column) < ncols:
        return int(column)
    raise SeriesFileError(f"{name}: no column {column!r} (columns: {header or ncols})")


def read_timed_series(
    path: str | Path, column: str | None = None, time_column: str | None = None
) -> TimedSeries:
    """One series of a file and its time column (when the file has one).

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt`` (may have a time column) or ``.npy`` (never has one).
    column : str, optional
        Value column (name or 0-based index); needed when, besides the time
        column, there are several.
    time_column : str, optional
        Time column (name or index); default: a column named as in `TIME_NAMES`,
        else a first column of dates, else none.

    Returns
    -------
    TimedSeries

    Raises
    ------
    SeriesFileError
        As `read_series`, or times that are neither numbers nor dates.
    """
    name, data = _load(path)
    if _check_suffix(name) == ".npy":
        if time_column is not None:
            raise SeriesFileError(f"{name}: a .npy file has no time column")
        table = _npy(data, name)
        idx = _value_index(None, table.shape[1], column, name, [])
        return TimedSeries(table[:, idx].copy(), None, "", "")
    table = _csv(data, name)
    header = table.header
    t_idx = _time_index(table, time_column, name)
    skip = [] if t_idx is None else [t_idx]
    idx = _value_index(header, table.ncols, column, name, skip)
    if idx == t_idx:
        raise SeriesFileError(f"{name}: column {column!r} is the time column")
    values = _floats(table, [idx], name)[:, 0]
    time = None if t_idx is None else parse_times(table.frame[t_idx])
    return TimedSeries(
        values,
        time,
        header[idx] if header else "",
        header[t_idx] if header and t_idx is not None else "",
    )


def series_of_bytes(data: bytes, name: str) -> np.ndarray:
    """The one or two series of a file's contents, as rows (a time column is dropped).

    Parameters
    ----------
    data : bytes
        The file's contents.
    name : str
        The file name (its suffix says how to parse it; it is quoted in errors).

    Returns
    -------
    (k, n) float ndarray
        ``k`` = 1 or 2: one or two columns (or rows of a ``.npy`` with at most two).

    Raises
    ------
    SeriesFileError
        Unknown suffix, unreadable contents, or a file with more than two series.
    """
    npy = _check_suffix(name) == ".npy"
    if npy:
        table = _npy(data, name)
    else:
        csv_table = _csv(data, name)
        t_idx = _time_index(csv_table, None, name)
        cols = [i for i in range(csv_table.ncols) if i != t_idx]
        table = _floats(csv_table, cols, name)
    if table.shape[1] in (1, 2) and table.shape[0] > 2:
        return table.T.copy()
    if npy and table.shape[0] in (1, 2):
        return table
    raise SeriesFileError(f"{name}: expected one or two series, got an array of {table.shape}")


def series_of_file(path: str | Path) -> np.ndarray:
    """The one or two series of a file, as rows (see `series_of_bytes`).

    Raises
    ------
    SeriesFileError
        As `read_table`, or a file with more than two series.
    """
    name, data = _load(path)
    return series_of_bytes(data, name)
