"""Signing a report card: PAdES baseline signatures added as incremental updates.

Each call adds one approval signature (homeroom teacher, then principal, then the school seal)
in its own signature field, as an incremental update, so earlier signatures stay valid. The CMS
carries the signer's chain; with a TSA (``settings.REPORTCARDS_TSA_URL``, or a ``timestamper``
passed in) each signature gets an RFC 3161 signature timestamp (PAdES B-T), otherwise it is
B-B; with a TSA and the CRL of the signer's CA kept locally (and its root trusted) the CRLs
go into the document security store in the same revision (PAdES B-LT). ``bytes_reserved``
is computed from the chain so pyHanko signs once, not twice.
The certificate is checked first (validity dates, key usage, revocation): a refused certificate
leaves the document untouched.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any, NoReturn

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.api import CAdESSignedAttrSpec, SignerAttrSpec
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import TextStampStyle

from truongso.reportcards.signing.backends import SigningBackend
from truongso.reportcards.signing.certs import check_signing_certificate, subject_cn
from truongso.reportcards.signing.errors import SigningError
from truongso.reportcards.signing.timestamps import configured_timestamper

# Room for the CMS beyond the certificates: signed attributes, the signature, DER overhead.
_CMS_OVERHEAD = 2048
# Room for a signature timestamp token (the TSA's certificate and chain are inside it).
_TIMESTAMP_ROOM = 6144


def role_attribute(signer_role: str) -> cms.AttCertAttribute:
    """The CAdES claimed role (``signer-attributes-v2``) naming what the signer signs as."""
    name = asn1_x509.Name.build({"common_name": signer_role})
    role = cms.RoleSyntax({"role_name": asn1_x509.GeneralName(name="directory_name", value=name)})
    return cms.AttCertAttribute({"type": "role", "values": [role]})


def bytes_reserved_for(chain: list[asn1_x509.Certificate], timestamped: bool) -> int:
    """Room for the CMS in ``/Contents``, in hexadecimal digits (two per byte)."""
    size = sum(len(cert.dump()) for cert in chain) + _CMS_OVERHEAD
    if timestamped:
        size += _TIMESTAMP_ROOM
    return -(-2 * size // 1024) * 1024


def _plain(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Lê Văn Bình" -> "Le Van Binh")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and ord(c) < 128)


def stamp_style(signer_role: str, signer_cn: str) -> TextStampStyle:
    """Appearance for a *visible* field the document already has (ours are invisible).

    pyHanko's standard fonts cannot show Vietnamese letters, so the words are written without
    diacritics (readable, never garbled); the printed signature blocks carry the real text.
    """
    text = f"{_plain(signer_role)}: {_plain(signer_cn)}\n%(ts)s"
    return TextStampStyle(
        stamp_text=text.replace("%", "%%").replace("%%(ts)s", "%(ts)s"),
        background=None,
        border_width=0,
    )


def revocation_data_available(chain: list[asn1_x509.Certificate]) -> bool:
    """B-LT is possible offline: a trusted root issued the chain and its CRL is kept here."""
    from truongso.reportcards.signing.certs import load_crls, to_crypto
    from truongso.reportcards.signing.validate import trust_roots

    roots = {to_crypto(root).subject for root in trust_roots()}
    crl_issuers = {crl.issuer for crl in load_crls()}
    issuers = {to_crypto(cert).issuer for cert in chain}
    return bool(issuers & roots) and to_crypto(chain[0]).issuer in crl_issuers


def _long_term_settings(cert: asn1_x509.Certificate) -> dict[str, Any]:
    """PAdES B-LT: the chain's CRLs in the DSS, in the signature's own revision."""
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference

    from truongso.reportcards.signing.validate import validation_context

    usage = cert.key_usage_value.native if cert.key_usage_value else []
    return {
        "embed_validation_info": True,
        "validation_context": validation_context(),
        "signer_key_usage": {"non_repudiation"}
        if "non_repudiation" in usage
        else {"digital_signature"},
        "dss_settings": DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
        ),
    }


def signed_field_names(pdf: bytes) -> list[str]:
    """Names of the signed signature fields of ``pdf``, in document order."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return [name for name, _value, _ref in fields.enumerate_sig_fields(reader, filled_status=True)]


