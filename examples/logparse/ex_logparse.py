"""Parse web-server access logs (common log format) and summarise them."""

import re
from dataclasses import dataclass


@dataclass
class LogRecord:
    """One parsed access-log line."""

    ip: str
    timestamp: str
    method: str
    path: str
    status: int
    size: int


def parse_log(lines: list[str]) -> list[LogRecord]:
    """Parse access-log lines, skipping the ones that are not in common log format."""
    records = []
    for line in lines:
        match = re.match(
            r'(\d{1,3}(?:\.\d{1,3}){3}) \S+ \S+ \[([^\]]+)\] "([A-Z]+) (\S+) HTTP/1\.[01]" (\d{3}) (\d+|-)',
            line,
        )
        if match is None:
            continue
        ip, timestamp, method, path, status, size = match.groups()
        records.append(
            LogRecord(
                ip=ip,
                timestamp=timestamp,
                method=method,
                path=path,
                status=int(status),
                size=0 if size == "-" else int(size),
            )
        )
    return records


class LogAnalyzer:
    """Aggregate statistics over a list of parsed log records."""

    def __init__(self, records: list[LogRecord]) -> None:
        self.records = records

    def status_counts(self) -> dict[int, int]:
        """How many requests ended with each HTTP status code."""
        counts = {}
        for record in self.records:
            if record.status in counts:
                counts[record.status] += 1
            else:
                counts[record.status] = 1
        return counts

    def unique_visitors(self) -> list[str]:
        """Client addresses in order of first appearance."""
        visitors = []
        for record in self.records:
            if record.ip not in visitors:
                visitors.append(record.ip)
        return visitors

    def bytes_by_path(self) -> dict[str, int]:
        """Total response bytes served per path."""
        totals: dict[str, int] = {}
        for record in self.records:
            totals[record.path] = totals.get(record.path, 0) + record.size
        return totals

    def error_rate(self) -> float:
        """Fraction of requests answered with a 5xx status."""
        if not self.records:
            return 0.0
        errors = sum([1 for record in self.records if record.status >= 500])
        return errors / len(self.records)

    def render_report(self, top: int = 10) -> str:
        """A plain-text report: status histogram and the heaviest paths."""
        report = "status  count\n"
        for status, count in sorted(self.status_counts().items()):
            report += f"{status:<7} {count}\n"
        report += "\npath                          bytes\n"
        heaviest = sorted(self.bytes_by_path().items(), key=lambda item: (-item[1], item[0]))
        for path, size in heaviest[:top]:
            report += f"{path:<29} {size}\n"
        return report


def render_csv(records: list[LogRecord]) -> str:
    """Export the records as CSV text (one row per request)."""
    out = "ip,timestamp,method,path,status,size\n"
    for record in records:
        out += f"{record.ip},{record.timestamp},{record.method},{record.path},{record.status},{record.size}\n"
    return out
