"""Digital signatures of report cards (PAdES with pyHanko); see docs in each module.

Public API: :func:`sign_pdf`, :func:`validate_pdf` (:class:`ValidationReport`), the backends
:class:`Pkcs12Backend`, :class:`Pkcs11Backend`, :class:`RemoteHashBackend`, and
:class:`SigningError`. Imports are lazy so that loading the app does not load pyHanko.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "SigningError": "errors",
    "SigningBackend": "backends",
    "Pkcs12Backend": "backends",
    "Pkcs11Backend": "backends",
    "RemoteHashBackend": "backends",
    "RemoteCredentials": "backends",
    "sign_pdf": "pdfsign",
    "validate_pdf": "validate",
    "ValidationReport": "validate",
    "SignatureReport": "validate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(name)
    import importlib

    module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
    return getattr(module, name)
