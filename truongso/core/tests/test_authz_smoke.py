from truongso.core import authz
from truongso.core.authz import Perm
from truongso.registry.models import Student


def names(user):
    return sorted(s.full_name for s in authz.scope(user, Perm.STUDENT_VIEW, Student.objects.all()))


def test_scope_by_role(world):
    assert names(world.principal) == ["Hoàng Thị Chi", "Nguyễn Văn An", "Đỗ Thị Bình"]
    assert names(world.teacher) == ["Nguyễn Văn An", "Đỗ Thị Bình"]
    assert names(world.homeroom) == ["Hoàng Thị Chi"]
    assert names(world.parent) == ["Nguyễn Văn An"]
    assert names(world.student) == ["Nguyễn Văn An"]
    assert names(world.principal_c) == ["Vũ Tiến Dũng"]
    assert len(names(world.department)) == 4
    assert names(world.nobody) == []
