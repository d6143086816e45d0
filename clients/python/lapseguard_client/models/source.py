from enum import StrEnum


class Source(StrEnum):
    CACHE = "cache"
    LIVE = "live"

    def __str__(self) -> str:
        return str(self.value)
