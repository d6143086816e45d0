"""Django's password-reset form, mailing only addresses lapseguard trusts for recovery.

`get_users` is Django's hook for who receives a reset mail: the users it leaves out get
none, and the page answers the same as for any address (it must not reveal which
accounts exist or are refused)."""

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ImproperlyConfigured

from .client import LapseguardError, check


def on_error() -> str:
    """LAPSEGUARD_ON_ERROR: `allow` (the default) or `deny`."""
    value = getattr(settings, "LAPSEGUARD_ON_ERROR", "allow")
    if value not in ("allow", "deny"):
        raise ImproperlyConfigured("LAPSEGUARD_ON_ERROR must be 'allow' or 'deny'")
    return value


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        verified_field = getattr(settings, "LAPSEGUARD_VERIFIED_FIELD", None)
        when_unsure = on_error()
        for user in super().get_users(email):
            address = getattr(user, user.get_email_field_name())
            verified_at = getattr(user, verified_field) if verified_field else None
            try:
                decision = check(address, verified_at)
            except LapseguardError:
                if when_unsure == "allow":
                    yield user
                continue
            if decision.eligible:
                yield user
