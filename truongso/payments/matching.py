"""Finding invoice codes in a transfer memo, however the payer or the bank mangled them.

Memos arrive as ``"MBVCB.3278907687.hp 3k7q x9mt nop hoc phi chau An"``: codes split by
spaces or dots, in lower case, with O for 0 and I/L for 1, glued to the next word, cut short
by a bank's length limit, or several in one memo (brothers and sisters paid together).

The memo is squashed to upper-case letters and digits with Crockford's look-alikes folded
(:func:`codes.normalise`); after every ``HP`` the following run of code characters is a
candidate. A full candidate whose check character is right and that names an invoice of the
school is taken as is; otherwise its longest prefix (at least :data:`MIN_PREFIX` characters
after ``HP``) that names exactly one *open* invoice of the school is taken. Two open
invoices sharing the prefix make it ambiguous: the payment goes to a human.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from truongso.payments.codes import ALPHABET, BODY_LENGTH, PREFIX, is_valid, normalise

# 6 of the 8 characters after "HP": 32**6 ≈ 1.07e9 prefixes, so among even 100,000 open
# invoices a wrong unique match of a truncated code has a chance of about 1 in 10,000.
MIN_PREFIX = 6
_TAIL = BODY_LENGTH + 1
_CODE_CHARS = frozenset(ALPHABET)

R = TypeVar("R")


class CodeIndex(Protocol[R]):
    """Where codes are looked up: the database for a school, or memory (benchmark, tests)."""

    def exact(self, code: str) -> R | None: ...

    def open_with_prefix(self, prefix: str, limit: int) -> list[R]: ...


@dataclass
class CodeScan(Generic[R]):
    """What a memo names: ``found`` in memo order (each once), with how each was found."""

    found: list[tuple[R, str]] = field(default_factory=list)  # (invoice, "exact"|"prefix")
    ambiguous: list[str] = field(default_factory=list)  # prefixes naming several invoices
    unknown: list[str] = field(default_factory=list)  # code-like text naming none


def candidates(memo: str) -> list[str]:
    """The runs of code characters after each ``HP`` in the squashed memo (memo order)."""
    squashed = normalise(memo)
    found: list[str] = []
    start = squashed.find(PREFIX)
    while start != -1:
        tail = squashed[start + len(PREFIX) : start + len(PREFIX) + _TAIL]
        cut = next((i for i, ch in enumerate(tail) if ch not in _CODE_CHARS), len(tail))
        tail = tail[:cut]
        if len(tail) >= MIN_PREFIX and tail not in found:
            found.append(tail)
        start = squashed.find(PREFIX, start + 1)
    return found


def scan_memo(memo: str, index: CodeIndex[R]) -> CodeScan[R]:
    scan: CodeScan[R] = CodeScan()
    seen: set[object] = set()
    for tail in candidates(memo):
        resolved = _resolve(tail, index, scan)
        if resolved is None:
            continue
        hit, how = resolved
        if key_of(hit) not in seen:
            seen.add(key_of(hit))
            scan.found.append((hit, how))
    _drop_noise(scan)
    return scan


def _resolve(tail: str, index: CodeIndex[R], scan: CodeScan[R]) -> tuple[R, str] | None:
    code = PREFIX + tail
    if len(tail) == _TAIL and is_valid(code):
        hit = index.exact(code)
        if hit is not None:
            return hit, "exact"
    for length in range(len(tail), MIN_PREFIX - 1, -1):
        prefix = PREFIX + tail[:length]
        hits = index.open_with_prefix(prefix, 2)
        if len(hits) == 1:
            return hits[0], "prefix"
        if len(hits) > 1:
            scan.ambiguous.append(prefix)
            return None
    scan.unknown.append(code)
    return None


def _drop_noise(scan: CodeScan[R]) -> None:
    """A memo's glued words make extra "HP…" candidates ("…HP HP3K7…" reads "HPHP3K7…"):
    once something was found, unknown candidates are noise, not a reason for a human."""
    if scan.found:
        scan.unknown.clear()


def key_of(hit: object) -> object:
    """An invoice row by primary key; a bare code (memory index) by itself."""
    pk = getattr(hit, "pk", None)
    return pk if pk is not None else hit


class MemoryCodeIndex:
    """All codes of a school in memory: a dict for exact codes, a sorted list for prefixes."""

    def __init__(self, all_codes: Iterable[str], open_codes: Iterable[str]) -> None:
        self._all = {code: code for code in all_codes}
        self._open = sorted(open_codes)

    def exact(self, code: str) -> str | None:
        return self._all.get(code)

    def open_with_prefix(self, prefix: str, limit: int) -> list[str]:
        start = bisect.bisect_left(self._open, prefix)
        hits = []
        for code in self._open[start : start + limit]:
            if not code.startswith(prefix):
                break
            hits.append(code)
        return hits
