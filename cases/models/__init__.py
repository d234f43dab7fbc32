"""The young person and the people and records around them.

Every model holding personal data or policy derives from ``Tracked``: it carries provenance (where
the information came from and when) and simple-history, so each history row keeps the user, the
reason and the source of that change.
"""

from cases.models.base import CodeTable, Ethnicity, Organisation, Source, Team, Tracked
from cases.models.people import (
    ParentCarer,
    YoungPerson,
    YoungPersonPermission,
    YoungPersonUserObjectPermission,
)
from cases.models.records import (
    AccessEvent,
    Action,
    Attendance,
    CaseloadFacts,
    CasesPermission,
    Contact,
    ContactInterval,
    IdentifierClash,
    Qualification,
    SensitiveNote,
    Tombstone,
    WorkListDay,
    WorkListEntry,
)
from cases.models.restrictions import GivenBy, Restriction

__all__ = [
    "AccessEvent",
    "Action",
    "Attendance",
    "CaseloadFacts",
    "CasesPermission",
    "CodeTable",
    "Contact",
    "ContactInterval",
    "Ethnicity",
    "GivenBy",
    "IdentifierClash",
    "Organisation",
    "ParentCarer",
    "Qualification",
    "Restriction",
    "SensitiveNote",
    "Source",
    "Team",
    "Tombstone",
    "Tracked",
    "WorkListDay",
    "WorkListEntry",
    "YoungPerson",
    "YoungPersonPermission",
    "YoungPersonUserObjectPermission",
]
