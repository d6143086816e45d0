"""`manage.py lapseguard_sweep --callback dotted.path`: the batch check over every address
of a model (the user model by default), calling `callback(email, decision)` for each one
lapseguard does not trust for recovery. Addresses it could not decide in time
(`retry_after_seconds`) are counted and left for the next run, not called back: a pace
or an outage is no reason to un-verify anyone."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from lapseguard_django.client import LapseguardError, check_many


class Command(BaseCommand):
    help = "Checks every address of a model with lapseguard and calls back the ones not eligible."

    def add_arguments(self, parser):
        parser.add_argument("--callback", required=True, help="dotted path of callback(email, decision)")
        parser.add_argument("--model", help="app_label.Model holding the addresses (default: the user model)")
        parser.add_argument("--email-field", help="the address field (default: the model's email field)")
        parser.add_argument("--verified-field", help="a date-time field sent as verified_at")

    def handle(self, *args, **options):
        try:
            callback = import_string(options["callback"])
        except ImportError as error:
            raise CommandError(f"cannot import --callback {options['callback']}") from error
        model = apps.get_model(options["model"]) if options["model"] else get_user_model()
        email_field = options["email_field"] or getattr(model, "EMAIL_FIELD", "email")
        verified_field = options["verified_field"] or getattr(settings, "LAPSEGUARD_VERIFIED_FIELD", None)
        fields = [email_field] + ([verified_field] if verified_field else [])
        rows = (
            model._default_manager.exclude(**{email_field: ""})
            .exclude(**{f"{email_field}__isnull": True})
            .order_by("pk")
            .values_list(*fields)
            .iterator(chunk_size=1000)
        )
        pairs = ((row[0], row[1] if verified_field else None) for row in rows)
        counts = {"checked": 0, "not eligible": 0, "undecided": 0, "invalid": 0}
        try:
            for swept in check_many(pairs):
                counts["checked"] += 1
                if swept.problem is not None:
                    counts["invalid"] += 1
                elif isinstance(swept.decision.retry_after_seconds, int):
                    counts["undecided"] += 1
                elif not swept.decision.eligible:
                    counts["not eligible"] += 1
                    callback(swept.email, swept.decision)
        except LapseguardError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()))
