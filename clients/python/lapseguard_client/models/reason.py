from enum import StrEnum


class Reason(StrEnum):
    DOMAIN_ACTIVE = "domain_active"
    DOMAIN_EXPIRED = "domain_expired"
    DOMAIN_FOR_SALE = "domain_for_sale"
    DOMAIN_HANDLE_CHANGED = "domain_handle_changed"
    DOMAIN_INACTIVE = "domain_inactive"
    DOMAIN_IN_GRACE_PERIOD = "domain_in_grace_period"
    DOMAIN_IN_REDEMPTION_PERIOD = "domain_in_redemption_period"
    DOMAIN_LAPSED_SINCE_VERIFICATION = "domain_lapsed_since_verification"
    DOMAIN_MAIL_ROUTE_LAPSED = "domain_mail_route_lapsed"
    DOMAIN_NAMESERVER_LAPSED = "domain_nameserver_lapsed"
    DOMAIN_NOT_COVERED = "domain_not_covered"
    DOMAIN_ON_HOLD = "domain_on_hold"
    DOMAIN_ON_REGISTRAR_HOLD = "domain_on_registrar_hold"
    DOMAIN_PARKED = "domain_parked"
    DOMAIN_PENDING_DELETE = "domain_pending_delete"
    DOMAIN_RECENTLY_REGISTERED = "domain_recently_registered"
    DOMAIN_REGISTRAR_EXPIRED = "domain_registrar_expired"
    DOMAIN_REGISTRATION_UNKNOWN = "domain_registration_unknown"
    DOMAIN_REREGISTERED = "domain_reregistered"
    DOMAIN_STATUS_UNAVAILABLE = "domain_status_unavailable"
    DOMAIN_TRANSFERRED = "domain_transferred"
    DOMAIN_TRANSFERRED_AFTER_EXPIRY = "domain_transferred_after_expiry"
    DOMAIN_UNDER_SHARED_SUFFIX = "domain_under_shared_suffix"
    DOMAIN_UNREGISTERED = "domain_unregistered"
    DOMAIN_WITHOUT_MAIL = "domain_without_mail"
    OVERRIDE_ALLOW = "override_allow"
    OVERRIDE_DENY = "override_deny"

    def __str__(self) -> str:
        return str(self.value)
