"""Reference numbers that say nothing about volumes: random, short, typed in from paper.

Sequential certificate and claim numbers told anyone holding two of them how many were
issued in between. These are random codes over the verification codes' alphabet (no 0/O,
1/I), ending in a check character (Luhn mod 32) that catches any single mistyped character
and most swaps of neighbours. They are identifiers, not secrets: a certificate's
verification code stays the secret. Uniqueness comes from the database's unique
constraint; callers draw again on the rare collision.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
BASE = len(ALPHABET)
# Draws before giving up: at these lengths a second collision in a row means a bug.
ATTEMPTS = 8


def check_character(body: str) -> str:
    """The Luhn mod N check character for ``body`` (characters from ALPHABET)."""
    total, factor = 0, 2
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        total += addend // BASE + addend % BASE
        factor = 1 if factor == 2 else 2
    return ALPHABET[(BASE - total % BASE) % BASE]


def is_valid_code(code: str) -> bool:
    """Whether ``code`` (dashes allowed) ends in the right check character."""
    plain = code.replace("-", "").upper()
    if len(plain) < 2 or any(ch not in _VALUE for ch in plain):
        return False
    return check_character(plain[:-1]) == plain[-1]


def random_code(*, length: int, group: int = 0) -> str:
    """``length`` random characters plus a check character, in dash-separated groups."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(length))
    code = body + check_character(body)
    if not group:
        return code
    return "-".join(code[i : i + group] for i in range(0, len(code), group))
