"""Turn CSV text into typed sale rows."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sale:
    """One line of the sales export."""

    order_id: str
    region: str
    product: str
    quantity: int
    unit_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents


def parse_price(text: str) -> int:
    """Parse a price like ``"12.30"`` into cents."""
    whole, _, frac = text.strip().partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def parse_sales(text: str) -> list[Sale]:
    """Parse the CSV export (with a header line); rows with a bad quantity are skipped."""
    lines = text.splitlines()
    header = [name.strip() for name in lines[0].split(",")]
    sales = []
    for line in lines[1:]:
        if not line.strip():
            continue
        row = dict(zip(header, line.split(",")))
        if not row["quantity"].strip().isdigit():
            continue
        sale = Sale(
            order_id=row["order_id"].strip(),
            region=row["region"].strip(),
            product=row["product"].strip(),
            quantity=int(row["quantity"]),
            unit_cents=parse_price(row["unit_price"]),
        )
        sales = sales + [sale]
    return sales
