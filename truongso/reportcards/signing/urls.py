"""The test CA's CRL and the local fake remote-signing service and TSA.

Mounted at ``/reportcards/signing/``; every view answers 404 unless
``settings.REPORTCARDS_FAKE_SERVICES`` (demo, DEBUG, tests).
"""

from __future__ import annotations

from django.urls import path

from truongso.reportcards.signing import fake_remote, fake_tsa, views

app_name = "reportcards_signing"

urlpatterns = [
    path("test-ca.crl", views.test_ca_crl, name="test_ca_crl"),
    path("fake-remote/sign", fake_remote.fake_remote_sign_view, name="fake_remote_sign"),
    path("fake-tsa/", fake_tsa.fake_tsa_view, name="fake_tsa"),
]
