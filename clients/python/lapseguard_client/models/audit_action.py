from enum import StrEnum


class AuditAction(StrEnum):
    CONSOLE_SIGNED_IN = "console_signed_in"
    CONSOLE_SIGNED_OUT = "console_signed_out"
    HOLD_DISCARDED = "hold_discarded"
    HOLD_OPENED = "hold_opened"
    HOLD_RELEASED = "hold_released"
    OVERRIDE_REMOVED = "override_removed"
    OVERRIDE_SET = "override_set"
    REFRESH = "refresh"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    UNWATCH = "unwatch"
    WATCH = "watch"

    def __str__(self) -> str:
        return str(self.value)
