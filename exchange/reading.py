"""Reading an uploaded file (CSV or XLSX, its type found by content) and checking every row against
its format before anything is saved: each bad line with its reason, never its values.

What is read is bounded before and while parsing, so no file can exhaust the server: a workbook's
unpacked size and compression ratio are looked at before it is opened, and rows, columns and cells
are counted as they are read. A file past a bound is ``UnreadableError``: rejected whole, with the reason."""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from exchange.formats import XLSX_MAGIC, Column, Format, Lookups, header_key
from sharing.services import TRANSFER_FORMAT

API_ROWS = "youthservice-api-rows-1"  # an API upsert's rows, kept as its batch's file (exchange.services)

# --- Reading ---------------------------------------------------------------------------------------

MAX_ROWS = 200_000  # a large council's whole Year 11 to 13 roll is about 60,000
MAX_COLUMNS = 100
MAX_CELL = 1_000  # characters in one cell
MAX_UNPACKED = 80 * 1024 * 1024  # a workbook's parts, unpacked (a 60,000-row roll is about 40 MB)
MAX_RATIO = 100  # unpacked to packed, for any part over a megabyte (sheets pack about 10 to 1)
MAX_ERRORS = 1_000  # bad rows kept and listed; the rest are counted


class UnreadableError(ValueError):
    """The file as a whole cannot be taken: it is rejected with this reason, nothing of it saved."""


def inspect_workbook(content: bytes) -> None:
    """Look inside an .xlsx (a zip) before opening it: refuse one that is not a zip, unpacks past
    ``MAX_UNPACKED`` or packs any large part more than ``MAX_RATIO`` to 1 (a decompression bomb)."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableError("the file is not a readable Excel workbook") from error
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise UnreadableError(
            f"the workbook unpacks to more than {MAX_UNPACKED // 2**20} MB: split it or save it as CSV"
        )
    for part in parts:
        if part.file_size > 2**20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise UnreadableError("the workbook unpacks to far more than it holds: save it again as CSV")


def _bounded(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    for count, values in enumerate(rows, start=1):
        if count > MAX_ROWS + 1:
            raise UnreadableError(f"the file has more than {MAX_ROWS:,} rows: split it")
        if len(values) > MAX_COLUMNS and any(values[MAX_COLUMNS:]):
            raise UnreadableError(f"line {count} has more than {MAX_COLUMNS} columns")
        yield values[:MAX_COLUMNS]


def sniff(content: bytes, file_name: str) -> str:
    """'csv', 'xlsx', 'json' (a council's transfer package) or 'rows' (an API upsert's rows), or
    ValueError for anything else (checked by content, not only the name)."""
    if content.startswith(XLSX_MAGIC) and file_name.lower().endswith(".xlsx"):
        return "xlsx"
    if file_name.lower().endswith(".json"):
        try:
            package = json.loads(content)
        except ValueError:
            package = None
        if isinstance(package, dict) and package.get("format") == TRANSFER_FORMAT:
            return "json"
        if isinstance(package, dict) and package.get("format") == API_ROWS:
            return "rows"
        raise ValueError("A .json file must be a transfer package from another council")
    if file_name.lower().endswith(".csv") and b"\x00" not in content[:4096]:
        return "csv"
    raise ValueError("The file must be a CSV or an Excel (.xlsx) workbook")


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def read(content: bytes, kind: str) -> Iterator[list[str]]:
    """Every row of the file (the header first) as a list of strings, within the bounds above."""
    return _bounded(_rows(content, kind))


def _rows(content: bytes, kind: str) -> Iterator[list[str]]:
    if kind == "json":
        package = json.loads(content)
        people = package.get("people", [])
        header = sorted({key for person in people for key in person})
        yield [*header, "previous_la"]
        for person in people:
            yield [_cell(person.get(key)) for key in header] + [str(package.get("from_la", ""))]
        return
    if kind == "rows":
        rows = json.loads(content)
        yield list(rows["columns"])
        for values in rows["rows"]:
            yield [_cell(value) for value in values]
        return
    if kind == "xlsx":
        from openpyxl import load_workbook

        inspect_workbook(content)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
                yield [_cell(v) for v in values]
        finally:
            workbook.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    try:
        for values in csv.reader(io.StringIO(text, newline="")):
            yield [v.strip() for v in values]
    except csv.Error as error:  # a field past the csv module's limit (131,072 characters), a stray NUL
        raise UnreadableError(
            "the file is not a readable CSV (a cell is far too long, or it holds binary)"
        ) from error


def count_rows(content: bytes, kind: str) -> int:
    """About how many rows the file has (for the progress bar), without checking it."""
    if kind == "json":
        return len(json.loads(content).get("people", [])) + 1
    if kind == "rows":
        return len(json.loads(content)["rows"]) + 1
    if kind == "xlsx":
        from openpyxl import load_workbook

        inspect_workbook(content)
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        try:
            return workbook.worksheets[0].max_row or 0
        finally:
            workbook.close()
    return content.count(b"\n") + (not content.endswith(b"\n"))


# --- Checking --------------------------------------------------------------------------------------


@dataclass
class Checked:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # the first MAX_ERRORS
    error_rows: int = 0  # every bad row, listed or not

    def refuse(self, line: int, reason: str) -> None:
        self.error_rows += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, reason))


def _columns_of(header: list[str], file_format: Format, checked: Checked) -> dict[int, Column]:
    by_header = {
        header_key(h): column for column in file_format.columns for h in (*column.headers, column.name)
    }
    positions = {i: by_header[header_key(h)] for i, h in enumerate(header) if header_key(h) in by_header}
    missing = [c.headers[0] for c in file_format.columns if c.required and c not in positions.values()]
    if missing:
        checked.refuse(1, f"the header has no column for {', '.join(missing)}")
    return positions


def _parse(values: list[str], positions: dict[int, Column], lookups: Lookups) -> tuple[dict, list[str]]:
    row, problems = {}, []
    for i, column in positions.items():
        value = values[i] if i < len(values) else ""
        if len(value) > MAX_CELL:
            problems.append(f"{column.headers[0]}: longer than {MAX_CELL:,} characters")
            continue
        if not value:
            if column.required:
                problems.append(f"{column.headers[0]}: missing")
            continue
        try:
            row[column.name] = column.parse(value, lookups)
        except ValueError as error:
            problems.append(f"{column.headers[0]}: {error}")
    return row, problems


def check(content: bytes, kind: str, file_format: Format, on_row=None) -> Checked:
    """Parse and check every row; collect each bad row's line and reason (never its values)."""
    lookups = Lookups.load()
    checked = Checked()
    rows = read(content, kind)
    positions = _columns_of(next(rows, []), file_format, checked)
    if checked.errors:
        return checked
    seen: dict[tuple[str, str], int] = {}
    for line, values in enumerate(rows, start=2):
        if not any(values):
            continue
        row, problems = _parse(values, positions, lookups)
        row["line"] = line
        if not problems:
            problems = [p for p in (row_check(row) for row_check in file_format.row_checks) if p]
        for identifier in ("upn", "uln"):  # one pupil a line; the temporary ULN is many learners'
            value = row.get(identifier)
            first = (
                line
                if not value or value in lookups.ignored_identifiers
                else seen.setdefault((identifier, value), line)
            )
            if first != line:
                problems.append(f"the {identifier.upper()} is the same as on line {first}")
        if problems:
            checked.refuse(line, "; ".join(problems))
        else:
            checked.rows.append(row)
        if on_row is not None:
            on_row(line)
    if not checked.rows and not checked.errors:
        checked.refuse(1, "the file has no rows below its header")
    return checked
