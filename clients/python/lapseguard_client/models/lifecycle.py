from enum import StrEnum


class Lifecycle(StrEnum):
    ACTIVE = "active"
    AUTO_RENEW_GRACE = "auto_renew_grace"
    EXPIRED = "expired"
    INACTIVE = "inactive"
    ON_HOLD = "on_hold"
    PENDING_DELETE = "pending_delete"
    REDEMPTION = "redemption"
    UNKNOWN = "unknown"
    UNREGISTERED = "unregistered"

    def __str__(self) -> str:
        return str(self.value)
