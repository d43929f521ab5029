from io import StringIO

from django.core.management import call_command

from truongso.core.models import AuditEntry
from truongso.registry.models import OrgUnit


def test_creates_the_root_once(db):
    call_command("init_ministry", stdout=StringIO())
    call_command("init_ministry", stdout=StringIO())
    root = OrgUnit.objects.get(kind="ministry")
    assert (root.code, root.path, root.parent) == ("BGDDT", f"/{root.pk}/", None)
    assert AuditEntry.objects.filter(action="org_unit.create").count() == 1
