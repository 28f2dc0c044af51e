"""Meeting-room scheduling: assign bookings to rooms and pick non-overlapping sessions."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Booking:
    """A half-open time interval [start, end) in minutes since midnight."""

    name: str
    start: int
    end: int


def overlaps(a: Booking, b: Booking) -> bool:
    """True when the two bookings share at least one minute."""
    return a.start < b.end and b.start < a.end


def max_nonoverlapping(bookings: list[Booking]) -> list[Booking]:
    """Greedy earliest-finish selection of the largest set of pairwise compatible bookings."""
    remaining = list(bookings)
    chosen = []
    while remaining:
        first = sorted(remaining, key=lambda b: (b.end, b.start, b.name))[0]
        chosen.append(first)
        remaining = [b for b in remaining if not overlaps(b, first)]
    return chosen


def peak_concurrency(bookings: list[Booking]) -> int:
    """The largest number of bookings running at the same minute."""
    peak = 0
    for i in range(len(bookings)):
        running = 0
        for j in range(len(bookings)):
            if bookings[j].start <= bookings[i].start < bookings[j].end:
                running += 1
        peak = max(peak, running)
    return peak


class RoomPlanner:
    """Assigns bookings to a fixed set of rooms, first come first served."""

    def __init__(self, rooms: list[str]) -> None:
        self.rooms = rooms
        self.schedule: dict[str, list[Booking]] = {room: [] for room in rooms}
        self.rejected: list[Booking] = []

    def is_free(self, room: str, booking: Booking) -> bool:
        """Whether ``room`` has no booking overlapping ``booking``."""
        return not any([overlaps(existing, booking) for existing in self.schedule[room]])

    def assign_all(self, bookings: list[Booking]) -> dict[str, list[str]]:
        """Place every booking in the first free room; returns booking names per room."""
        for booking in bookings:
            for room in self.rooms:
                if self.is_free(room, booking):
                    self.schedule[room].append(booking)
                    break
            else:
                self.rejected.append(booking)
        return {room: [b.name for b in self.schedule[room]] for room in self.rooms}

    def utilisation(self, day_minutes: int = 24 * 60) -> dict[str, float]:
        """Fraction of the day each room is booked."""
        return {
            room: round(sum(b.end - b.start for b in booked) / day_minutes, 4)
            for room, booked in self.schedule.items()
        }
