"""Toy public-key arithmetic and bit-level checksums."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyPair:
    """A textbook RSA key (tiny numbers, for teaching only)."""

    modulus: int
    public_exponent: int
    private_exponent: int


def make_keypair(p: int, q: int, e: int = 65537) -> KeyPair:
    """Build an RSA key from two primes."""
    phi = (p - 1) * (q - 1)
    return KeyPair(modulus=p * q, public_exponent=e, private_exponent=pow(e, -1, phi))


def encrypt(message: list[int], key: KeyPair) -> list[int]:
    """Encrypt each block (an int smaller than the modulus)."""
    return [(block ** key.public_exponent) % key.modulus for block in message]


def mod_power(base: int, exponent: int, modulus: int) -> int:
    """``base`` to the power ``exponent``, reduced modulo ``modulus`` after every step."""
    result = 1
    for _ in range(exponent):
        result = (result * base) % modulus
    return result


def decrypt(cipher: list[int], key: KeyPair) -> list[int]:
    """Decrypt each block with the private exponent."""
    plain = []
    for block in cipher:
        plain.append(mod_power(block, key.private_exponent, key.modulus))
    return plain


def fermat_probable_primes(candidates: list[int], base: int = 2) -> list[int]:
    """Candidates that pass the Fermat test to ``base``."""
    return [n for n in candidates if n > 2 and (base ** (n - 1)) % n == 1]


def popcount_histogram(values: list[int]) -> dict[int, int]:
    """How many values have each number of set bits."""
    histogram: dict[int, int] = {}
    for value in values:
        ones = bin(value).count("1")
        histogram[ones] = histogram.get(ones, 0) + 1
    return dict(sorted(histogram.items()))


def hamming_weight_checksum(values: list[int]) -> int:
    """A weak checksum: the parity-weighted sum of the bit counts of the values."""
    total = 0
    for i in range(len(values)):
        total += (i % 7 + 1) * bin(values[i] ^ (values[i] >> 1)).count("1")
    return total
