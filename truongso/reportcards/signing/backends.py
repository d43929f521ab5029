"""Where signing keys live: one interface, three kinds of key store.

A :class:`SigningBackend` hands out a pyHanko :class:`~pyhanko.sign.signers.Signer` and the
certificate chain to embed. The key is opened once (first use) and reused for a whole batch;
close the backend (or use it as a context manager) when the batch is done.

* :class:`Pkcs12Backend`: a ``.p12`` file and its passphrase (test certificates, soft keys);
* :class:`Pkcs11Backend`: a USB token or HSM through its PKCS#11 library (the school seal from
  the Government Cipher Committee CA comes on a token);
* :class:`RemoteHashBackend`: a remote-signing service (VNPT SmartCA, Viettel MySign style)
  that never sees the document: the signer computes the digest of the CMS signed attributes,
  sends only that digest as JSON, checks the returned signature against the certificate and
  embeds it.

Every failure (missing file, wrong passphrase or PIN, absent token, a service that times out or
answers garbage) is a :class:`SigningError` with a Vietnamese-first message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from truongso.reportcards.signing.certs import to_asn1, to_crypto
from truongso.reportcards.signing.errors import SigningError


def _t(message: str) -> str:
    from django.utils.translation import gettext

    return gettext(message)


class SigningBackend:
    """A signing key and its certificate chain; subclasses implement :meth:`_open`."""

    description = "key"

    def __init__(self) -> None:
        self._signer: Signer | None = None

    def _open(self) -> Signer:
        raise NotImplementedError

    def signer(self) -> Signer:
        """The pyHanko signer, opened on first use and kept for the batch."""
        if self._signer is None:
            self._signer = self._open()
        return self._signer

    @property
    def certificate(self) -> asn1_x509.Certificate:
        cert = self.signer().signing_cert
        assert cert is not None
        return cert

    @property
    def chain(self) -> list[asn1_x509.Certificate]:
        """The signer's certificate, then the other certificates known to the backend."""
        cert = self.certificate
        others = [c for c in self.signer().cert_registry if c != cert]
        return [cert, *others]

    def close(self) -> None:
        self._signer = None

    def __enter__(self) -> SigningBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Pkcs12Backend(SigningBackend):
    """A key in a PKCS#12 (``.p12``/``.pfx``) file."""

    description = "PKCS#12"

    def __init__(self, path: str | Path, passphrase: str | bytes | None) -> None:
        super().__init__()
        self.path = Path(path)
        self.passphrase = passphrase.encode() if isinstance(passphrase, str) else passphrase

    def _open(self) -> Signer:
        try:
            data = self.path.read_bytes()
        except OSError:
            raise SigningError(
                "key_missing",
                _t("The key file %(file)s cannot be read.") % {"file": self.path.name},
            ) from None
        try:
            signer: Signer = SimpleSigner.load_pkcs12_data(data, (), passphrase=self.passphrase)
            return signer
        except ValueError:
            raise SigningError(
                "wrong_pin",
                _t("Wrong passphrase for the key file %(file)s (or the file is damaged).")
                % {"file": self.path.name},
            ) from None


class Pkcs11Backend(SigningBackend):
    """A key on a PKCS#11 token (USB token, smart card, HSM; SoftHSM in tests).

    The certificates on the token (the signer's and its CA chain) are read from it; pass
    ``ca_chain`` when the token holds only the signer's certificate.
    """

    description = "PKCS#11"

    def __init__(
        self,
        lib_path: str | Path,
        token_label: str,
        pin: str,
        key_label: str,
        *,
        ca_chain: Iterable[Any] = (),
    ) -> None:
        super().__init__()
        self.lib_path = str(lib_path)
        self.token_label = token_label
        self.pin = pin
        self.key_label = key_label
        self.ca_chain = [to_asn1(c) for c in ca_chain]
        self._session: Any = None

    def _open(self) -> Signer:
        import pkcs11
        from pkcs11 import exceptions as p11_errors
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        if not Path(self.lib_path).exists():
            raise SigningError(
                "config",
                _t("The PKCS#11 library %(lib)s is not installed on this server.")
                % {"lib": self.lib_path},
            )
        absent = SigningError(
            "token_absent",
            _t("The token %(token)s is not plugged in (or not found); insert it and retry.")
            % {"token": self.token_label},
        )
        try:
            session = open_pkcs11_session(
                self.lib_path,
                token_criteria=TokenCriteria(label=self.token_label),
                user_pin=self.pin,
            )
        except (p11_errors.PinIncorrect, p11_errors.PinLenRange, p11_errors.PinInvalid):
            raise SigningError(
                "wrong_pin",
                _t("Wrong PIN for the token %(token)s. Several wrong PINs lock the token.")
                % {"token": self.token_label},
            ) from None
        except p11_errors.PinLocked:
            raise SigningError(
                "wrong_pin",
                _t("The token %(token)s is locked after too many wrong PINs.")
                % {"token": self.token_label},
            ) from None
        except (
            p11_errors.TokenNotPresent,
            p11_errors.NoSuchToken,
            p11_errors.DeviceRemoved,
            p11_errors.SlotIDInvalid,
        ):
            raise absent from None
        except pkcs11.PKCS11Error as exc:
            if "token" in str(exc).lower():
                raise absent from None
            raise SigningError(
                "token_error",
                _t("The token %(token)s refused: %(error)s")
                % {"token": self.token_label, "error": type(exc).__name__},
            ) from None
        self._session = session
        signer = PKCS11Signer(
            session,
            key_label=self.key_label,
            cert_label=self.key_label,
            other_certs_to_pull=None,
            ca_chain=self.ca_chain or None,
            # hash here, sign on the token: raw ECDSA / RSA PKCS#1 are what every token has
            use_raw_mechanism=True,
        )
        try:
            cert = signer.signing_cert
        except Exception:  # pyHanko raises its own errors for objects that are not there
            self.close()
            raise SigningError(
                "key_missing",
                _t("The token %(token)s holds no key and certificate labelled %(key)s.")
                % {"token": self.token_label, "key": self.key_label},
            ) from None
        if cert is None:
            self.close()
            raise SigningError(
                "key_missing",
                _t("The token %(token)s holds no key and certificate labelled %(key)s.")
                % {"token": self.token_label, "key": self.key_label},
            )
        return signer

    def close(self) -> None:
        super().close()
        if self._session is not None:
            import pkcs11

            try:
                self._session.close()
            except pkcs11.PKCS11Error:
                pass  # the token went away: nothing left to close
            finally:
                self._session = None


