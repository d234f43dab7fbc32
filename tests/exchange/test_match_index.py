"""What an import reads to match a file: the holders of the file's identifiers, and people born within
a week of the rows no identifier settles (or with day and month swapped); the names' frequencies
counted among everyone on file. Read for the file, so its cost grows with the file, not the council."""

from datetime import date, timedelta

import pytest

from cases.models import YoungPerson
from exchange import selectors
from exchange.matching import Person
from tests.factories import YoungPersonFactory, valid_upn

pytestmark = pytest.mark.django_db
BORN = date(2010, 3, 4)  # day and month swapped: 3 April


def on_file(born: date, upn: str = "", family: str = "Quenby") -> YoungPerson:
    return YoungPersonFactory(
        legal_given_name="Cara", legal_family_name=family, date_of_birth=born, upn=upn, uln=""
    )


def test_the_index_reads_identifier_holders_and_people_born_in_unsettled_rows_windows():
    holder = on_file(date(2008, 1, 1), upn=valid_upn(), family="Yarrowby")
    read = [
        on_file(BORN - timedelta(days=7)),
        on_file(BORN + timedelta(days=7)),
        on_file(date(2010, 4, 3)),
    ]
    not_read = [
        on_file(BORN - timedelta(days=8)),
        on_file(BORN + timedelta(days=8)),
        on_file(date(2012, 6, 6)),  # born on the day of a row its UPN settles
    ]
    rows = [
        Person("Cara", "Yarrowby", date(2012, 6, 6), upn=holder.upn),
        Person("Cara", "Quenby", BORN),
    ]
    index = selectors.match_index(rows, frozenset())
    assert index.ids == {holder.pk, *(person.pk for person in read)}
    assert {person.pk for person in not_read}.isdisjoint(index.ids)


def test_a_holder_born_in_another_rows_window_is_a_candidate_for_that_row_too():
    holder = on_file(BORN + timedelta(days=1), upn=valid_upn())
    rows = [
        Person("Cara", "Quenby", BORN + timedelta(days=1), upn=holder.upn),
        Person("Cara", "Quenby", BORN),
    ]
    index = selectors.match_index(rows, frozenset())
    assert [p.id for p in index.candidates(rows[1])] == [holder.pk]


def test_a_deny_listed_identifier_reads_no_holder_and_leaves_the_row_to_the_window():
    temporary = on_file(date(2001, 1, 1), family="Yarrowby")
    YoungPerson.objects.filter(pk=temporary.pk).update(uln="9999999999")
    same_day = on_file(BORN)
    index = selectors.match_index(
        [Person("Cara", "Quenby", BORN, uln="9999999999")], frozenset({"9999999999"})
    )
    assert index.ids == {same_day.pk}


def test_name_frequencies_count_everyone_on_file_not_only_those_read():
    for n in range(3):
        on_file(date(2001, 1, 1 + n), family="Yarrowby")
    on_file(date(2002, 2, 2), family="Quenby")
    index = selectors.match_index([Person("Cara", "Yarrowby", BORN)], frozenset())
    assert index.ids == set()
    frequencies = index.frequencies
    assert (frequencies.family["yarrowby"], frequencies.given["cara"], frequencies.people) == (3, 4, 4)
    assert frequencies.full[("cara", "yarrowby")] == 3
