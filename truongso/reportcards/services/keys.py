"""Registering signing keys (SignerKey rows); secrets stay in files or the environment."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from truongso.accounts.models import User
from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.registry.models import OrgUnit
from truongso.reportcards.models import KeyBackend, SignerKey, SignerRole


def signer_key_register(
    *,
    actor: Any,
    school: OrgUnit,
    role: str,
    backend: str,
    config: dict[str, Any],
    user: User | None = None,
    certificate_subject: str = "",
    is_test: bool = False,
) -> SignerKey:
    """Register a key (replacing the signer's previous one for that role)."""
    authz.require_can(actor, Perm.REPORTCARD_ISSUE, school.path)
    with transaction.atomic():
        old = SignerKey.objects.filter(school=school, role=role, user=user, is_active=True)
        old.update(is_active=False)
        key = SignerKey.objects.create(
            school=school,
            user=user,
            role=role,
            backend=backend,
            config=config,
            certificate_subject=certificate_subject,
            is_test=is_test,
        )
        audit_record(
            actor=actor,
            action="reportcards.key.register",
            obj=key,
            after={"role": role, "backend": backend, "user": getattr(user, "pk", None)},
        )
    return key


def signer_keys_from_test_ca(*, actor: Any, school: OrgUnit) -> list[SignerKey]:
    """Register the school's test certificates made by ``manage.py reportcards_test_ca``."""
    from truongso.reportcards.signing import testca

    manifest = testca.school_dir(school.code) / "manifest.json"
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    made = []
    for item in testca.school_certificates(school.code):
        user = users.get(item.username) if item.kind != SignerRole.SEAL else None
        if item.kind != SignerRole.SEAL and user is None:
            continue
        made.append(
            signer_key_register(
                actor=actor,
                school=school,
                role=item.kind,
                backend=KeyBackend.PKCS12,
                config={
                    "path": str(item.path(school.code)),
                    "test_manifest": str(manifest),
                },
                user=user,
                certificate_subject=f"{item.name} ({testca.TEST_MARK})",
                is_test=True,
            )
        )
    return made
