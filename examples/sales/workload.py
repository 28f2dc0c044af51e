"""Generate a deterministic CSV sales export and summarise it."""

import random

from ex_sales import SalesSummary, parse_sales, render_totals_csv

REGIONS = ["north", "south", "east", "west", "central", "online"]


def make_csv(rng: random.Random, n_rows: int) -> str:
    products = [f"sku-{k:04d}" for k in range(400)]
    lines = ["order_id,region,product,quantity,unit_price"]
    for _ in range(n_rows):
        order = f"o{rng.randrange(n_rows * 3 // 4):06d}"
        quantity = str(rng.randrange(1, 20)) if rng.random() > 0.01 else "n/a"
        price = f"{rng.randrange(1, 500)}.{rng.randrange(100):02d}"
        lines.append(f"{order},{rng.choice(REGIONS)},{rng.choice(products)},{quantity},{price}")
    return "\n".join(lines) + "\n"


def main() -> None:
    rng = random.Random(99)
    sales = parse_sales(make_csv(rng, 4000))
    summary = SalesSummary(sales)
    print("rows:", len(sales))
    print(render_totals_csv(summary.units_by_region()))
    per_product = summary.orders_per_product()
    print("products:", len(per_product), "max lines:", max(per_product.values()))
    print("repeat orders:", len(summary.repeat_orders()))
    print("best region:", summary.best_region())


if __name__ == "__main__":
    main()
