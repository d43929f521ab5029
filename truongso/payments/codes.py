"""Invoice codes (mã hóa đơn) that survive a bank transfer memo.

A code is ``HP`` + 7 characters of Crockford base32 + 1 check character: ``HP3K7QX9MT``.
Crockford's alphabet has no I, L, O, U, so a code read back from a memo in lower case, or
with 0/O and 1/I/L confused, still decodes; the check character (position-weighted sum mod
29) catches any single mistyped character and any swap of two neighbours. Ten characters fit
VietQR field 62-01 (25 characters) and leave room in the memo for the payer's own words.
"""

from __future__ import annotations

import secrets

PREFIX = "HP"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 7
CODE_LENGTH = len(PREFIX) + BODY_LENGTH + 1
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def check_char(body: str) -> str:
    weighted = sum((i + 1) * ALPHABET.index(char) for i, char in enumerate(body))
    return ALPHABET[weighted % 29]


def invoice_code_new() -> str:
    """A fresh random code (35 bits: collisions are retried by the caller's unique index)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return PREFIX + body + check_char(body)


def normalise(text: str) -> str:
    """Upper case, no separators, Crockford's look-alikes folded (O→0, I/L→1)."""
    kept = "".join(ch for ch in text.upper() if ch.isalnum())
    return "".join(_READ_AS.get(ch, ch) for ch in kept)


def is_valid(code: str) -> bool:
    code = normalise(code)
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX):
        return False
    body, check = code[len(PREFIX) : -1], code[-1]
    return all(ch in ALPHABET for ch in body) and check_char(body) == check
