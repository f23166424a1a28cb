from enum import StrEnum


class DataRegion(StrEnum):
    EUROPE = "europe"
    GLOBAL = "global"
    US = "us"

    def __str__(self) -> str:
        return str(self.value)
