"""serve_app.client.series: the file reader of the CLI and the batch job.

The CSV edge cases of the reader (headers, missing-value tokens, blank lines, ragged
rows, time columns, delimiters, encodings) and the ``.npy`` path, each with the value
or the message it gives.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from serve_app.client.series import (
    SeriesFileError,
    parse_times,
    read_series,
    read_table,
    read_timed_series,
    series_of_bytes,
    series_of_file,
)

NAN = np.nan


def _csv(tmp_path, text: str, name: str = "s.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


class TestReadTable:
    @pytest.mark.parametrize(
        ("text", "header", "table"),
        [
            ("1\n2.5\n-3e2\n", None, [[1], [2.5], [-300]]),
            ("x\n1\n2\n", ["x"], [[1], [2]]),
            ("a,b\n1,2\n3,4\n", ["a", "b"], [[1, 2], [3, 4]]),
            (" a , b \n 1 , 2 \n", ["a", "b"], [[1, 2]]),  # cells are stripped
            ("a,b\n\n1,2\n\n\n3,4\n\n", ["a", "b"], [[1, 2], [3, 4]]),  # blank lines
            ("1,2\n3,4\n", None, [[1, 2], [3, 4]]),
            ("\ufeffa,b\n1,2\n", ["a", "b"], [[1, 2]]),  # UTF-8 byte order mark
            ("a;b\n1;2\n3;4\n", ["a", "b"], [[1, 2], [3, 4]]),  # sniffed delimiters
            ("a\tb\n1\t2\n3\t4\n", ["a", "b"], [[1, 2], [3, 4]]),
            ("0.5\n1.0\n0.25\n", None, [[0.5], [1.0], [0.25]]),  # a "." is no delimiter
        ],
        ids=["numbers", "header", "two", "spaces", "blank", "no-header", "bom", "semicolon",
             "tab", "decimals"],
    )  # fmt: skip
    def test_tables(self, tmp_path, text, header, table):
        got_header, got = read_table(_csv(tmp_path, text))
        assert got_header == header
        assert got.dtype == np.float64
        assert_array_equal(got, np.array(table, dtype=float))

    def test_missing_value_tokens_are_nan(self, tmp_path):
        text = "a,b\n1,\n,2\nNA,na\nn/a,N/A\nnan,NaN\nnull,NULL\n3,4\n"
        _, table = read_table(_csv(tmp_path, text))
        expected = [[1, NAN], [NAN, 2]] + [[NAN, NAN]] * 4 + [[3, 4]]
        assert_array_equal(table, np.array(expected))

    def test_a_row_of_empty_cells_is_a_missing_sample(self, tmp_path):
        # blank lines are skipped, a row of delimiters is a sample with missing values
        _, table = read_table(_csv(tmp_path, "a,b\n1,2\n,\n3,4\n"))
        assert_array_equal(table, [[1, 2], [NAN, NAN], [3, 4]])

    def test_npy(self, tmp_path):
        np.save(tmp_path / "one.npy", np.arange(4))
        np.save(tmp_path / "two.npy", np.arange(6.0).reshape(3, 2))
        assert read_table(tmp_path / "one.npy")[1].shape == (4, 1)
        header, table = read_table(tmp_path / "two.npy")
        assert header is None and table.dtype == np.float64
        assert_array_equal(table, np.arange(6.0).reshape(3, 2))

    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("s.csv", b"", "s.csv: empty file"),
            ("s.csv", b"\n\n  \n", "s.csv: empty file"),
            ("s.csv", b"a,b\n1,2\n3\n", "s.csv: row 2 has 1 values, not 2"),
            ("s.csv", b"a,b\n1,2\n3,4,5\n", "s.csv: row 2 has 3 values, not 2"),
            ("s.csv", b"a,b\n1,2\n3,x\n", "s.csv: row 2: could not convert string to float: 'x'"),
            ("s.csv", "a\n1\n\xe9\n".encode("latin-1"), "s.csv: not a UTF-8 text file"),
            ("s.json", b"[1, 2]", "s.json: unknown input type '.json'; use .csv or .npy"),
            ("s.npy", b"not an array", "s.npy: not a readable .npy array"),
            ("s.csv", b'a\n"1\n2\n', "s.csv: not a readable CSV table: Error tokenizing"),
        ],
        ids=[
            "empty",
            "blank",
            "short-row",
            "long-row",
            "text-cell",
            "latin-1",
            "suffix",
            "npy",
            "open-quote",
        ],
    )
    def test_errors(self, tmp_path, name, data, message):
        with pytest.raises(SeriesFileError) as info:
            read_table(_csv(tmp_path, data, name))
        assert str(info.value).startswith(message), str(info.value)

    def test_3d_npy_and_missing_file(self, tmp_path):
        np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
        with pytest.raises(SeriesFileError, match=r"expected a 1-D or 2-D array, got shape"):
            read_table(tmp_path / "cube.npy")
        with pytest.raises(SeriesFileError, match="does not exist"):
            read_table(tmp_path / "nope.csv")


class TestColumns:
    def test_pick_by_name_or_index(self, tmp_path):
        path = _csv(tmp_path, "a,b\n1,2\n3,4\n5,6\n")
        assert_array_equal(read_series(path, "b"), [2, 4, 6])
        assert_array_equal(read_series(path, "0"), [1, 3, 5])
        with pytest.raises(SeriesFileError, match=r"2 columns; pick one with --column \(a, b\)"):
            read_series(path)
        with pytest.raises(SeriesFileError, match=r"no column 'c' \(columns: \['a', 'b'\]\)"):
            read_series(path, "c")

    def test_one_unnamed_column_ignores_column(self, tmp_path):
        np.save(tmp_path / "x.npy", np.arange(3.0))
        assert_array_equal(read_series(tmp_path / "x.npy", "nino3"), [0, 1, 2])
        assert_array_equal(read_series(_csv(tmp_path, "1\n2\n"), "nino3"), [1, 2])


class TestTimeColumn:
    def test_named_time_column_of_numbers(self, tmp_path):
        ts = read_timed_series(_csv(tmp_path, "Time,v\n1950.0,1\n1950.25,2\n1950.5,\n"))
        assert (ts.name, ts.time_name) == ("v", "Time")
        assert ts.time.dtype == np.float64
        assert_array_equal(ts.time, [1950.0, 1950.25, 1950.5])
        assert_array_equal(ts.values, [1, 2, NAN])

    @pytest.mark.parametrize("header", ["date", "DateTime", "timestamp", "time"])
    def test_time_names(self, tmp_path, header):
        ts = read_timed_series(_csv(tmp_path, f"x,{header}\n1,2000-01-01\n2,2000-01-02\n"))
        assert ts.time_name == header and ts.name == "x"
        assert_array_equal(ts.time, np.array(["2000-01-01", "2000-01-02"], "M8[ns]"))

    def test_first_column_of_dates_without_header(self, tmp_path):
        ts = read_timed_series(_csv(tmp_path, "2000-01,1\n2000-02,2\n2000-03,3\n"))
        assert (ts.name, ts.time_name) == ("", "")
        assert ts.time.dtype == np.dtype("M8[ns]")
        assert_array_equal(ts.time, np.arange("2000-01", "2000-04", dtype="M8[M]"))
        assert_array_equal(ts.values, [1, 2, 3])

    def test_first_column_of_dates_with_header(self, tmp_path):
        ts = read_timed_series(_csv(tmp_path, "when,x\n2000-01-01T06:00,1\n2000-01-01T12:00,2\n"))
        assert (ts.name, ts.time_name) == ("x", "when")
        assert ts.time[1] - ts.time[0] == np.timedelta64(6, "h")

    def test_time_column_by_name_or_index(self, tmp_path):
        path = _csv(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
        ts = read_timed_series(path, column="c", time_column="a")
        assert_array_equal(ts.time, [1, 4]) and ts.time_name == "a"
        ts = read_timed_series(path, column="a", time_column="1")
        assert_array_equal(ts.time, [2, 5]) and ts.time_name == "b"
        assert_array_equal(ts.values, [1, 4])
        with pytest.raises(SeriesFileError, match=r"no time column 'z' \(columns: \['a', 'b'"):
            read_timed_series(path, time_column="z")
        with pytest.raises(SeriesFileError, match="column 'a' is the time column"):
            read_timed_series(path, column="a", time_column="a")

    def test_no_time_column(self, tmp_path):
        ts = read_timed_series(_csv(tmp_path, "a,b\n1,2\n3,4\n"), column="b")
        assert ts.time is None and ts.time_name == "" and ts.name == "b"

    def test_npy_has_no_time_column(self, tmp_path):
        np.save(tmp_path / "x.npy", np.arange(3.0))
        ts = read_timed_series(tmp_path / "x.npy")
        assert ts.time is None and ts.name == ""
        with pytest.raises(SeriesFileError, match=r"a \.npy file has no time column"):
            read_timed_series(tmp_path / "x.npy", time_column="t")

    def test_non_iso_dates(self, tmp_path):
        ts = read_timed_series(_csv(tmp_path, "date,v\n01/31/2000,1\n02/29/2000,2\n"))
        assert_array_equal(ts.time, np.array(["2000-01-31", "2000-02-29"], "M8[ns]"))

    def test_times_neither_numbers_nor_dates(self, tmp_path):
        with pytest.raises(SeriesFileError, match="neither numbers nor dates"):
            read_timed_series(_csv(tmp_path, "date,v\nmonday,1\ntuesday,2\n"))


class TestSeriesOfBytes:
    def test_one_or_two_columns_as_rows(self):
        assert_array_equal(series_of_bytes(b"1\n2\n3\n", "a.csv"), [[1, 2, 3]])
        got = series_of_bytes(b"date,x,y\n2000-01,1,4\n2000-02,2,5\n2000-03,3,6\n", "a.csv")
        assert_array_equal(got, [[1, 2, 3], [4, 5, 6]])  # the time column is dropped

    def test_npy_rows_or_columns(self):
        import io

        def npy(a):
            buf = io.BytesIO()
            np.save(buf, a)
            return buf.getvalue()

        assert series_of_bytes(npy(np.zeros((2, 5))), "a.npy").shape == (2, 5)
        assert series_of_bytes(npy(np.zeros((5, 2))), "a.npy").shape == (2, 5)
        with pytest.raises(SeriesFileError, match=r"expected one or two series.*\(5, 3\)"):
            series_of_bytes(npy(np.zeros((5, 3))), "a.npy")

    def test_three_columns_or_two_rows_refused(self, tmp_path):
        with pytest.raises(SeriesFileError, match="expected one or two series"):
            series_of_bytes(b"1,2,3\n4,5,6\n7,8,9\n", "a.csv")
        with pytest.raises(SeriesFileError, match="expected one or two series"):
            series_of_file(_csv(tmp_path, "1,2\n3,4\n"))


def test_parse_times():
    assert parse_times(["1.5", " 2 "]).tolist() == [1.5, 2.0]
    assert parse_times(["2000-01-01", "2000-01-02T12:00"]).dtype == np.dtype("M8[ns]")
    with pytest.raises(SeriesFileError, match="neither numbers nor dates"):
        parse_times(["x", "y"])
