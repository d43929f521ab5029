"""One labelled input with its errors, for the application form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("admissions/apply/_field.html")
def field(
    name: str,
    label: str,
    data: Any,
    errors: Mapping[str, Any],
    mode: str = "",
    readonly: Any = False,
    type: str = "",
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "value": data.get(name, "") if isinstance(data, Mapping) else getattr(data, name, ""),
        "errs": errors.get(name, []),
        "mode": mode,
        "readonly": bool(readonly),
        "type": type,
    }
