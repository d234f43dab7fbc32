import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import authenticator, sign_in_verified


@pytest.fixture
def api_for():
    """api_for(user) -> an API client signed in through a verified browser session (None: anonymous)."""

    def client(user):
        api = APIClient()
        if user is not None:
            sign_in_verified(api, user)
        return api

    return client


@pytest.fixture
def token_for(capsys):
    """token_for(user) -> a token minted by the server command, as a system administrator would."""

    def mint(user):
        authenticator(user)
        call_command("api_token_create", user.username)
        return capsys.readouterr().out.strip()

    return mint
