"""Finding a signer's key and opening it (through the signing package's backends).

A ``SignerKey`` row says where the key is; its secrets come from a file or an environment
variable named in ``config``, so the database never holds a passphrase or a PIN:

* ``pkcs12``: ``path`` and ``passphrase_file`` or ``passphrase_env``;
* ``pkcs11``: ``lib_path``, ``token_label``, ``key_label`` and ``pin_file`` or ``pin_env``;
* ``remote``: ``url``, ``credential_id``, ``token_file`` or ``token_env``, ``chain`` (PEM
  files, the signer's certificate first) and ``timeout`` (seconds).

Test certificates made by ``manage.py reportcards_test_ca`` are registered with
``test_manifest`` instead (their passphrases are in the test CA's manifest under ``var/``);
such keys are marked ``is_test`` and every page that shows them says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.reportcards.models import KeyBackend, SignerKey, SignerRole


def key_for(*, school: Any, role: str, user: Any = None) -> SignerKey:
    """The active key the signer (or the school, for the seal) signs with."""
    keys = SignerKey.objects.filter(school=school, role=role, is_active=True)
    if role != SignerRole.SEAL:
        keys = keys.filter(user_id=getattr(user, "pk", None) or 0)
    found = keys.order_by("-created_at", "-pk").first()
    if found is None:
        raise ValidationError(_missing(role, user), code="no_key")
    return found


def _missing(role: str, user: Any) -> str:
    if role == SignerRole.SEAL:
        return _("The school has no seal certificate registered for signing report cards.")
    name = getattr(user, "full_name", "") or getattr(user, "username", "")
    return _("%(name)s has no signing certificate registered as %(role)s.") % {
        "name": name,
        "role": SignerRole(role).label,
    }


def _secret(config: dict[str, Any], name: str) -> str:
    if config.get(f"{name}_file"):
        return Path(config[f"{name}_file"]).read_text(encoding="utf-8").strip()
    if config.get(f"{name}_env"):
        return os.environ.get(config[f"{name}_env"], "")
    return str(config.get(name, "")) if config.get("test_manifest") else ""


def backend_for(key: SignerKey) -> Any:
    """A signing backend on the key (opened lazily, on its first signature)."""
    from truongso.reportcards.signing import backends

    config = dict(key.config)
    if key.backend == KeyBackend.PKCS12:
        if config.get("test_manifest"):
            config["passphrase"] = _test_passphrase(config)
        return backends.Pkcs12Backend(config["path"], _secret(config, "passphrase"))
    if key.backend == KeyBackend.PKCS11:
        return backends.Pkcs11Backend(
            config["lib_path"], config["token_label"], _secret(config, "pin"), config["key_label"]
        )
    chain = [Path(path).read_bytes() for path in config.get("chain", [])]
    return backends.RemoteHashBackend(
        config["url"],
        backends.RemoteCredentials(config["credential_id"], _secret(config, "token")),
        _certificates(chain),
        float(config.get("timeout", 10)),
    )


def _certificates(blobs: list[bytes]) -> list[Any]:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    found = []
    for blob in blobs:
        ders = [d for _t, _h, d in pem.unarmor(blob, multiple=True)] if pem.detect(blob) else [blob]
        found += [asn1_x509.Certificate.load(der) for der in ders]
    return found


def _test_passphrase(config: dict[str, Any]) -> str:
    import json

    manifest = json.loads(Path(config["test_manifest"]).read_text(encoding="utf-8"))
    name = Path(config["path"]).name
    for item in manifest["certificates"]:
        if item["file"] == name:
            return str(item["passphrase"])
    return ""
