"""The adapter driven as a Django site uses it, against the running lapseguard with the
fake registry of clients/smoke/fake_rdap.py: `lapsed-*` names are in redemption, the
others active and registered on 2015-03-01."""

import datetime
import io
import socket
import threading

from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from lapseguard_django import LapseguardError, check
from lapseguard_django.forms import PasswordResetForm

from tests import callbacks

#: A port nothing listens on.
CLOSED = "http://127.0.0.1:9"


def reset(email):
    form = PasswordResetForm({"email": email})
    assert form.is_valid(), form.errors
    form.save(domain_override="example.com")
    return [message.to for message in mail.outbox]


class HangingServer:
    """Accepts connections and never answers."""

    def __enter__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self):
        try:
            while True:
                self.held.append(self.socket.accept()[0])
        except OSError:
            pass

    def __exit__(self, *exc):
        for connection in self.held:
            connection.close()
        self.socket.close()


class CheckTests(TestCase):
    def test_an_active_domain_is_eligible_and_a_lapsed_one_is_not(self):
        ok = check("alice@django-active.com")
        self.assertTrue(ok.eligible)
        self.assertEqual(ok.reason, "domain_active")
        lapsed = check("bob@lapsed-django.com", datetime.date(2024, 1, 1))
        self.assertFalse(lapsed.eligible)
        self.assertEqual(lapsed.reason, "domain_in_redemption_period")

    def test_errors_are_lapseguard_errors(self):
        with override_settings(LAPSEGUARD_URL=CLOSED), self.assertRaises(LapseguardError):
            check("alice@django-active.com")
        with self.assertRaisesMessage(LapseguardError, "422 email_missing_at"):
            check("not-an-address")
        with HangingServer() as hanging, override_settings(LAPSEGUARD_URL=hanging.url, LAPSEGUARD_TIMEOUT=0.3):
            with self.assertRaises(LapseguardError):
                check("alice@django-active.com")


class PasswordResetFormTests(TestCase):
    def setUp(self):
        User.objects.create_user("alice", "alice@django-active.com", "pw")
        User.objects.create_user("bob", "bob@lapsed-django.com", "pw")

    def test_only_eligible_addresses_get_the_mail(self):
        self.assertEqual(reset("alice@django-active.com"), [["alice@django-active.com"]])
        mail.outbox.clear()
        self.assertEqual(reset("bob@lapsed-django.com"), [])

    def test_the_verification_field_is_sent(self):
        # Verified in 2010, before the fake registration of 2015: a new holder since.
        User.objects.filter(username="alice").update(date_joined=datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC))
        self.assertEqual(len(reset("alice@django-active.com")), 1, "the field is not sent by default")
        mail.outbox.clear()
        with override_settings(LAPSEGUARD_VERIFIED_FIELD="date_joined"):
            self.assertEqual(reset("alice@django-active.com"), [])

    def test_when_lapseguard_is_down_on_error_decides(self):
        with override_settings(LAPSEGUARD_URL=CLOSED):
            self.assertEqual(len(reset("alice@django-active.com")), 1, "allow is the default")
            mail.outbox.clear()
            with override_settings(LAPSEGUARD_ON_ERROR="deny"):
                self.assertEqual(reset("alice@django-active.com"), [])

    def test_when_lapseguard_is_slow_on_error_decides(self):
        with HangingServer() as hanging:
            with override_settings(LAPSEGUARD_URL=hanging.url, LAPSEGUARD_TIMEOUT=0.3, LAPSEGUARD_ON_ERROR="deny"):
                self.assertEqual(reset("alice@django-active.com"), [])


class SweepTests(TestCase):
    def setUp(self):
        callbacks.CALLED.clear()
        User.objects.create_user("alice", "alice@django-active.com", "pw")
        User.objects.create_user("bob", "bob@lapsed-django.com", "pw")
        User.objects.create_user("carol", "carol-without-at", "pw")
        User.objects.create_user("dave", "", "pw")

    def test_the_sweep_calls_back_the_addresses_not_eligible(self):
        out = io.StringIO()
        call_command("lapseguard_sweep", "--callback", "tests.callbacks.record", stdout=out)
        self.assertEqual([email for email, _ in callbacks.CALLED], ["bob@lapsed-django.com"])
        self.assertEqual(callbacks.CALLED[0][1].reason, "domain_in_redemption_period")
        self.assertIn("checked: 3, not eligible: 1, undecided: 0, invalid: 1", out.getvalue())

    def test_the_sweep_sends_the_verification_field_of_the_model_given(self):
        User.objects.filter(username="alice").update(date_joined=datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC))
        call_command(
            "lapseguard_sweep",
            "--callback",
            "tests.callbacks.record",
            "--model",
            "auth.User",
            "--email-field",
            "email",
            "--verified-field",
            "date_joined",
            stdout=io.StringIO(),
        )
        reasons = {email: decision.reason for email, decision in callbacks.CALLED}
        self.assertEqual(reasons["alice@django-active.com"], "domain_reregistered")

    def test_the_sweep_fails_loudly_when_lapseguard_is_down(self):
        with override_settings(LAPSEGUARD_URL=CLOSED), self.assertRaises(CommandError):
            call_command("lapseguard_sweep", "--callback", "tests.callbacks.record", stdout=io.StringIO())
        self.assertEqual(callbacks.CALLED, [])
