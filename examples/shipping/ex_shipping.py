"""Batch warehouse orders into shipments."""

from dataclasses import dataclass, field


@dataclass
class Order:
    """A customer order: which parcels go to which postcode."""

    order_id: int
    postcode: str
    parcels: list[int] = field(default_factory=list)


def flatten_parcels(orders: list[Order]) -> list[int]:
    """All parcel weights, order by order."""
    return sum([order.parcels for order in orders], [])


def group_by_postcode(orders: list[Order]) -> dict[str, list[Order]]:
    """Orders grouped by destination postcode, postcodes sorted."""
    groups: dict[str, list[Order]] = {}
    for order in orders:
        groups.setdefault(order.postcode, []).append(order)
    return dict(sorted(groups.items()))


class ShipmentPlanner:
    """Packs parcels into trucks with a weight limit."""

    def __init__(self, truck_capacity: int) -> None:
        self.truck_capacity = truck_capacity

    def pack(self, weights: list[int]) -> list[list[int]]:
        """First-fit packing of parcel weights into trucks, in arrival order."""
        trucks: list[list[int]] = []
        loads: list[int] = []
        for weight in weights:
            placed = False
            for i in range(len(trucks)):
                if loads[i] + weight <= self.truck_capacity:
                    trucks[i] = trucks[i] + [weight]
                    loads[i] = loads[i] + weight
                    placed = True
                    break
            if not placed:
                trucks.append([weight])
                loads.append(weight)
        return trucks

    def plan(self, orders: list[Order]) -> dict[str, list[list[int]]]:
        """Trucks per postcode."""
        groups = group_by_postcode(orders)
        return {postcode: self.pack(flatten_parcels(group)) for postcode, group in groups.items()}

    def heaviest_first(self, orders: list[Order]) -> int:
        """The id of the order with the largest total weight (lowest id on ties)."""
        return sorted(orders, key=lambda o: (-sum(o.parcels), o.order_id))[0].order_id


def first_postcode(orders: list[Order]) -> str:
    """The postcode of the first order's group in sorted order."""
    return list(group_by_postcode(orders))[0]
