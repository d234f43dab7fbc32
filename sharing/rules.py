"""UK GDPR and s507B rules as plain functions (docs/domain.md is the spec)."""

from datetime import date

from dateutil.relativedelta import relativedelta

MAX_EXTENSION_MONTHS = 2


def subject_request_due(
    *,
    received_on: date,
    identity_verified_on: date | None = None,
    clarification_received_on: date | None = None,
    extension_months: int = 0,
) -> date:
    """One calendar month from the day the clock starts (receipt, or later proof of identity or
    clarification): the same date next month, or that month's last day when the date does not exist
    (31 January -> 28 or 29 February); plus any extension of up to two further months."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is at most {MAX_EXTENSION_MONTHS} further months")
    starts = max(d for d in (received_on, identity_verified_on, clarification_received_on) if d)
    return starts + relativedelta(months=1 + extension_months)


def k_anonymous(rows: list[dict], quasi_identifiers: tuple[str, ...], k: int) -> tuple[list[dict], int]:
    """Keep only rows whose combination of quasi-identifiers is shared by at least k rows; return
    them and how many were suppressed."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row[q] for q in quasi_identifiers), []).append(row)
    kept = [row for group in groups.values() if len(group) >= k for row in group]
    return kept, len(rows) - len(kept)
