"""The one way the service writes CSV (a caseload, a share package, a school's feedback file, an
extract, the Activity Survey, an import's errors): a cell that starts like a formula (= + - @, tab,
carriage return) is written with a leading apostrophe, so no spreadsheet that opens the file runs it."""

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(cell: Any) -> Any:
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``header`` and ``rows``; returns how many rows."""
    writer = csv.writer(stream)
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
        written += 1
    return written


def write_dict_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Rows as mappings, in ``header``'s order (a missing key is an empty cell)."""
    return write_csv(stream, header, ([row.get(key, "") for key in header] for row in rows))
