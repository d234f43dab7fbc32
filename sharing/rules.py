"""UK GDPR and s507B rules as plain functions (docs/domain.md is the spec)."""

import re
from dataclasses import dataclass
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


# --- De-identified extracts: how each quasi-identifier is generalised -------------------------------

AGE = {
    "academic_age": "Academic age (age on 31 August)",
    "birth_year": "Year of birth",
    "birth_month": "Year and month of birth",
}
PLACE = {
    "area": "Postcode area (SS)",
    "district": "Postcode district (SS1)",
    "sector": "Postcode sector (SS1 2)",
    "council": "None: the whole council",
}
ETHNICITY = {
    "major": "Major group (White, Mixed, Asian, Black, Chinese, Other, not known)",
    "code": "Census code (WBRI, BAFR, ...)",
    "none": "Left out",
}
GENDER = {"gender": "Gender", "none": "Left out"}
# The school census codes' major groups, by their first letter (CHNE is Chinese; REFU, NOBT not known).
AREA = re.compile(r"[A-Z]{1,2}")  # a postcode's leading letters
ETHNIC_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "C": "Chinese", "O": "Other"}


@dataclass(frozen=True)
class Generalisation:
    """How an extract shows each quasi-identifier: a row is released only if at least k rows show the
    same values for all of them."""

    age: str = "academic_age"
    place: str = "district"
    ethnicity: str = "major"
    gender: str = "gender"

    @property
    def columns(self) -> tuple[str, ...]:
        """The quasi-identifier columns the extract carries, in order."""
        chosen = (
            ("age", self.age),
            ("place", self.place),
            ("ethnicity", self.ethnicity),
            ("gender", self.gender),
        )
        return tuple(name for name, how in chosen if how not in ("none", "council"))

    def describe(self) -> list[str]:
        return [
            f"Age: {AGE[self.age]}",
            f"Place: {PLACE[self.place]}",
            f"Ethnicity: {ETHNICITY[self.ethnicity]}",
            f"Gender: {GENDER[self.gender]}",
        ]

    def values(
        self, *, date_of_birth: date, academic_age: int, postcode: str, ethnicity: str, gender: str
    ) -> dict:
        """One person's quasi-identifiers, generalised."""
        ages = {
            "academic_age": str(academic_age),
            "birth_year": str(date_of_birth.year),
            "birth_month": date_of_birth.strftime("%Y-%m"),
        }
        shown = {
            "age": ages[self.age],
            "place": postcode_part(postcode, self.place),
            "ethnicity": ethnicity if self.ethnicity == "code" else ethnic_group(ethnicity),
            "gender": gender,
        }
        return {name: shown[name] for name in self.columns}


def postcode_part(postcode: str, part: str) -> str:
    """The postcode's area (SS), district (SS1) or sector (SS1 2); "" when there is none."""
    outward, _, inward = postcode.upper().partition(" ")
    if part == "area":
        return match[0] if (match := AREA.match(outward)) else ""
    if part == "sector":
        return f"{outward} {inward[:1]}" if inward else ""
    return outward if part == "district" else ""


def ethnic_group(code: str) -> str:
    return ETHNIC_GROUPS.get(code[:1], "Not known") if code not in ("REFU", "NOBT") else "Not known"


def k_anonymous(rows: list[dict], quasi_identifiers: tuple[str, ...], k: int) -> tuple[list[dict], int]:
    """Keep only rows whose combination of quasi-identifiers is shared by at least k rows; return
    them and how many were suppressed."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row[q] for q in quasi_identifiers), []).append(row)
    kept = [row for group in groups.values() if len(group) >= k for row in group]
    return kept, len(rows) - len(kept)
