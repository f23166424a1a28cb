from enum import StrEnum


class RoutedServiceTier(StrEnum):
    FLEX = "flex"
    PRIORITY = "priority"

    def __str__(self) -> str:
        return str(self.value)
