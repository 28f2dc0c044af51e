"""Aggregations over parsed sales."""

from ex_sales.parsing import Sale


class SalesSummary:
    """Totals per region and per product for one batch of sales."""

    def __init__(self, sales: list[Sale]) -> None:
        self.sales = sales

    def units_by_region(self) -> dict[str, int]:
        """Units sold per region."""
        units = {}
        for sale in self.sales:
            if sale.region in units:
                units[sale.region] += sale.quantity
            else:
                units[sale.region] = sale.quantity
        return units

    def orders_per_product(self) -> dict[str, int]:
        """How many order lines mention each product."""
        products = [sale.product for sale in self.sales]
        counts = {}
        for product in products:
            counts[product] = products.count(product)
        return counts

    def repeat_orders(self) -> list[str]:
        """Order ids that appear on more than one line, in first-seen order."""
        seen = []
        repeated = []
        for sale in self.sales:
            if sale.order_id in seen and sale.order_id not in repeated:
                repeated.append(sale.order_id)
            seen.append(sale.order_id)
        return repeated

    def best_region(self) -> str:
        """The region with the most revenue (ties broken by name)."""
        revenue: dict[str, int] = {}
        for sale in self.sales:
            revenue[sale.region] = revenue.get(sale.region, 0) + sale.total_cents
        return sorted(revenue, key=lambda region: (-revenue[region], region))[0]


def render_totals_csv(totals: dict[str, int]) -> str:
    """Render ``name,total`` rows sorted by name."""
    out = "name,total\n"
    for name in sorted(totals.keys()):
        out += name + "," + str(totals[name]) + "\n"
    return out
