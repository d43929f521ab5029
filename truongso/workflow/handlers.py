"""The kinds of approval request and what approving one does.

Each domain app registers its kinds in ``AppConfig.ready``; the workflow itself knows no
domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from truongso.core.authz import Perm

if TYPE_CHECKING:
    from truongso.workflow.models import ApprovalRequest


@dataclass(frozen=True)
class Handler:
    # Who decides: holders of this permission over the request's org unit.
    decide_perm: Perm
    # Applies an approved request; runs inside the deciding transaction, may raise
    # ValidationError to refuse the approval (nothing is then changed).
    apply: Callable[[ApprovalRequest, Any], None]
    # Re-checks that the request still makes sense (e.g. the value did not change
    # meanwhile); raises ValidationError otherwise. Called on submit and on approval.
    check: Callable[[ApprovalRequest], None] = lambda request: None


_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError as exc:
        raise LookupError(f"No approval handler registered for {kind!r}") from exc


def kinds_decided_with(perm: Perm) -> list[str]:
    return [kind for kind, handler in _handlers.items() if handler.decide_perm == perm]
