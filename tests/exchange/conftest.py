import pytest

from cases.models import Organisation
from tests.factories import OrganisationFactory


@pytest.fixture
def school(db):
    return OrganisationFactory(name="Hillside Academy", kind=Organisation.Kind.SCHOOL, urn="123456")
