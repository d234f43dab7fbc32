import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.factories import authenticator


@pytest.fixture
def token_for(capsys):
    """token_for(user) -> a token minted by the server command, as a system administrator would."""

    def mint(user):
        authenticator(user)
        call_command("api_token_create", user.username)
        return capsys.readouterr().out.strip()

    return mint


@pytest.fixture
def wsgi_app():
    """The real WSGI application; like Django's test client, it must not close the test's connection
    between requests (that would end the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
