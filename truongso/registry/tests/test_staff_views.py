"""Staff pages: list, card, form, and the "create login" action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truongso.accounts.models import RoleAssignment, User
from truongso.registry.models import Staff
from truongso.registry.services.staff import staff_create
from truongso.registry.tests.test_org_views import login

LIST = reverse("registry:staff_list")


def names(response):
    return [s.full_name for s in response.context["page_obj"]]


def test_principal_lists_her_staff_with_bounded_queries(
    client, world, django_assert_max_num_queries
):
    for number in range(30):
        staff_create(
            actor=world.principal,
            org_unit=world.school_a,
            data={"full_name": f"Giáo viên {chr(65 + number % 26)}"},
        )
    login(client, world.principal)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.count == 32
    assert "Phạm Văn Cường" not in response.content.decode()


def test_search_without_diacritics_and_filters(client, world):
    login(client, world.department)
    assert names(client.get(LIST, {"q": "tran thi hoa"})) == ["Trần Thị Hoa"]
    assert names(client.get(LIST, {"unit": world.school_c.pk})) == ["Phạm Văn Cường"]
    assert names(client.get(LIST, {"position": "ke_toan"})) == []
    Staff.objects.filter(pk=world.staff["c"].pk).update(is_active=False)
    assert names(client.get(LIST, {"working": "0"})) == ["Phạm Văn Cường"]
    response = client.get(LIST, {"page": "abc", "unit": "x", "position": "<i>", "working": "9"})
    assert response.status_code == 200
    assert names(response) == ["Lê Văn Bình", "Trần Thị Hoa"]


@pytest.mark.parametrize("username", ["teacher", "parent", "nobody", "accountant"])
def test_staff_list_denied_without_staff_rights(client, world, username):
    login(client, world.users[username])
    assert client.get(LIST).status_code == 403


def test_staff_card_shows_assignments_homeroom_and_roles(
    client, world, django_assert_max_num_queries
):
    login(client, world.principal)
    url = reverse("registry:staff_detail", args=[world.staff["teacher"].pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    html = response.content.decode()
    assert [a.subject.code for a in response.context["assignments"]] == ["TOAN"]
    assert [g.role for g in response.context["grants"]] == ["teacher"]
    assert "teacher" in html and "6A1" in html
    homeroom = client.get(reverse("registry:staff_detail", args=[world.staff["homeroom"].pk]))
    assert [c.name for c in homeroom.context["homeroom_classes"]] == ["6A2"]
    assert response.context["may_create_login"] is False


@pytest.mark.parametrize("username", ["principal_c", "other_bureau", "parent", "nobody"])
def test_staff_of_another_school_is_404(client, world, username):
    login(client, world.users[username])
    member = world.staff["teacher"]
    for name in ("staff_detail", "staff_edit", "staff_account"):
        assert client.get(reverse(f"registry:{name}", args=[member.pk])).status_code == 404
    response = client.post(reverse("registry:staff_edit", args=[member.pk]), {"full_name": "X"})
    assert response.status_code == 404
    assert Staff.objects.get(pk=member.pk).full_name == "Trần Thị Hoa"


def test_a_teacher_has_no_staff_pages_not_even_her_own_card(client, world):
    login(client, world.teacher)
    own = reverse("registry:staff_detail", args=[world.staff["teacher"].pk])
    assert client.get(own).status_code == 404
    edit = reverse("registry:staff_edit", args=[world.staff["teacher"].pk])
    assert client.post(edit, {"full_name": "Tên khác", "position": "giao_vien"}).status_code == 404
    assert Staff.objects.get(pk=world.staff["teacher"].pk).full_name == "Trần Thị Hoa"


def staff_post(unit, **extra):
    data = {
        "org_unit": unit.pk,
        "full_name": "Nguyễn Thị Mai",
        "staff_code": "",
        "birth_date": "1990-02-14",
        "gender": "F",
        "citizen_id": "034190001234",
        "phone": "0912 000 111",
        "email": "",
        "position": "giao_vien",
        "employment": "bien_che",
        "main_subject": "",
    }
    data.update(extra)
    return data


def test_create_and_edit_staff(client, world):
    login(client, world.principal)
    url = reverse("registry:staff_create")
    assert [u.code for u in client.get(url).context["form"].fields["org_unit"].queryset] == [
        "34070001"
    ]
    response = client.post(url, staff_post(world.school_a))
    member = Staff.objects.get(full_name="Nguyễn Thị Mai")
    assert response.url == reverse("registry:staff_detail", args=[member.pk])
    assert (member.phone, member.employment) == ("0912000111", "bien_che")
    edit = reverse("registry:staff_edit", args=[member.pk])
    data = staff_post(world.school_a, position="to_truong", is_active="")
    del data["org_unit"]
    client.post(edit, data)
    member.refresh_from_db()
    assert (member.position, member.is_active) == ("to_truong", False)


def test_staff_form_errors_are_vietnamese_and_name_the_field(client, world):
    login(client, world.principal)
    response = client.post(
        reverse("registry:staff_create"),
        staff_post(world.school_a, citizen_id="034185001234", phone="12345"),
    )
    errors = response.context["form"].errors
    assert errors["citizen_id"] == ["Số định danh 034185001234 không khớp với năm sinh 1990."]
    assert "phone" in errors
    assert not Staff.objects.filter(full_name="Nguyễn Thị Mai").exists()
    other_school = client.post(reverse("registry:staff_create"), staff_post(world.school_c))
    assert "org_unit" in other_school.context["form"].errors
    assert not Staff.objects.filter(full_name="Nguyễn Thị Mai").exists()


def test_create_login_shows_the_password_once(client, world):
    member = staff_create(
        actor=world.principal, org_unit=world.school_a, data={"full_name": "Phạm Thu Trang"}
    )
    login(client, world.principal)
    card = client.get(reverse("registry:staff_detail", args=[member.pk]))
    assert card.context["may_create_login"] is True
    url = reverse("registry:staff_account", args=[member.pk])
    form = client.get(url).context["form"]
    assert form.initial["username"] == "trangpt.anbai"
    assert [value for value, _label in form.fields["role"].choices] == [
        "teacher",
        "homeroom_teacher",
        "vice_principal",
        "accountant",
        "clerk",
    ]
    response = client.post(url, {"username": "trangpt.anbai", "role": "homeroom_teacher"})
    assert response.status_code == 302
    shown = client.get(response.url)
    password = shown.context["new_login"]["password"]
    assert password in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0")
    again = client.get(response.url)
    assert again.context["new_login"] is None
    assert password not in again.content.decode()
    user = User.objects.get(username="trangpt.anbai")
    assert user.check_password(password)
    assert RoleAssignment.objects.get(user=user).role == "homeroom_teacher"
    assert client.get(url).status_code == 403  # the login exists now


def test_create_login_refuses_a_taken_username_in_vietnamese(client, world):
    member = staff_create(
        actor=world.principal, org_unit=world.school_a, data={"full_name": "Phạm Thu Trang"}
    )
    login(client, world.principal)
    url = reverse("registry:staff_account", args=[member.pk])
    response = client.post(url, {"username": "teacher", "role": "teacher"})
    assert response.context["form"].errors["username"] == ["Tên đăng nhập này đã được sử dụng."]
    response = client.post(url, {"username": "teacher", "role": "principal"})
    assert "role" in response.context["form"].errors
    assert Staff.objects.get(pk=member.pk).user is None


@pytest.mark.parametrize("username", ["vice", "clerk"])
def test_only_role_managers_create_logins(client, world, username):
    member = staff_create(
        actor=world.principal, org_unit=world.school_a, data={"full_name": "Phạm Thu Trang"}
    )
    login(client, world.users[username])
    url = reverse("registry:staff_account", args=[member.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"username": "trang", "role": "teacher"}).status_code == 403
    assert not User.objects.filter(username="trang").exists()
