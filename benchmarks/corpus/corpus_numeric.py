"""Numeric helpers."""


def gcd(a: int, b: int) -> int:
    a = abs(a)
    b = abs(b)
    while b != 0:
        a, b = b, a % b
    return a


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    i = 3
    while i * i <= n:
        if n % i == 0:
            return False
        i += 2
    return True


def digit_sum(n: int) -> int:
    n = abs(n)
    total = 0
    while n > 0:
        total += n % 10
        n //= 10
    return total


def clamp(value: int, low: int, high: int) -> int:
    if low > high:
        low, high = high, low
    if value < low:
        return low
    if value > high:
        return high
    return value


def int_sqrt(n: int) -> int:
    if n < 0:
        return -1
    lo = 0
    hi = n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid * mid <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


def mean_rounded(values: list[int]) -> int:
    if not values:
        return 0
    total = 0
    for v in values:
        total += v
    return total // len(values)


def to_base(n: int, base: int) -> str:
    if base < 2 or base > 16:
        return ""
    digits = "0123456789abcdef"
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    out = []
    while n > 0:
        out.append(digits[n % base])
        n //= base
    return sign + "".join(reversed(out))
