"""The one exception of the signing package: a machine code and a Vietnamese-first message."""

from __future__ import annotations


class SigningError(Exception):
    """Signing or key access failed; nothing was signed.

    ``code`` is stable for programs (``expired``, ``not_yet_valid``, ``revoked``, ``key_usage``,
    ``wrong_pin``, ``token_absent``, ``key_missing``, ``remote_timeout``, ``remote_unreachable``,
    ``remote_error``, ``remote_garbage``, ``tsa_error``, ``bad_pdf``, ``config``); ``message`` is
    for people, translated with the language active when the error was raised (Vietnamese by
    default).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
