"""Generate a deterministic stock export and reconcile it against orders."""

import random

from ex_inventory import Inventory, Item, missing_from_stock

WORDS = ["bolt", "nut", "washer", "bracket", "hinge", "screw", "clamp", "spring", "gasket", "valve"]


def make_items(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        code = rng.randrange(n * 4 // 5)
        sku = f"AB-{code:05d}" if rng.random() < 0.5 else f"ab{code:05d}"
        name = f"{rng.choice(WORDS)} {rng.randrange(2, 40)}mm"
        location = f"R{rng.randrange(40)}"
        items.append(Item(sku=sku, name=name, quantity=rng.randrange(0, 500), location=location))
    return items


def main() -> None:
    rng = random.Random(4242)
    items = make_items(rng, 1000)
    inventory = Inventory(items)
    duplicates = inventory.duplicate_skus()
    print("lines:", len(items), "duplicated skus:", len(duplicates), duplicates[:3])
    totals = inventory.total_by_sku()
    print("distinct skus:", len(totals), "units:", sum(totals.values()))
    print("locations of first duplicate:", inventory.locations_of(duplicates[0]))
    stocked = sorted(totals)
    ordered = [f"AB{rng.randrange(1200):05d}" for _ in range(8000)]
    missing = missing_from_stock(ordered, stocked)
    print("missing:", len(missing), missing[:3])


if __name__ == "__main__":
    main()
