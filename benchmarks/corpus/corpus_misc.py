"""Miscellaneous business-ish logic."""


def price_with_discount(cents: int, quantity: int, threshold: int) -> int:
    total = cents * quantity
    if quantity >= threshold and threshold > 0:
        total = total - total // 10
    return total


def grade(score: int) -> str:
    if score >= 90:
        return "A"
    if score >= 80:
        return "B"
    if score >= 70:
        return "C"
    if score >= 60:
        return "D"
    return "F"


def leap_year(year: int) -> bool:
    if year % 400 == 0:
        return True
    if year % 100 == 0:
        return False
    return year % 4 == 0


def fizzbuzz(n: int) -> list[str]:
    out = []
    for i in range(1, min(n, 200) + 1):
        if i % 15 == 0:
            out.append("FizzBuzz")
        elif i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        else:
            out.append(str(i))
    return out


def pages(total_items: int, per_page: int) -> int:
    if per_page <= 0 or total_items <= 0:
        return 0
    return (total_items + per_page - 1) // per_page


def normalize_scores(scores: list[int], top: int) -> list[int]:
    if not scores:
        return []
    highest = max(scores)
    if highest <= 0:
        return [0 for _ in scores]
    return [s * top // highest for s in scores]