def sign_pdf(
    pdf: bytes,
    *,
    backend: SigningBackend,
    field_name: str,
    signer_role: str,
    reason: str,
    location: str,
    timestamper: TimeStamper | None = None,
    at: dt.datetime | None = None,
) -> bytes:
    """Return ``pdf`` with one more PAdES signature in the field ``field_name``.

    ``timestamper`` defaults to the TSA of ``settings.REPORTCARDS_TSA_URL`` (none when unset).
    ``at`` is the moment the certificate checks use (now). Raises :class:`SigningError`.
    """
    signer = backend.signer()
    chain = backend.chain
    check_signing_certificate(chain[0], chain=chain[1:], at=at)
    if timestamper is None:
        timestamper = configured_timestamper()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        # names only: reading embedded_signatures would parse every CMS blob (≈ 1/3 of the cost)
        already = [
            name
            for name, _value, _ref in fields.enumerate_sig_fields(
                writer.prev, filled_status=True, with_name=field_name
            )
        ]
    except (PdfError, ValueError, KeyError, TypeError):
        raise SigningError("bad_pdf", _("This file is not a readable PDF document.")) from None
    if field_name in already:
        raise SigningError(
            "already_signed",
            _("The signature field %(field)s of this document is already signed.")
            % {"field": field_name},
        )
    long_term = timestamper is not None and revocation_data_available(chain)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        cades_signed_attr_spec=CAdESSignedAttrSpec(
            signer_attributes=SignerAttrSpec(
                claimed_attrs=[role_attribute(signer_role)], certified_attrs=()
            )
        ),
        **(_long_term_settings(chain[0]) if long_term else {}),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=stamp_style(signer_role, subject_cn(chain[0])),
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(
            writer,
            output=output,
            bytes_reserved=bytes_reserved_for(chain, timestamper is not None),
        )
    except SigningError:
        raise
    except Exception as exc:
        token_error = _token_error(exc)
        if token_error is not None:
            raise token_error from None
        if isinstance(exc, TimestampRequestError | PyHankoSigningError):
            _translate(exc)
        raise
    return output.getvalue()


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _token_error(exc: BaseException) -> SigningError | None:
    """A token pulled out (or its session lost) while signing, said plainly."""
    try:
        from pkcs11 import exceptions as p11
    except ImportError:  # pragma: no cover - python-pkcs11 is a dependency
        return None
    for cause in _causes(exc):
        if isinstance(
            cause,
            p11.TokenNotPresent
            | p11.DeviceRemoved
            | p11.SessionClosed
            | p11.SessionHandleInvalid
            | p11.TokenNotRecognised,
        ):
            return SigningError(
                "token_absent",
                _(
                    "The token was removed or its session was lost while signing; nothing was "
                    "signed. Insert it and retry."
                ),
            )
        if isinstance(cause, p11.UserNotLoggedIn | p11.PinExpired | p11.PinLocked):
            return SigningError(
                "wrong_pin", _("The token refused to sign: log in to it again (PIN) and retry.")
            )
    return None


def _translate(exc: Exception) -> NoReturn:
    if isinstance(exc, TimestampRequestError):
        raise SigningError(
            "tsa_error",
            _("The timestamp authority refused to timestamp the signature; nothing was signed."),
        ) from None
    cause: Any = exc.__cause__ or exc.__context__
    if isinstance(cause, SigningError):
        raise cause from None
    raise SigningError(
        "signing_failed",
        _("The signature could not be made: %(error)s") % {"error": str(exc)},
    ) from None
