"""Fixtures of the signing tests: a throw-away test CA per run (and per test that revokes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from truongso.reportcards.signing.backends import Pkcs12Backend
from truongso.reportcards.tests.signing.kit import PASS, Kit, make_kit, use_kit


@pytest.fixture(scope="session")
def shared_kit(tmp_path_factory: Any) -> Kit:
    """One CA and TSA for the whole run (tests that revoke make their own)."""
    kit = make_kit(tmp_path_factory.mktemp("testca"))
    kit.root.tsa()
    return kit


@pytest.fixture
def kit(shared_kit: Kit, settings: Any) -> Kit:
    use_kit(settings, shared_kit)
    return shared_kit


@pytest.fixture
def own_kit(tmp_path: Path, settings: Any) -> Kit:
    kit = make_kit(tmp_path / "ca-own")
    use_kit(settings, kit)
    return kit


@pytest.fixture(scope="session")
def alice_p12(shared_kit: Kit) -> Path:
    return shared_kit.p12("Lê Văn Bình")


@pytest.fixture
def signer(kit: Kit, alice_p12: Path) -> Pkcs12Backend:
    return Pkcs12Backend(alice_p12, PASS)


@pytest.fixture(scope="session")
def softhsm(shared_kit: Kit, tmp_path_factory: Any) -> Any:
    """A SoftHSM token for the run (skipped locally without SoftHSM, mandatory in CI)."""
    import os

    from truongso.reportcards.tests.signing.kit import softhsm_token

    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        yield softhsm_token(directory, shared_kit)
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous
