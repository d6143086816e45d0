from enum import StrEnum


class OverrideState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    LAPSED = "lapsed"

    def __str__(self) -> str:
        return str(self.value)
