"""Parse a CSV export of sales and build regional summaries."""

from .parsing import Sale, parse_sales
from .summary import SalesSummary, render_totals_csv

__all__ = ["Sale", "SalesSummary", "parse_sales", "render_totals_csv"]
