"""Generate a deterministic access log and analyse it."""

import random

from ex_logparse import LogAnalyzer, parse_log, render_csv

PATHS = ["/", "/login", "/logout", "/api/items", "/api/orders", "/static/app.js", "/static/app.css",
         "/search", "/cart", "/checkout", "/account", "/help"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"]
STATUSES = [200] * 12 + [201, 204, 301, 304, 400, 401, 403, 404, 404, 500, 502, 503]


def make_log(rng: random.Random, n: int, n_clients: int) -> list[str]:
    clients = [
        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(n_clients)
    ]
    lines = []
    for i in range(n):
        if rng.random() < 0.02:
            lines.append(f"garbage line {i}")
            continue
        ip = rng.choice(clients)
        path = rng.choice(PATHS)
        if rng.random() < 0.3:
            path += f"/{rng.randrange(1000)}"
        size = "-" if rng.random() < 0.05 else str(rng.randrange(100, 50000))
        stamp = f"{1 + i % 28:02d}/Mar/2024:{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d} +0000"
        request = f"{rng.choice(METHODS)} {path} HTTP/1.1"
        lines.append(f'{ip} - - [{stamp}] "{request}" {rng.choice(STATUSES)} {size}')
    return lines


def main() -> None:
    rng = random.Random(20240301)
    lines = make_log(rng, 25000, 1500)
    records = parse_log(lines)
    analyzer = LogAnalyzer(records)
    print("records", len(records))
    print("visitors", len(analyzer.unique_visitors()))
    print("error rate", round(analyzer.error_rate(), 4))
    print(analyzer.render_report(5))
    csv_text = render_csv(records[:4000])
    print("csv bytes", len(csv_text))


if __name__ == "__main__":
    main()
