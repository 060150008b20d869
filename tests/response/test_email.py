"""Notification e-mail over real SMTP (aiosmtpd on 127.0.0.1): reference and link only."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from tests.factories import report_persona_case
from varde.response.models import EmailState, Notification, NotificationKind
from varde.response.worker import WorkerStats, process_emails, run_worker

from .conftest import assert_no_personal_data


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "varde@varde.example.no"
    settings.VARDE_BASE_URL = "https://varde.example.no"
    try:
        yield inbox
    finally:
        controller.stop()


def _child_reported(world):
    """Mihai reported again by the police, now that every agency has a 24-hour e-mail: the report
    itself (no worker) presumes him a child and queues the notices to child welfare and KOM."""
    return report_persona_case("police_child", world.personas.police, world.agencies.police)


def _text(envelope) -> str:
    msg = message_from_bytes(envelope.content)
    body = msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")
    return str(make_header(decode_header(msg["Subject"]))) + "\n" + body


def test_notification_email_arrives_and_holds_no_personal_data(world, frozen, contacts, smtp_server):
    case = _child_reported(world)
    person = case.person
    secrets = [n.given for n in person.names.all()] + [n.family for n in person.names.all()]
    secrets += [p.number for p in person.phones.all()] + [d.number for d in person.documents.all()]
    assert len(secrets) == 4
    pending = Notification.objects.filter(email_state=EmailState.PENDING)
    # Child welfare (the coordinators see the child in their national view); the e-mail is sent by
    # the worker, after commit.
    assert pending.count() == 1

    stats = run_worker(once=True, consume_events=False)
    assert stats.emails_sent == 1
    assert sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos) == [
        "vakt@bufetat-ost.example.no"
    ]
    for envelope in smtp_server.messages:
        text = _text(envelope)
        assert case.reference in text
        assert "https://varde.example.no/notifications/" in text
        for secret in secrets:
            assert secret not in text
        assert_no_personal_data(text)
        assert "barn" not in text.lower() and "child" not in text.lower()  # not even what it is about
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 1
    assert run_worker(once=True, consume_events=False).emails_sent == 0
    assert len(smtp_server.messages) == 1


def test_smtp_failure_is_retried_later(world, frozen, contacts, smtp_server, settings):
    _child_reported(world)
    server_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    stats = run_worker(once=True, consume_events=False)
    assert stats.emails_failed == 1 and stats.emails_sent == 0
    failed = Notification.objects.filter(kind=NotificationKind.PRESUMED_CHILD).first()
    assert failed.email_state == EmailState.PENDING and failed.email_attempts == 1 and failed.claimed_by == ""
    assert failed.email_next_at == frozen.now + dt.timedelta(seconds=60)
    settings.EMAIL_PORT = server_port
    assert run_worker(once=True, consume_events=False).emails_sent == 0  # not due again yet
    frozen.advance(seconds=61)
    assert run_worker(once=True, consume_events=False).emails_sent == 1
    assert len(smtp_server.messages) == 1


def test_a_mail_claimed_by_a_worker_that_died_is_sent_after_the_lease(world, frozen, contacts, smtp_server):
    _child_reported(world)
    Notification.objects.filter(email_state=EmailState.PENDING).update(
        claimed_by="dead-worker", claimed_until=frozen.now + dt.timedelta(minutes=5)
    )
    stats = WorkerStats()
    process_emails(batch=10, stats=stats, worker_id="alive")
    assert stats.emails_sent == 0 and smtp_server.messages == []
    frozen.advance(minutes=5, seconds=1)
    process_emails(batch=10, stats=stats, worker_id="alive")
    assert stats.emails_sent == 1 and len(smtp_server.messages) == 1
