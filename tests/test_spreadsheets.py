"""Every CSV the service writes goes through core.spreadsheets (formulas neutralised), and names and
addresses that start like formulas are refused on every way in: pages, the API and imports."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from exchange import formats
from tests.cases.test_young_person_forms import edit_form

ROOT = Path(settings.BASE_DIR)
APPS = ("cases", "core", "tracking", "sharing", "exchange", "retention", "demo", "youthservice")


def test_no_code_writes_csv_but_the_one_writer():
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if writers.search(path.read_text()) and path != ROOT / "core" / "spreadsheets.py"
    ]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_family_name", "=HYPERLINK(1)"),
        ("legal_given_name", "-Ada"),
        ("town", "@SUM(A1)"),
        ("address_line_1", "+44"),
    ],
)
def test_a_formula_is_refused_on_the_edit_page(world, client_for, field, value):
    response = client_for(world.adviser).post(
        reverse("cases:young-person-edit", args=[world.case.pk]),
        edit_form(world.case, reason="Typing", **{field: value}),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    world.case.refresh_from_db()
    assert getattr(world.case, field) != value


@pytest.mark.django_db
def test_a_formula_is_refused_by_the_api(world, api_client_for_adviser):
    api, url = api_client_for_adviser
    etag = api.get(url)["ETag"]
    response = api.patch(
        url, {"town": "=cmd|' /C calc'!A0", "reason": "x"}, format="json", headers={"If-Match": etag}
    )
    assert response.status_code == 400
    assert "town" in response.json()


@pytest.fixture
def api_client_for_adviser(world):
    from rest_framework.test import APIClient

    from tests.factories import sign_in_verified

    api = APIClient()
    sign_in_verified(api, world.adviser)
    return api, f"/api/v1/young-people/{world.case.pk}/"


@pytest.mark.parametrize(
    ("column", "value"), [("family_name", "-Smith"), ("address_line_1", "=1+1"), ("town", "@x")]
)
def test_a_formula_is_refused_in_an_import_row(column, value):
    parse = next(c for f in formats.FORMATS.values() for c in f.columns if c.name == column).parse
    with pytest.raises(ValueError, match=r"spreadsheet would run it|character names cannot have"):
        parse(value, {})


def test_an_ordinary_name_and_address_pass():
    for column, value in (
        ("family_name", "O'Neil-Quenby"),
        ("address_line_1", "3 Mill Lane"),
        ("town", "Leigh-on-Sea"),
    ):
        parse = next(c for f in formats.FORMATS.values() for c in f.columns if c.name == column).parse
        assert parse(value, {}) == value
