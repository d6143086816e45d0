from enum import StrEnum


class TransitionKind(StrEnum):
    EXPIRY_NOTICE = "expiry_notice"
    LIFECYCLE = "lifecycle"
    SIGNAL = "signal"

    def __str__(self) -> str:
        return str(self.value)
