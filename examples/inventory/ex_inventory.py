"""Warehouse inventory: duplicate detection and stock reconciliation."""

from dataclasses import dataclass


@dataclass
class Item:
    """A stock line as exported from the warehouse system."""

    sku: str
    name: str
    quantity: int
    location: str


def normalise_sku(sku: str) -> str:
    """Upper-case, without dashes or blanks."""
    return sku.replace("-", "").replace(" ", "").upper()


class Inventory:
    """An in-memory view of the warehouse stock lines."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def duplicate_skus(self) -> list[str]:
        """SKUs stored on more than one line (normalised), sorted."""
        duplicates = []
        for i, first in enumerate(self.items):
            for second in self.items[i + 1:]:
                if normalise_sku(first.sku) == normalise_sku(second.sku):
                    sku = normalise_sku(first.sku)
                    if sku not in duplicates:
                        duplicates.append(sku)
        return sorted(duplicates)

    def total_by_sku(self) -> dict[str, int]:
        """Total quantity per normalised SKU."""
        totals: dict[str, int] = {}
        for item in self.items:
            sku = normalise_sku(item.sku)
            totals[sku] = totals.get(sku, 0) + item.quantity
        return totals

    def locations_of(self, sku: str) -> list[str]:
        """Every location holding ``sku``."""
        wanted = normalise_sku(sku)
        return [item.location for item in self.items if normalise_sku(item.sku) == wanted]


def missing_from_stock(ordered: list[str], stocked: list[str]) -> list[str]:
    """Ordered SKUs that the warehouse does not carry, in order, without repeats."""
    missing = []
    for sku in ordered:
        found = False
        for candidate in stocked:
            if sku == candidate:
                found = True
                break
        if not found and sku not in missing:
            missing.append(sku)
    return missing
