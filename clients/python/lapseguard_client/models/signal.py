from enum import StrEnum


class Signal(StrEnum):
    FOR_SALE = "for_sale"
    MAIL_ROUTE_LAPSED = "mail_route_lapsed"
    NAMESERVER_DOMAIN_LAPSED = "nameserver_domain_lapsed"
    NO_MAIL = "no_mail"
    PARKED = "parked"
    REGISTRAR_EXPIRED = "registrar_expired"
    REGISTRAR_HOLD = "registrar_hold"
    REGISTRATION_DATE_UNKNOWN = "registration_date_unknown"
    REGISTRY_HANDLE_CHANGED = "registry_handle_changed"
    TRANSFERRED_IN_GRACE_WINDOW = "transferred_in_grace_window"
    TRANSFERRED_SINCE_VERIFIED = "transferred_since_verified"

    def __str__(self) -> str:
        return str(self.value)
