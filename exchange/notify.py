"""Sending a self-update link by text message or email: through GOV.UK Notify when an API key is
configured (``NOTIFY_API_KEY`` and a template id per channel), otherwise on this machine the way the
embedded default always has (emails through Django's mail backend, the console unless ``EMAIL_URL``
says otherwise; text messages written to the console, or appended to ``SMS_FILE_PATH``).

Notify's templates take three fields: ``first_name``, ``link`` and ``expires`` (docs/operations.md)."""

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

EMAIL, SMS = "email", "sms"
LOCAL_STATUS = "sent-locally"  # not through Notify: nobody reports a delivery


class RefusedError(Exception):
    """Notify refused the message as it stands (400: not a mobile number, a bad address)."""


class UnavailableError(Exception):
    """Notify could not take the message now (unreachable, rate limited, an error on its side): try
    again later."""


@dataclass(frozen=True)
class Message:
    first_name: str
    link: str
    expires: str

    def text(self) -> str:
        return (
            f"Hello {self.first_name}, your personal adviser would like to know what you are doing now. "
            f"It takes a minute: {self.link} The link works once, until {self.expires}."
        )


def configured() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def channels() -> list[str]:
    """The ways a link can be sent here: email always; text messages through Notify, or to the
    console while developing (DEBUG), never silently nowhere."""
    return [SMS, EMAIL] if configured() or settings.DEBUG else [EMAIL]


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL)


def send(channel: str, address: str, message: Message, reference: str) -> tuple[str, str]:
    """Send ``message`` to a phone number or email address; returns (notification id, status).
    ``reference`` (ids only) comes back in Notify's records and callbacks."""
    if not configured():
        return _send_locally(channel, address, message), LOCAL_STATUS
    personalisation = {"first_name": message.first_name, "link": message.link, "expires": message.expires}
    try:
        if channel == SMS:
            response = _client().send_sms_notification(
                address, settings.NOTIFY_SMS_TEMPLATE_ID, personalisation=personalisation, reference=reference
            )
        else:
            response = _client().send_email_notification(
                address,
                settings.NOTIFY_EMAIL_TEMPLATE_ID,
                personalisation=personalisation,
                reference=reference,
            )
    except HTTPError as error:  # its message may quote the number: never passed on
        raise (RefusedError if error.status_code == 400 else UnavailableError)() from None
    return str(response["id"]), "created"


def status(notification_id: str) -> str:
    """Notify's status of a notification now (created, sending, delivered, permanent-failure, ...)."""
    try:
        return str(_client().get_notification_by_id(notification_id)["status"])
    except HTTPError:
        raise UnavailableError from None


def _send_locally(channel: str, address: str, message: Message) -> str:
    if channel == EMAIL:
        send_mail("Tell us what you are doing now", message.text(), None, [address])
    else:
        line = f"Text message to {address}: {message.text()}\n"
        if settings.SMS_FILE_PATH:
            with Path(settings.SMS_FILE_PATH).open("a", encoding="utf-8") as outbox:
                outbox.write(line)
        else:
            sys.stdout.write(line)
    return f"local-{uuid.uuid4()}"
