"""Role management pages: grants in scope, grant and revoke, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from truongso.accounts.models import RoleAssignment
from truongso.accounts.services import staff_account_create
from truongso.core.models import AuditEntry
from truongso.registry.services.staff import staff_create
from truongso.registry.tests.test_org_views import login

LIST = reverse("accounts:role_list")
GRANT = reverse("accounts:role_grant")


def listed(response):
    return sorted((g.user.username, g.role) for g in response.context["page_obj"])


def test_principal_lists_the_grants_of_her_school(client, world, django_assert_max_num_queries):
    login(client, world.principal)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert listed(response) == [
        ("accountant", "accountant"),
        ("clerk", "clerk"),
        ("homeroom", "homeroom_teacher"),
        ("principal", "principal"),
        ("teacher", "teacher"),
        ("vice", "vice_principal"),
    ]
    revocable = {g.user.username for g in response.context["page_obj"] if g.may_revoke}
    assert "principal" not in revocable and "teacher" in revocable
    assert "principal_c" not in response.content.decode()


def test_bureau_officer_sees_its_schools_and_itself_but_not_other_bureaus(client, world):
    login(client, world.bureau)
    names = {u for u, _r in listed(client.get(LIST))}
    assert {"bureau", "principal", "teacher"} <= names
    assert not names & {"principal_c", "other_bureau", "department"}
    filtered = client.get(LIST, {"q": "Hoa", "role": "teacher", "unit": world.school_a.pk})
    assert listed(filtered) == [("teacher", "teacher")]
    garbage = client.get(LIST, {"page": "abc", "role": "king", "unit": "x" * 5})
    assert garbage.status_code == 200


@pytest.mark.parametrize("username", ["vice", "clerk", "teacher", "parent", "student", "nobody"])
def test_people_without_role_rights_get_403(client, world, username):
    login(client, world.users[username])
    assert client.get(LIST).status_code == 403
    assert client.post(GRANT, {"username": "nobody", "role": "clerk"}).status_code == 403
    grant = RoleAssignment.objects.get(user=world.teacher)
    assert client.post(reverse("accounts:role_revoke", args=[grant.pk])).status_code == 403
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()


def test_principal_grants_a_role_to_a_staff_member_with_an_expiry(client, world):
    login(client, world.principal)
    form = client.get(GRANT).context["form"]
    assert [u.code for u in form.fields["org_unit"].queryset] == ["34070001"]
    until = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        GRANT,
        {
            "username": "Teacher",
            "role": "homeroom_teacher",
            "org_unit": world.school_a.pk,
            "valid_until": until.isoformat(),
        },
    )
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=world.teacher, role="homeroom_teacher")
    assert grant.granted_by == world.principal
    assert timezone.localtime(grant.valid_until).date() == until + dt.timedelta(days=1)
    entry = AuditEntry.objects.get(action="role.grant", actor=world.principal)
    assert entry.after == {"user": "teacher", "role": "homeroom_teacher", "org_unit": "34070001"}


def test_grant_refuses_strangers_wrong_kinds_and_the_past(client, world):
    login(client, world.principal)
    before = RoleAssignment.objects.count()
    stranger = client.post(
        GRANT, {"username": "principal_c", "role": "clerk", "org_unit": world.school_a.pk}
    )
    assert stranger.context["form"].errors["username"] == [
        "Không có tài khoản nào với tên đăng nhập này trong số người bạn quản lý."
    ]
    nobody = client.post(
        GRANT, {"username": "ai-do", "role": "clerk", "org_unit": world.school_a.pk}
    )
    assert "username" in nobody.context["form"].errors
    officer_role = client.post(
        GRANT, {"username": "teacher", "role": "bureau_officer", "org_unit": world.school_a.pk}
    )
    assert "role" in officer_role.context["form"].errors
    past = client.post(
        GRANT,
        {"username": "teacher", "role": "clerk", "org_unit": world.school_a.pk,
         "valid_until": "2020-01-01"},
    )  # fmt: skip
    assert "valid_until" in past.context["form"].errors
    other_school = client.post(
        GRANT, {"username": "teacher", "role": "clerk", "org_unit": world.school_c.pk}
    )
    assert "org_unit" in other_school.context["form"].errors
    assert RoleAssignment.objects.count() == before


def test_principal_cannot_make_another_principal_but_the_bureau_can(client, world):
    login(client, world.principal)
    data = {"username": "vice", "role": "principal", "org_unit": world.school_a.pk}
    refused = client.post(GRANT, data)
    assert "role" in refused.context["form"].errors
    assert not RoleAssignment.objects.filter(user=world.vice, role="principal").exists()
    client.logout()
    login(client, world.bureau)
    assert client.post(GRANT, data).status_code == 302
    assert RoleAssignment.objects.filter(user=world.vice, role="principal").exists()


def test_a_new_staff_login_can_be_granted_more_roles(client, world):
    member = staff_create(
        actor=world.principal, org_unit=world.school_a, data={"full_name": "Phạm Thu Trang"}
    )
    user, _password = staff_account_create(actor=world.principal, staff=member, role="teacher")
    login(client, world.principal)
    assert user.username in client.get(GRANT).content.decode()
    client.post(GRANT, {"username": user.username, "role": "clerk", "org_unit": world.school_a.pk})
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {
        "teacher",
        "clerk",
    }


def test_revoke_asks_first_then_revokes(client, world):
    login(client, world.principal)
    grant = RoleAssignment.objects.get(user=world.teacher)
    url = reverse("accounts:role_revoke", args=[grant.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Trần Thị Hoa" in confirm.content.decode()
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert client.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.get(action="role.revoke").before["user"] == "teacher"


def test_revoke_outside_scope_is_404_and_own_principal_role_is_403(client, world):
    login(client, world.principal)
    other = RoleAssignment.objects.get(user=world.principal_c)
    assert client.post(reverse("accounts:role_revoke", args=[other.pk])).status_code == 404
    own = RoleAssignment.objects.get(user=world.principal)
    assert client.post(reverse("accounts:role_revoke", args=[own.pk])).status_code == 403
    assert RoleAssignment.objects.filter(pk__in=[other.pk, own.pk]).count() == 2
    client.logout()
    login(client, world.other_bureau)
    teacher = RoleAssignment.objects.get(user=world.teacher)
    assert client.post(reverse("accounts:role_revoke", args=[teacher.pk])).status_code == 404
    assert RoleAssignment.objects.filter(pk=teacher.pk).exists()


def test_a_role_goes_only_on_its_kind_of_unit(client, world):
    login(client, world.department)
    response = client.post(
        GRANT, {"username": "teacher", "role": "bureau_officer", "org_unit": world.school_a.pk}
    )
    assert response.context["form"].errors["org_unit"] == [
        "Không thể cấp vai trò này trên loại đơn vị này."
    ]
    assert not RoleAssignment.objects.filter(user=world.teacher, role="bureau_officer").exists()
