"""Org-unit pages: list, card, create, edit, close — allowed and denied, with query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from truongso.accounts.middleware import needs_second_factor
from truongso.core.models import AuditEntry
from truongso.registry.models import OrgUnit


def login(client, user):
    """Sign in; officers and principals also pass the second factor, as after a real login."""
    client.force_login(user)
    if needs_second_factor(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def page(client, url, **params):
    response = client.get(url, params)
    return response, response.content.decode()


LIST = reverse("registry:orgunit_list")


def test_bureau_officer_lists_its_subtree_with_bounded_queries(
    client, world, django_assert_max_num_queries
):
    login(client, world.bureau)
    with django_assert_max_num_queries(12):
        response, html = page(client, LIST)
    assert response.status_code == 200
    codes = [unit.code for unit in response.context["page_obj"]]
    assert codes == ["3407", "34070001", "34070002"]
    assert "Trường THCS Đông Hợp" not in html
    assert response.context["may_create"] is True


def test_search_is_diacritic_insensitive_by_name_or_code(client, world):
    login(client, world.department)
    response, _html = page(client, LIST, q="quynh hai")
    assert [u.code for u in response.context["page_obj"]] == ["34070002"]
    response, _html = page(client, LIST, q="3402")
    assert [u.code for u in response.context["page_obj"]] == ["3402", "34020001"]


def test_filters_by_kind_level_parent_and_status(client, world):
    login(client, world.department)
    response, _ = page(client, LIST, kind="school", parent=world.bureau_unit.pk)
    assert [u.code for u in response.context["page_obj"]] == ["34070001", "34070002"]
    response, _ = page(client, LIST, level="thpt")
    assert list(response.context["page_obj"]) == []
    OrgUnit.objects.filter(pk=world.school_b.pk).update(is_active=False)
    response, _ = page(client, LIST, active="0")
    assert [u.code for u in response.context["page_obj"]] == ["34070002"]
    response, _ = page(client, LIST, active="all", kind="school")
    assert len(response.context["page_obj"]) == 3


def test_garbage_query_parameters_never_break_the_list(client, world):
    login(client, world.department)
    response, _ = page(
        client, LIST, page="abc", kind="x", level="<b>", parent="999999999999", active="zz"
    )
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 6


def test_principal_sees_only_her_school_and_cannot_create(client, world):
    login(client, world.principal)
    response, _ = page(client, LIST)
    assert [u.code for u in response.context["page_obj"]] == ["34070001"]
    assert response.context["may_create"] is False
    assert client.get(reverse("registry:orgunit_create")).status_code == 403


@pytest.mark.parametrize("username", ["parent", "student", "nobody"])
def test_people_without_org_rights_get_403(client, world, username):
    login(client, world.users[username])
    assert client.get(LIST).status_code == 403


def test_unit_card_shows_counts_heads_grades_and_children(
    client, world, django_assert_max_num_queries
):
    login(client, world.bureau)
    with django_assert_max_num_queries(16):
        response, html = page(client, reverse("registry:orgunit_detail", args=[world.school_a.pk]))
    figures = response.context["figures"]
    assert (figures.classes, figures.students, figures.staff) == (2, 3, 2)
    assert response.context["heads"] == ["Hiệu trưởng An Bài"]
    assert "6–9" in html
    assert response.context["may_edit"] and response.context["may_close"]
    bureau, _ = page(client, reverse("registry:orgunit_detail", args=[world.bureau_unit.pk]))
    assert [(c.code, c.studying) for c in bureau.context["children"]] == [
        ("34070001", 3),
        ("34070002", 0),
    ]
    assert bureau.context["may_add_child"] is True


@pytest.mark.parametrize("username", ["principal_c", "other_bureau", "parent", "nobody"])
def test_unit_card_of_another_subtree_is_404(client, world, username):
    login(client, world.users[username])
    assert (
        client.get(reverse("registry:orgunit_detail", args=[world.school_a.pk])).status_code == 404
    )
    assert client.get(reverse("registry:orgunit_edit", args=[world.school_a.pk])).status_code == 404


def test_teacher_sees_her_school_card_but_cannot_edit(client, world):
    login(client, world.teacher)
    response, _ = page(client, reverse("registry:orgunit_detail", args=[world.school_a.pk]))
    assert response.status_code == 200
    assert response.context["may_edit"] is False
    edit = reverse("registry:orgunit_edit", args=[world.school_a.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"phone": "0912345678"}).status_code == 403
    assert OrgUnit.objects.get(pk=world.school_a.pk).phone == ""


@pytest.mark.parametrize(
    ("username", "linked"),
    [("teacher", False), ("accountant", False), ("clerk", True), ("principal", True)],
)
def test_unit_card_links_to_the_staff_list_only_for_who_may_open_it(
    client, world, username, linked
):
    login(client, world.users[username])
    _, html = page(client, reverse("registry:orgunit_detail", args=[world.school_a.pk]))
    staff = f"{reverse('registry:staff_list')}?unit={world.school_a.pk}"
    assert (f'href="{staff}"' in html) is linked
    assert client.get(staff).status_code == (200 if linked else 403)


def school_post(**extra):
    data = {
        "parent": "",
        "kind": "school",
        "code": "34070010",
        "name": "Trường Tiểu học Quỳnh Hoa",
        "level": "tieu_hoc",
        "grade_from": "",
        "grade_to": "",
        "ownership": "cong_lap",
        "address": "Xã Quỳnh Hoa",
        "phone": "02273 861 000",
        "email": "",
    }
    data.update(extra)
    return data


def test_bureau_officer_creates_a_school(client, world):
    login(client, world.bureau)
    url = reverse("registry:orgunit_create")
    form = client.get(url, {"parent": world.bureau_unit.pk})
    assert [u.code for u in form.context["form"].fields["parent"].queryset] == ["3407"]
    response = client.post(url, school_post(parent=world.bureau_unit.pk))
    school = OrgUnit.objects.get(code="34070010")
    assert response.status_code == 302
    assert response.url == reverse("registry:orgunit_detail", args=[school.pk])
    assert (school.parent, school.grade_from, school.grade_to) == (world.bureau_unit, 1, 5)
    assert school.path == f"{world.bureau_unit.path}{school.pk}/"


def test_create_form_shows_vietnamese_errors_and_writes_nothing(client, world):
    login(client, world.bureau)
    url = reverse("registry:orgunit_create")
    response = client.post(url, school_post(parent=world.bureau_unit.pk, code="34070001"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mã 34070001 đã được sử dụng." in html
    assert not OrgUnit.objects.filter(name="Trường Tiểu học Quỳnh Hoa").exists()
    response = client.post(url, school_post(parent=world.bureau_unit.pk, level=""))
    assert "Trường học phải có cấp học." in response.content.decode()
    response = client.post(url, school_post(parent=world.bureau_unit.pk, phone="abc"))
    assert response.context["form"].errors["phone"] == [
        "Hãy viết số điện thoại bằng chữ số, ví dụ 02273 862 123."
    ]
    response = client.post(url, school_post(parent=world.bureau_unit.pk, code="<b>x</b>"))
    assert "code" in response.context["form"].errors
    assert "<b>x</b>" not in response.content.decode()


def test_officer_cannot_create_under_another_bureau(client, world):
    login(client, world.other_bureau)
    response = client.post(
        reverse("registry:orgunit_create"), school_post(parent=world.bureau_unit.pk)
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not OrgUnit.objects.filter(code="34070010").exists()


def test_principal_edits_the_contact_data_of_her_school_only(client, world):
    login(client, world.principal)
    url = reverse("registry:orgunit_edit", args=[world.school_a.pk])
    form = client.get(url).context["form"]
    assert list(form.fields) == ["address", "phone", "email"]
    response = client.post(
        url, {"address": "Xã An Bài", "phone": "02273 862 123", "email": "", "name": "Đổi tên"}
    )
    assert response.status_code == 302
    school = OrgUnit.objects.get(pk=world.school_a.pk)
    assert (school.name, school.address, school.phone) == (
        "Trường THCS An Bài",
        "Xã An Bài",
        "02273 862 123",
    )
    bad = client.post(url, {"address": "", "phone": "gọi cô Hoa", "email": "x@"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"phone", "email"}


def test_bureau_officer_edits_all_fields_of_a_school(client, world):
    login(client, world.bureau)
    url = reverse("registry:orgunit_edit", args=[world.school_b.pk])
    assert "level" in client.get(url).context["form"].fields
    response = client.post(
        url,
        {
            "name": "Trường THCS Quỳnh Hải mới",
            "level": "thcs",
            "grade_from": "6",
            "grade_to": "9",
            "ownership": "cong_lap",
            "address": "",
            "phone": "",
            "email": "",
        },
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=world.school_b.pk).ownership == "cong_lap"


def test_closing_needs_the_office_above_and_an_empty_school(client, world):
    close_a = reverse("registry:orgunit_close", args=[world.school_a.pk])
    close_b = reverse("registry:orgunit_close", args=[world.school_b.pk])
    login(client, world.principal)
    assert client.post(close_a).status_code == 403
    client.logout()
    login(client, world.other_bureau)
    assert client.post(close_b).status_code == 404
    assert OrgUnit.objects.filter(is_active=False).count() == 0
    client.logout()
    login(client, world.bureau)
    assert client.get(close_b).status_code == 405
    refused = client.post(close_a, follow=True)
    assert "Trường vẫn còn học sinh" in refused.content.decode()
    client.post(close_b)
    assert not OrgUnit.objects.get(pk=world.school_b.pk).is_active
    client.post(reverse("registry:orgunit_reopen", args=[world.school_b.pk]))
    assert OrgUnit.objects.get(pk=world.school_b.pk).is_active
    assert AuditEntry.objects.filter(action="org_unit.set_active", actor=world.bureau).count() == 2
