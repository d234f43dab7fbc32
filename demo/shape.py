"""The shape of a synthetic council: its size, and the rates its people are drawn with (national 2025
figures, docs/domain.md). demo.synthetic draws a council of this shape."""

from dataclasses import dataclass

DISTRICTS = (
    [f"SS{n}" for n in range(0, 18)] + [f"CM{n}" for n in range(1, 12)] + [f"ME{n}" for n in range(1, 20)]
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Post-16 situations for academic ages 16-17 (national 2025 figures: NEET 3.4%, not known 2.2%).
POST16 = [
    ("230", 30),
    ("210", 22),
    ("220", 12),
    ("310", 7),
    ("320", 3),
    ("270", 3),
    ("250", 2),
    ("330", 4),
    ("260", 1),
    ("530", 2),
    ("410", 3),
    ("450", 1),
    ("619", 2),
    ("610", 0.8),
    ("630", 0.3),
    ("640", 0.3),
    ("710", 0.2),
]
NOT_KNOWN_SHARE = 0.022
UNASSIGNED = 0.02  # new referrals waiting for a manager to allocate them
CHARACTERISTICS = [
    ("110", 0.006),
    ("130", 0.004),
    ("140", 0.01),
    ("150", 0.004),
    ("160", 0.008),
    ("170", 0.004),
    ("180", 0.004),
    ("120", 0.004),
    ("200", 0.006),
    ("210", 0.02),
]


@dataclass(frozen=True)
class Shape:
    young_people: int
    teams: int
    advisers_per_team: int
    contacts_per_person: int = 10
