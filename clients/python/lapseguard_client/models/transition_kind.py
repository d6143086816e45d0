from enum import StrEnum


class TransitionKind(StrEnum):
    LIFECYCLE = "lifecycle"
    SIGNAL = "signal"

    def __str__(self) -> str:
        return str(self.value)
