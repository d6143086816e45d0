from enum import StrEnum


class AuditAction(StrEnum):
    OVERRIDE_REMOVED = "override_removed"
    OVERRIDE_SET = "override_set"
    REFRESH = "refresh"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    UNWATCH = "unwatch"
    WATCH = "watch"

    def __str__(self) -> str:
        return str(self.value)
