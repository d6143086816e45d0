from enum import StrEnum


class EvidenceSource(StrEnum):
    DNS = "dns"
    FASTLY = "fastly"
    RDAP = "rdap"

    def __str__(self) -> str:
        return str(self.value)
