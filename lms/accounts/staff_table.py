"""Read HR's staff file (CSV or XLSX) into numbered rows of clean text, before any checking.

Every problem of the file's shape is found here: a wrong file type, text that is not UTF-8, a
header that is not ours, a row with more or fewer values than the header, a value too long for
the CSV reader. Whole-file problems raise :class:`ImportFileError`; a problem of one row is a
:class:`RowError`, and the other rows are still read, so one run lists every problem.

Rows are numbered as a spreadsheet shows them: the header is row 1, and blank rows count.
Empty cells after the last column (spreadsheets pad rows to their widest one) are ignored.
Every value is cleaned (:func:`clean_text`): invisible characters that HR systems and
copy-and-paste leave in names (zero-width spaces, joiners, the BOM, soft hyphens, direction
marks) are removed and the text is NFC-normalised, so what is stored is what is seen.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _

#: Separators a CSV file may use; spreadsheets set to a Thai or European locale write ';'.
DELIMITERS = ",;\t"
SNIFF_LINES = 20


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, not UTF-8, no header...)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    @property
    def as_tuple(self) -> tuple[int, str, str]:
        return self.row, self.column, self.message

    def __str__(self) -> str:
        return _(
            "row %(row)d, column %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass
class Table:
    """The header, the rows (row number, values by column) and the rows that could not be read."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    raw: dict[int, dict[str, str]] = field(default_factory=dict)
    """Values that cleaning emptied, by row number and column: they held only invisible characters."""


def clean_text(value: str) -> str:
    """``value`` without invisible format characters (Unicode category Cf: U+200B-U+200F,
    U+202A-U+202E, U+2060-U+2069, U+FEFF, the soft hyphen U+00AD...) or control characters,
    NFC-normalised and stripped of surrounding spaces."""
    if not value.isprintable():  # Cf and Cc characters are not printable; most values have none
        value = "".join(_visible(ch) for ch in value)
    return unicodedata.normalize("NFC", value).strip()


def _visible(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    return " " if category == "Cc" else char


def _separator_name(mark: str) -> str:
    names = {",": _("comma (,)"), ";": _("semicolon (;)"), "\t": _("tab"), "|": _("pipe (|)")}
    return names[mark]


def read_table(filename: str, data: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> Table:
    """The file's rows, each value a clean string; see the module docstring."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        records = _read_csv(filename, data)
    elif suffix == ".xlsx":
        records = _read_xlsx(data)
    else:
        raise ImportFileError(_("%(name)s: use a .csv or .xlsx file.", name=filename))
    records = [(number, cells) for number, cells in records if cells is None or any(c.strip() for c in cells)]
    if not records or records[0][1] is None:
        raise ImportFileError(_("%(name)s is empty: the first row must be the column names.", name=filename))
    header_cells = records[0][1]
    header = [clean_text(h).lower() for h in header_cells]
    while header and not header[-1]:  # a spreadsheet's empty columns past the last name
        header.pop()
    _check_header(filename, header, columns, required)
    table = Table(header)
    for number, cells in records[1:]:
        _add_row(table, number, cells)
    return table


def _add_row(table: Table, number: int, cells: list[str] | None) -> None:
    width = len(table.header)
    if cells is None:
        table.errors.append(
            RowError(
                number,
                "-",
                _(
                    "a value is longer than %(n)d characters; no column holds that much: check the "
                    "quotes in this row.",
                    n=csv.field_size_limit(),
                ),
            )
        )
        return
    while len(cells) > width and not clean_text(cells[-1]):  # empty cells past the header hold nothing
        cells = cells[:-1]
    if len(cells) != width:
        table.errors.append(RowError(number, "-", _row_width_message(len(cells), width)))
        return
    values = {}
    for column, cell in zip(table.header, cells, strict=True):
        values[column] = clean_text(cell)
        if cell.strip() and not values[column]:
            table.raw.setdefault(number, {})[column] = cell
    table.rows.append((number, values))


def _row_width_message(count: int, width: int) -> str:
    if count > width:
        return _(
            "the row has %(n)d values but the header has %(columns)d columns; a value with the "
            "separator in it (e.g. a comma in a name) must be in double quotes.",
            n=count,
            columns=width,
        )
    return _(
        "the row has %(n)d values but the header has %(columns)d columns; add the missing values "
        "(leave a value empty between two separators).",
        n=count,
        columns=width,
    )


def _read_csv(filename: str, data: bytes) -> list[tuple[int, list[str] | None]]:
    """(row number, cells) per record; cells is None for a record the reader refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (byte %(pos)d). Save it as 'CSV UTF-8' and try again.",
                pos=exc.start,
            )
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(filename, text))
    records: list[tuple[int, list[str] | None]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error:
            cells = None
        records.append((len(records) + 1, cells))


def _delimiter(filename: str, text: str) -> str:
    """The separator of the header row: the one of , ; and tab it uses (one column: a comma).
    When it holds more than one, csv.Sniffer decides from the first rows, or the file is refused."""
    header = text.split("\n", 1)[0]
    used = [d for d in DELIMITERS if d in header]
    if len(used) <= 1:
        return used[0] if used else ","
    sample = "\n".join(text.split("\n", SNIFF_LINES)[:SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        raise ImportFileError(
            _(
                "%(name)s: the first row mixes separators (%(found)s); separate the columns with "
                "one kind only: commas, semicolons or tabs.",
                name=filename,
                found=", ".join(_separator_name(d) for d in used),
            )
        ) from None


def _read_xlsx(data: bytes) -> list[tuple[int, list[str] | None]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from None
    sheet = book.worksheets[0]
    records: list[tuple[int, list[str] | None]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        records.append((number, ["" if v is None else _cell_text(v) for v in values]))
    book.close()
    return records


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_header(
    filename: str, header: list[str], columns: tuple[str, ...], required: tuple[str, ...]
) -> None:
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise ImportFileError(_unknown_columns_message(filename, unknown, columns))
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(
            _("%(name)s: required column(s) missing: %(cols)s.", name=filename, cols=", ".join(missing))
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportFileError(
            _("%(name)s: column(s) appear twice: %(cols)s.", name=filename, cols=", ".join(duplicated))
        )


def _unknown_columns_message(filename: str, unknown: list[str], columns: tuple[str, ...]) -> str:
    message = _(
        "%(name)s: unknown column(s) %(cols)s. Allowed columns: %(allowed)s.",
        name=filename,
        cols=", ".join(unknown),
        allowed=", ".join(columns),
    )
    separators = [_separator_name(mark) for mark in DELIMITERS + "|" if any(mark in h for h in unknown)]
    if separators:
        message += " " + _(
            "A column name holds a %(found)s: separate the columns with commas, semicolons or tabs, "
            "one kind only in the whole file.",
            found=", ".join(separators),
        )
    return message
