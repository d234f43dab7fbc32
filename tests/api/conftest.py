import pytest
from django.core.management import call_command

from tests.factories import authenticator


@pytest.fixture
def token_for(capsys):
    """token_for(user) -> a token minted by the server command, as a system administrator would."""

    def mint(user):
        authenticator(user)
        call_command("api_token_create", user.username)
        return capsys.readouterr().out.strip()

    return mint
