from enum import StrEnum


class Outcome(StrEnum):
    DELEGATED = "delegated"
    FAILED = "failed"
    FLAGGED = "flagged"
    REGISTERED = "registered"
    UNDELEGATED = "undelegated"
    UNREGISTERED = "unregistered"

    def __str__(self) -> str:
        return str(self.value)