# --- remote hash signing ----------------------------------------------------------------------
@dataclass(frozen=True)
class RemoteCredentials:
    """What the remote service needs to pick the key: the credential (key) id and a token."""

    credential_id: str
    token: str


def _signature_matches(cert: asn1_x509.Certificate, digest: bytes, signature: bytes) -> bool:
    key = to_crypto(cert).public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


class RemoteHashSigner(Signer):
    """A pyHanko signer whose key is elsewhere: only a SHA-256 digest leaves this machine.

    Protocol (JSON over HTTP(S), ``POST url``, header ``Authorization: Bearer <token>``)::

        -> {"credential_id": "...", "hash_algorithm": "sha256",
            "hash": "<base64 digest of the DER signed attributes>"}
        <- {"signature": "<base64 raw signature: DER ECDSA-Sig-Value or PKCS#1 v1.5>"}

    The returned signature is verified against the certificate before it is embedded, so a
    service that answers with another key or with garbage is caught here, not by a reader.
    """

    def __init__(
        self,
        *,
        url: str,
        credentials: RemoteCredentials,
        cert_chain: Sequence[asn1_x509.Certificate],
        timeout: float,
    ) -> None:
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple(cert_chain)
        super().__init__(signing_cert=cert_chain[0], cert_registry=registry)
        self.url = url
        self.credentials = credentials
        self.timeout = timeout
        self.requests_sent = 0
        self.hashes_sent: list[bytes] = []

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        cert = self.signing_cert
        assert cert is not None
        if dry_run:
            key = to_crypto(cert).public_key()
            return bytes(key.key_size // 8 if isinstance(key, rsa.RSAPublicKey) else 72)
        if digest_algorithm.lower() != "sha256":
            raise SigningError(
                "config",
                _t("The remote signing service only signs SHA-256 digests."),
            )
        digest = hashlib.sha256(data).digest()
        signature = self._call(digest)
        if not _signature_matches(cert, digest, signature):
            raise SigningError(
                "remote_garbage",
                _t(
                    "The remote signing service answered with a signature that does not match "
                    "the certificate; nothing was signed."
                ),
            )
        return signature

    def _call(self, digest: bytes) -> bytes:
        body = json.dumps(
            {
                "credential_id": self.credentials.credential_id,
                "hash_algorithm": "sha256",
                "hash": base64.b64encode(digest).decode("ascii"),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is configuration
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.credentials.token}",
            },
        )
        self.requests_sent += 1
        self.hashes_sent.append(digest)
        garbage = SigningError(
            "remote_garbage",
            _t("The remote signing service answered something that is not a signature."),
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            raise SigningError(
                "remote_error",
                _t("The remote signing service refused the request (HTTP %(status)s).")
                % {"status": exc.code},
            ) from None
        except TimeoutError:
            raise self._timeout() from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise self._timeout() from None
            raise SigningError(
                "remote_unreachable",
                _t("The remote signing service cannot be reached; try again later."),
            ) from None
        except (ConnectionError, OSError):
            raise SigningError(
                "remote_unreachable",
                _t("The remote signing service cannot be reached; try again later."),
            ) from None
        try:
            answer = json.loads(raw)
            signature = base64.b64decode(answer["signature"], validate=True)
        except (ValueError, KeyError, TypeError):
            raise garbage from None
        if not signature:
            raise garbage
        return signature

    def _timeout(self) -> SigningError:
        return SigningError(
            "remote_timeout",
            _t(
                "The remote signing service did not answer within %(seconds)s s; "
                "nothing was signed, try again."
            )
            % {"seconds": f"{self.timeout:g}"},
        )


class RemoteHashBackend(SigningBackend):
    """A key held by a remote signing service; ``cert_chain`` starts with the signer's."""

    description = "remote"

    def __init__(
        self,
        url: str,
        credentials: RemoteCredentials,
        cert_chain: Sequence[Any],
        timeout: float = 10.0,
    ) -> None:
        super().__init__()
        if not cert_chain:
            raise SigningError(
                "config", _t("The remote signing account has no certificate configured.")
            )
        self.url = url
        self.credentials = credentials
        self.cert_chain = [to_asn1(c) for c in cert_chain]
        self.timeout = timeout

    def _open(self) -> Signer:
        return RemoteHashSigner(
            url=self.url,
            credentials=self.credentials,
            cert_chain=self.cert_chain,
            timeout=self.timeout,
        )
