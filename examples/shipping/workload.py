"""Generate deterministic orders and plan shipments."""

import random

from ex_shipping import Order, ShipmentPlanner, first_postcode, flatten_parcels


def make_orders(rng: random.Random, n: int) -> list[Order]:
    postcodes = [f"{rng.randrange(10, 99)}{rng.choice('ABCDEFG')}" for _ in range(6)]
    orders = []
    for i in range(n):
        parcels = [rng.randrange(1, 35) for _ in range(rng.randint(1, 8))]
        orders.append(Order(order_id=i, postcode=rng.choice(postcodes), parcels=parcels))
    return orders


def main() -> None:
    rng = random.Random(808)
    orders = make_orders(rng, 7000)
    weights = flatten_parcels(orders)
    print("parcels:", len(weights), "total weight:", sum(weights))
    planner = ShipmentPlanner(truck_capacity=400)
    plan = planner.plan(orders)
    for postcode, trucks in plan.items():
        print(postcode, "trucks:", len(trucks), "fullest:", max(sum(t) for t in trucks))
    print("heaviest order:", planner.heaviest_first(orders))
    print("first postcode:", first_postcode(orders))


if __name__ == "__main__":
    main()
