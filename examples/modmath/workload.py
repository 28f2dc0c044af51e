"""Encrypt, test and checksum deterministic data."""

import random

from ex_modmath import (
    decrypt,
    encrypt,
    fermat_probable_primes,
    hamming_weight_checksum,
    make_keypair,
    popcount_histogram,
)


def main() -> None:
    rng = random.Random(65537)
    key = make_keypair(61, 53, e=17)
    message = [rng.randrange(2, key.modulus) for _ in range(800)]
    cipher = encrypt(message, key)
    print("cipher head:", cipher[:4])
    print("round trip ok:", decrypt(cipher, key) == message)
    candidates = list(range(3001, 16001, 2))
    probable = fermat_probable_primes(candidates, base=3)
    print("probable primes:", len(probable), probable[:5])
    values = [rng.getrandbits(64) for _ in range(60000)]
    print("popcounts:", popcount_histogram(values))
    print("checksum:", hamming_weight_checksum(values))


if __name__ == "__main__":
    main()
