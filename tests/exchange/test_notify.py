"""Self-update links through GOV.UK Notify, with its own client library talking HTTP to a stand-in for
Notify's API on this machine: the request carries a token signed with the key's secret, the template,
the number or address and the personalisation; the record keeps what became of it, checked again
every ten minutes; a refused number is recorded, a Notify that cannot take the message now is tried
again. Without a key, the embedded default sends emails through Django's mail backend and text
messages only to the console while developing."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail
from django.urls import reverse

from exchange import notify, services, tasks
from exchange.models import SelfUpdateLink
from tests.factories import YoungPersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
SMS_TEMPLATE, EMAIL_TEMPLATE = str(uuid.uuid4()), str(uuid.uuid4())


class FakeNotify(BaseHTTPRequestHandler):
    """Notify's v2 API as far as we use it: send a text message or email, read a notification."""

    received: list[dict] = []
    answer = 201
    status = "sending"

    def _reply(self, code: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        FakeNotify.received.append({"path": self.path, "body": body, "issuer": claims["iss"]})
        if FakeNotify.answer != 201:
            self._reply(
                FakeNotify.answer, {"errors": [{"error": "BadRequestError", "message": "not a mobile"}]}
            )
            return
        self._reply(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    def do_GET(self):
        self._reply(200, {"id": self.path.rsplit("/", 1)[-1], "status": FakeNotify.status})

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(autouse=True)
def reachable(world):
    """The young person has a mobile number on file."""
    type(world.case).objects.filter(pk=world.case.pk).update(phone="07700 900123")
    world.case.refresh_from_db()


@pytest.fixture
def fake_notify(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNotify.received, FakeNotify.answer, FakeNotify.status = [], 201, "sending"
    settings.NOTIFY_API_KEY = f"youthservice_test-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.NOTIFY_SMS_TEMPLATE_ID, settings.NOTIFY_EMAIL_TEMPLATE_ID = SMS_TEMPLATE, EMAIL_TEMPLATE
    yield FakeNotify
    server.shutdown()


def send(client, person, channel, captured):
    with captured(execute=True):
        return client.post(reverse("exchange:self-update-send", args=[person.pk]), {"channel": channel})


def test_a_text_message_goes_through_notify_and_its_delivery_is_recorded(
    world, client_for, fake_notify, django_capture_on_commit_callbacks
):
    person = world.case
    response = send(client_for(world.adviser), person, "sms", django_capture_on_commit_callbacks)
    assert response.url.endswith("#self-update")
    [request] = fake_notify.received
    assert request["path"] == "/v2/notifications/sms"
    assert request["issuer"] == SERVICE_ID  # signed with the key's secret, by Notify's own client
    link = SelfUpdateLink.objects.get(young_person=person)
    assert request["body"]["phone_number"] == person.phone
    assert request["body"]["template_id"] == SMS_TEMPLATE
    assert request["body"]["reference"] == f"self-update-link-{link.pk}"  # ids only
    personalisation = request["body"]["personalisation"]
    assert personalisation["first_name"] == person.known_as
    assert "/update/" in personalisation["link"]
    assert (link.channel, link.delivery) == ("sms", "created")
    assert link.notification_id

    fake_notify.status = "delivered"
    assert tasks.self_update_delivery_check.delay().get() == 1
    link.refresh_from_db()
    assert link.delivery == "delivered"
    page = (
        client_for(world.adviser).get(reverse("cases:young-person-detail", args=[person.pk])).content.decode()
    )
    assert "Delivered" in page
    assert tasks.self_update_delivery_check.delay().get() == 0  # a final status is not asked again


def test_an_email_goes_through_notify_with_its_own_template(
    world, client_for, fake_notify, django_capture_on_commit_callbacks
):
    person = YoungPersonFactory(team=world.team, lead_adviser=world.adviser, email="ann@example.invalid")
    send(client_for(world.adviser), person, "email", django_capture_on_commit_callbacks)
    [request] = fake_notify.received
    assert request["path"] == "/v2/notifications/email"
    assert (request["body"]["email_address"], request["body"]["template_id"]) == (
        "ann@example.invalid",
        EMAIL_TEMPLATE,
    )
    assert mail.outbox == []  # Notify sent it, not our mail backend


def test_a_number_notify_refuses_is_recorded_as_not_sent(
    world, client_for, fake_notify, django_capture_on_commit_callbacks
):
    fake_notify.answer = 400
    send(client_for(world.adviser), world.case, "sms", django_capture_on_commit_callbacks)
    link = SelfUpdateLink.objects.get(young_person=world.case)
    assert link.delivery == "refused"
    assert link.undelivered


def test_while_notify_cannot_take_it_the_link_waits_to_be_tried_again(world, fake_notify):
    fake_notify.answer = 503
    link, token = services.self_update_send(young_person=world.case, actor=world.adviser, channel="sms")
    with pytest.raises(notify.UnavailableError):
        services.self_update_deliver(link_id=link.pk, token=token)
    link.refresh_from_db()
    assert link.delivery == "queued"
    fake_notify.answer = 201
    assert services.self_update_deliver(link_id=link.pk, token=token) == "created"
    assert services.self_update_deliver(link_id=link.pk, token=token) == "created"  # never sent twice
    assert len([r for r in fake_notify.received if r["path"].endswith("/sms")]) == 2  # the 503, then one


def test_a_shown_link_sends_nothing(world, client_for, fake_notify, django_capture_on_commit_callbacks):
    client = client_for(world.adviser)
    response = send(client, world.case, "shown", django_capture_on_commit_callbacks)
    assert fake_notify.received == []
    page = client.get(response.url).content.decode()
    assert "Copy it now" in page


def test_only_the_ways_the_record_can_be_reached_are_offered(world, client_for, fake_notify):
    no_email = YoungPersonFactory(team=world.team, lead_adviser=world.adviser, email="", phone="07700 900123")
    form = (
        client_for(world.adviser)
        .get(reverse("exchange:self-update-send", args=[no_email.pk]))
        .context["form"]
    )
    assert [value for value, _ in form.fields["channel"].choices] == ["sms", "shown"]
    forged = client_for(world.adviser).post(
        reverse("exchange:self-update-send", args=[no_email.pk]), {"channel": "email"}
    )
    assert "Select one of the answers" in forged.content.decode()
    assert not SelfUpdateLink.objects.filter(young_person=no_email).exists()


def test_without_notify_text_messages_are_offered_only_while_developing(world, client_for, settings):
    settings.NOTIFY_API_KEY = ""
    url = reverse("exchange:self-update-send", args=[world.case.pk])
    settings.DEBUG = False
    choices = client_for(world.adviser).get(url).context["form"].fields["channel"].choices
    assert "sms" not in [value for value, _ in choices]
    settings.DEBUG = True
    choices = client_for(world.adviser).get(url).context["form"].fields["channel"].choices
    assert "sms" in [value for value, _ in choices]


def test_without_notify_a_text_message_is_written_to_the_sms_file(world, settings, tmp_path):
    settings.NOTIFY_API_KEY, settings.SMS_FILE_PATH = "", str(tmp_path / "sms.txt")
    link, token = services.self_update_send(young_person=world.case, actor=world.adviser, channel="sms")
    assert services.self_update_deliver(link_id=link.pk, token=token) == "sent-locally"
    written = (tmp_path / "sms.txt").read_text()
    assert world.case.phone in written
    assert f"/update/{token}/" in written
