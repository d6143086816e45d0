"""Smoke test of the generated Python client against a live lapseguard (see
clients/smoke.sh): LAPSEGUARD_URL, LAPSEGUARD_TOKEN (check, read and admin scopes) and
SMOKE_DOMAIN, a domain the fake registry reports active."""

import os

from lapseguard_client import AuthenticatedClient, Client
from lapseguard_client.api.overrides import remove_override, set_override
from lapseguard_client.api.recovery import check_batch, check_recovery_eligible
from lapseguard_client.api.watch import get_domain, get_stats, list_transitions, watch_domains
from lapseguard_client.models import (
    BatchItem,
    BatchRequest,
    CheckRequest,
    CheckResponse,
    DecidedItem,
    DomainView,
    InvalidItem,
    OverrideDecision,
    OverrideRequest,
    OverrideState,
    Problem,
    Reason,
    Signal,
    TransitionsPage,
    WatchField,
    WatchRequest,
)

base_url = os.environ["LAPSEGUARD_URL"]
domain = os.environ["SMOKE_DOMAIN"]
client = AuthenticatedClient(base_url=base_url, token=os.environ["LAPSEGUARD_TOKEN"])
email = f"alice@mail.{domain}"

check = check_recovery_eligible.sync_detailed(client=client, body=CheckRequest(email=email))
assert check.status_code == 200, check
assert isinstance(check.parsed, CheckResponse)
assert check.parsed.eligible is True
assert check.parsed.reason == Reason.DOMAIN_ACTIVE
# Dates that are always sent (null or not) are plain values, never `Unset`.
assert check.parsed.registered_at is not None
assert check.parsed.signals == []

# A name on a marketplace's nameservers: refused, with the signal and when it began.
for_sale = check_recovery_eligible.sync(client=client, body=CheckRequest(email=f"bob@for-sale-{domain}"))
assert isinstance(for_sale, CheckResponse)
assert (for_sale.eligible, for_sale.reason) == (False, Reason.DOMAIN_FOR_SALE)
assert [s.signal for s in for_sale.signals] == [Signal.FOR_SALE]
assert for_sale.signals[0].since is not None and "ns1.dan.com" in for_sale.signals[0].evidence

# A nightly sweep: one call, results in order, an invalid item answered on its own.
items = [
    BatchItem(id="u1", email=email),
    BatchItem(id="u2", email=f"bob@for-sale-{domain}"),
    BatchItem(id="u3", email="not-an-address"),
]
swept = check_batch.sync(client=client, body=BatchRequest(items=items))
assert swept is not None and len(swept.results) == 3, swept
first, second, third = swept.results
assert isinstance(first, DecidedItem) and first.id == "u1" and first.eligible is True
assert isinstance(second, DecidedItem) and second.reason == Reason.DOMAIN_FOR_SALE
assert isinstance(third, InvalidItem) and third.problem.code == "email_missing_at"

watched = watch_domains.sync(client=client, body=WatchRequest(domains=[domain], emails=["nope"]))
assert watched is not None and watched.rejected[0].field == WatchField.EMAILS

detail = get_domain.sync(client=client, domain=domain)
assert isinstance(detail, DomainView) and detail.watched and detail.lifecycle == "active"

page = list_transitions.sync(client=client, after=0, limit=10)
assert isinstance(page, TransitionsPage) and isinstance(page.transitions, list)

request = OverrideRequest(decision=OverrideDecision.DENY, note="smoke test: python client")
view = set_override.sync(client=client, domain=domain, body=request)
assert view is not None and view.state == OverrideState.ACTIVE
denied = check_recovery_eligible.sync(client=client, body=CheckRequest(email=email))
assert isinstance(denied, CheckResponse)
assert (denied.eligible, denied.reason) == (False, Reason.OVERRIDE_DENY)
assert remove_override.sync_detailed(client=client, domain=domain).status_code == 204

invalid = check_recovery_eligible.sync_detailed(client=client, body=CheckRequest(email="no-at-sign"))
assert invalid.status_code == 422
assert isinstance(invalid.parsed, Problem) and invalid.parsed.status == 422

# An undeclared status parses as a Problem too (the shared default response).
refused = get_stats.sync_detailed(client=Client(base_url=base_url))
assert refused.status_code == 401
assert isinstance(refused.parsed, Problem) and refused.parsed.code == "unauthenticated"

# A reason or lifecycle added in a later version is kept as text, not an error.
future = check.parsed.to_dict()
future["reason"] = "domain_from_a_later_version"
future["lifecycle"] = "a_later_stage"
parsed = CheckResponse.from_dict(future)
assert parsed.reason == "domain_from_a_later_version" and parsed.lifecycle == "a_later_stage"

print("python client: smoke test passed")
