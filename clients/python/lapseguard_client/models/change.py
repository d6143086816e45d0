from enum import StrEnum


class Change(StrEnum):
    APPEARED = "appeared"
    GONE = "gone"

    def __str__(self) -> str:
        return str(self.value)
