"""The audit-log viewer: only in-scope entries, filters, before/after side by side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from truongso.core.audit import audit_export
from truongso.core.models import AuditEntry
from truongso.registry.services.org import org_unit_update
from truongso.registry.tests.test_org_views import login

LIST = reverse("core:audit_list")


def shown(response):
    return list(response.context["page_obj"])


def under(entries, unit):
    return all(e.org_path.startswith(unit.path) for e in entries)


def test_principal_sees_only_her_school(client, world, django_assert_max_num_queries):
    login(client, world.principal)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    entries = shown(response)
    expected = AuditEntry.objects.filter(org_path__startswith=world.school_a.path).count()
    assert response.context["page_obj"].paginator.count == expected > 0
    assert under(entries, world.school_a)
    assert "Vũ Tiến Dũng" not in response.content.decode()


def test_principal_of_school_c_cannot_see_school_a_entries(client, world):
    login(client, world.principal_c)
    entries = shown(client.get(LIST, {"action": ""}))
    assert entries and under(entries, world.school_c)
    entry_a = AuditEntry.objects.filter(org_path__startswith=world.school_a.path).first()
    assert client.get(reverse("core:audit_detail", args=[entry_a.pk])).status_code == 404


def test_officers_see_their_subtree(client, world):
    login(client, world.other_bureau)
    entries = shown(client.get(LIST))
    assert entries and under(entries, world.other_bureau_unit)
    client.logout()
    login(client, world.department)
    count = client.get(LIST).context["page_obj"].paginator.count
    assert (
        count == AuditEntry.objects.filter(org_path__startswith=world.department_unit.path).count()
    )


@pytest.mark.parametrize(
    "username", ["teacher", "homeroom", "clerk", "accountant", "parent", "nobody"]
)
def test_people_without_audit_rights_get_403(client, world, username):
    login(client, world.users[username])
    assert client.get(LIST).status_code == 403
    entry = AuditEntry.objects.first()
    assert client.get(reverse("core:audit_detail", args=[entry.pk])).status_code == 403


def test_filters_by_action_type_actor_and_dates(client, world):
    org_unit_update(actor=world.principal, unit=world.school_a, data={"phone": "02273 862 123"})
    login(client, world.principal)
    by_action = shown(client.get(LIST, {"action": "org_unit"}))
    assert {e.action for e in by_action} == {"org_unit.create", "org_unit.update"}
    assert [e.action for e in shown(client.get(LIST, {"action": "org_unit.update"}))] == [
        "org_unit.update"
    ]
    by_actor = shown(client.get(LIST, {"actor": "PRINCIPAL"}))
    assert [e.action for e in by_actor] == ["org_unit.update"]
    by_type = shown(client.get(LIST, {"object_type": "registry.schoolclass"}))
    assert {e.object_repr for e in by_type} == {"6A1", "6A2"}
    today = timezone.localdate()
    assert len(shown(client.get(LIST, {"date_from": today.isoformat(), "actor": "principal"}))) == 1
    tomorrow = today + dt.timedelta(days=1)
    assert shown(client.get(LIST, {"date_from": tomorrow.isoformat()})) == []
    assert shown(client.get(LIST, {"date_to": (today - dt.timedelta(days=1)).isoformat()})) == []


def test_garbage_filters_never_break_the_page(client, world):
    login(client, world.principal)
    response = client.get(
        LIST, {"page": "abc", "date_from": "31/02/2025", "date_to": "xx", "action": "'; drop"}
    )
    assert response.status_code == 200
    reversed_dates = client.get(LIST, {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert "Ngày kết thúc trước ngày bắt đầu." in reversed_dates.content.decode()


def test_detail_shows_before_and_after_with_changes_marked(client, world):
    org_unit_update(
        actor=world.bureau, unit=world.school_a, data={"phone": "02273 862 123", "address": ""}
    )
    entry = AuditEntry.objects.get(action="org_unit.update")
    login(client, world.principal)
    response = client.get(reverse("core:audit_detail", args=[entry.pk]))
    rows = response.context["rows"]
    assert [(r.field, r.before, r.after, r.changed) for r in rows] == [
        ("phone", "—", "02273 862 123", True)
    ]
    html = response.content.decode()
    assert "table-warning" in html and "02273 862 123" in html
    assert "Đã thay đổi đơn vị" in html


def test_creation_entries_show_every_field(client, world):
    entry = AuditEntry.objects.get(action="class.create", object_repr="6A1")
    login(client, world.principal)
    rows = client.get(reverse("core:audit_detail", args=[entry.pk])).context["rows"]
    by_field = {r.field: r for r in rows}
    assert by_field["name"].before == "—" and by_field["name"].after == "6A1"
    assert by_field["grade"].after == "6" and by_field["grade"].changed


def test_exports_are_listed_for_their_school(client, world):
    audit_export(actor=world.clerk, what="register", org_path=world.school_a.path, rows=3)
    audit_export(actor=world.principal_c, what="register", org_path=world.school_c.path, rows=1)
    login(client, world.principal)
    exports = shown(client.get(LIST, {"action": "export"}))
    assert [(e.actor_name, e.after["rows"]) for e in exports] == [("clerk", 3)]
