"""Generate a deterministic day of meeting requests and schedule them."""

import random

from ex_scheduler import Booking, RoomPlanner, max_nonoverlapping, peak_concurrency


def make_bookings(rng: random.Random, n: int) -> list[Booking]:
    bookings = []
    for i in range(n):
        day = rng.randrange(5)
        start = day * 24 * 60 + rng.randrange(7 * 60, 19 * 60, 5)
        length = rng.choice([15, 30, 30, 45, 60, 60, 90, 120])
        bookings.append(Booking(name=f"m{i:04d}", start=start, end=start + length))
    return bookings


def main() -> None:
    rng = random.Random(1234)
    bookings = make_bookings(rng, 2400)
    chosen = max_nonoverlapping(bookings)
    print("max compatible:", len(chosen), [b.name for b in chosen[:5]])
    print("peak concurrency:", peak_concurrency(bookings[:900]))
    planner = RoomPlanner([f"room-{k}" for k in range(10)])
    plan = planner.assign_all(bookings)
    print("assigned:", sum(len(names) for names in plan.values()), "rejected:", len(planner.rejected))
    print("utilisation:", planner.utilisation(day_minutes=5 * 12 * 60))


if __name__ == "__main__":
    main()
