from enum import StrEnum


class Reason(StrEnum):
    DOMAIN_ACTIVE = "domain_active"
    DOMAIN_EXPIRED = "domain_expired"
    DOMAIN_INACTIVE = "domain_inactive"
    DOMAIN_IN_GRACE_PERIOD = "domain_in_grace_period"
    DOMAIN_IN_REDEMPTION_PERIOD = "domain_in_redemption_period"
    DOMAIN_LAPSED_SINCE_VERIFICATION = "domain_lapsed_since_verification"
    DOMAIN_NOT_COVERED = "domain_not_covered"
    DOMAIN_ON_HOLD = "domain_on_hold"
    DOMAIN_PENDING_DELETE = "domain_pending_delete"
    DOMAIN_RECENTLY_REGISTERED = "domain_recently_registered"
    DOMAIN_REREGISTERED = "domain_reregistered"
    DOMAIN_STATUS_UNAVAILABLE = "domain_status_unavailable"
    DOMAIN_UNDER_SHARED_SUFFIX = "domain_under_shared_suffix"
    DOMAIN_UNREGISTERED = "domain_unregistered"
    OVERRIDE_ALLOW = "override_allow"
    OVERRIDE_DENY = "override_deny"

    def __str__(self) -> str:
        return str(self.value)
