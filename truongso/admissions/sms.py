"""Text messages (tin nhắn SMS) to parents: one interface, several backends.

Every message goes through :func:`sms_send`, which writes an :class:`SmsMessage` row in the
outbox and hands it to the backend named by ``ADMISSIONS_SMS_BACKEND``:

* ``console`` (default): logs the text; the demo reads the code from the log or the outbox;
* ``file``: appends one JSON line per message to ``ADMISSIONS_SMS_FILE``;
* ``http``: a generic JSON SMS gateway: ``POST ADMISSIONS_SMS_URL`` with
  ``{"to": "+849...", "text": "...", "sender": "..."}`` and the header
  ``Authorization: Bearer <ADMISSIONS_SMS_API_KEY>``; any 2xx answer is "sent".

Gateway calls can be slow, so the ``http`` backend is delivered by a Celery task after the
commit (idempotent: a message is sent only while it is still ``queued``); the local backends
deliver at once. The outbox keeps the text for the local backends only: for a real gateway
the one-time code is masked (``redact``), so the database never holds a usable code.

Notices to parents (``services/notify.py``) go through :func:`sms_queue_bulk`: queued rows
written in the caller's transaction and delivered only after it commits, by
:func:`sms_deliver_batch` (in the process for the local backends, as a task for a gateway).
A message is claimed (``queued`` → ``sending``) before it leaves, so a batch delivered twice
sends each message once; a gateway's messages are claimed one at a time, so that a worker
dying mid-batch strands only the message in flight.

Length: a text in the GSM 7-bit alphabet (3GPP TS 23.038) takes 160 characters in one
segment, 153 per segment when split; any other character (every Vietnamese letter with a
diacritic, and ``đ``) makes the whole message UCS-2: 70 characters, 67 per segment.
:func:`sms_segments` counts them; :func:`gsm7` writes Vietnamese without diacritics.
"""

from __future__ import annotations

import json
import logging
import math
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from truongso.admissions.models import SmsMessage
from truongso.core.text import without_marks

logger = logging.getLogger(__name__)

# GSM 03.38 default alphabet (one septet each) and its extension table (two septets each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_ASCII_LOOKALIKES = str.maketrans(
    {"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "..."}
)


def gsm7(text: str) -> str:
    """Vietnamese without diacritics, in the GSM 7-bit alphabet: "Trường Đông" → "Truong Dong".

    Letters lose their marks (NFD, combining marks dropped; ``đ`` → ``d``), dashes and curly
    quotes become ASCII, and any character still outside the alphabet becomes "?".
    """
    plain = without_marks(text.translate(_ASCII_LOOKALIKES))
    return "".join(
        ch if ch in GSM7_BASIC or ch in GSM7_EXTENSION else "?"
        for ch in unicodedata.normalize("NFC", plain)
    )


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` costs: GSM 7-bit 160, or 153 each when split; UCS-2
    (any other character) 70, or 67 each when split."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


class SmsError(Exception):
    """The backend could not deliver the message (the reason is stored on the message)."""


class SmsBackend(Protocol):
    name: str
    # True: delivered inside the request; False: by a task after the commit.
    inline: bool

    def deliver(self, *, phone: str, text: str) -> None: ...


class ConsoleBackend:
    name = "console"
    inline = True

    def deliver(self, *, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


class FileBackend:
    name = "file"
    inline = True

    def __init__(self, path: str | Path | None = None) -> None:
        default = Path(settings.VAR_DIR) / "sms" / "outbox.jsonl"
        self.path = Path(path or getattr(settings, "ADMISSIONS_SMS_FILE", "") or default)

    def deliver(self, *, phone: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def international(phone: str) -> str:
    """0912345678 → +84912345678 (E.164, what gateways expect)."""
    return "+84" + phone[1:] if phone.startswith("0") else phone


class HttpJsonBackend:
    """A generic JSON SMS gateway authenticated by an API key (bearer token)."""

    name = "http"
    inline = False

    def __init__(
        self, *, url: str | None = None, api_key: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url or getattr(settings, "ADMISSIONS_SMS_URL", "")
        self.api_key = api_key or getattr(settings, "ADMISSIONS_SMS_API_KEY", "")
        self.sender = getattr(settings, "ADMISSIONS_SMS_SENDER", "TRUONGSO")
        self.timeout = timeout or float(getattr(settings, "ADMISSIONS_SMS_TIMEOUT", 10))

    def deliver(self, *, phone: str, text: str) -> None:
        if not self.url or not self.api_key:
            raise SmsError("ADMISSIONS_SMS_URL and ADMISSIONS_SMS_API_KEY must be set")
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("ADMISSIONS_SMS_URL must be an http(s) address")
        body = json.dumps(
            {"to": international(phone), "text": text, "sender": self.sender}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_key}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"gateway answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")


BACKENDS: dict[str, type[ConsoleBackend] | type[FileBackend] | type[HttpJsonBackend]] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "http": HttpJsonBackend,
}


def backend_get(name: str | None = None) -> SmsBackend:
    name = name or getattr(settings, "ADMISSIONS_SMS_BACKEND", "console")
    if name not in BACKENDS:
        raise SmsError(f"unknown SMS backend {name!r} (use {', '.join(BACKENDS)})")
    backend: SmsBackend = BACKENDS[name]()
    return backend


def sms_send(*, phone: str, text: str, redact: str = "") -> SmsMessage:
    """Queue ``text`` to ``phone`` and deliver it (now, or after the commit for a gateway).

    ``redact`` is a secret inside ``text`` (a one-time code) kept out of the outbox when the
    message leaves the machine.
    """
    backend = backend_get()
    stored = text.replace(redact, "•" * len(redact)) if redact and not backend.inline else text
    message = SmsMessage.objects.create(
        phone=phone, text=stored[:480], backend=backend.name, status="queued"
    )
    if backend.inline:
        _deliver(message, backend, text)
    else:
        transaction.on_commit(lambda: sms_deliver.delay(message.pk, text))
    return message


def sms_queue_bulk(*, messages: Sequence[tuple[str, str]]) -> list[SmsMessage]:
    """Write one ``queued`` outbox row per (phone, text) in the caller's transaction (one
    insert) and deliver them once it commits; nothing leaves if it rolls back.

    For texts without secrets only: the outbox keeps them whole, and the delivery reads them
    from there."""
    backend = backend_get()
    rows = SmsMessage.objects.bulk_create(
        [
            SmsMessage(phone=phone, text=text[:480], backend=backend.name, status="queued")
            for phone, text in messages
        ],
        batch_size=1000,
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: sms_dispatch(ids))
    return rows


def sms_dispatch(message_ids: list[int]) -> None:
    """Deliver queued messages now (local backends) or hand them to a task (a gateway)."""
    if backend_get().inline:
        sms_deliver_batch(message_ids)
    else:
        sms_deliver_batch.delay(message_ids)


@shared_task(name="admissions.sms_deliver_batch", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def sms_deliver_batch(message_ids: list[int]) -> int:
    """Deliver the still-queued messages among ``message_ids`` once each; returns how many
    were sent. Each is claimed (``queued`` → ``sending``) before it leaves, so a redelivered
    task or a second caller finds nothing left: the local backends' messages all at once
    under a row lock (SQLite: the project's IMMEDIATE transactions), a gateway's one at a
    time just before its call, so that a worker dying mid-batch leaves only the message in
    flight ``sending`` (never sent twice) and the redelivered task sends the rest."""
    backends: dict[str, SmsBackend] = {}

    def backend_of(message: SmsMessage) -> SmsBackend:
        if message.backend not in backends:
            backends[message.backend] = backend_get(message.backend)
        return backends[message.backend]

    with transaction.atomic():
        queued = list(
            SmsMessage.objects.select_for_update()
            .filter(pk__in=message_ids, status="queued")
            .order_by("pk")
        )
        local = [m.pk for m in queued if backend_of(m).inline]
        SmsMessage.objects.filter(pk__in=local).update(status="sending")
    sent: list[int] = []
    for message in queued:
        backend = backend_of(message)
        if not backend.inline:
            if not _claim(message.pk):
                continue  # another delivery took it
            _deliver(message, backend, message.text)  # its status saved at once
            if message.status == "sent":
                sent.append(message.pk)
            continue
        try:
            backend.deliver(phone=message.phone, text=message.text)
        except SmsError as exc:
            message.status, message.error = "failed", str(exc)[:255]
            message.save(update_fields=["status", "error"])
        else:
            sent.append(message.pk)
    SmsMessage.objects.filter(pk__in=sent, status="sending").update(status="sent", error="")
    return len(sent)


def _claim(message_id: int) -> bool:
    """``queued`` → ``sending`` for one message, in one conditional UPDATE (a concurrent
    claimer waits for the row and then finds it no longer queued)."""
    return SmsMessage.objects.filter(pk=message_id, status="queued").update(status="sending") == 1


def _deliver(message: SmsMessage, backend: SmsBackend, text: str) -> None:
    try:
        backend.deliver(phone=message.phone, text=text)
    except SmsError as exc:
        message.status, message.error = "failed", str(exc)[:255]
    else:
        message.status, message.error = "sent", ""
    message.save(update_fields=["status", "error"])


@shared_task(name="admissions.sms_deliver", acks_late=True)  # type: ignore[untyped-decorator]
def sms_deliver(message_id: int, text: str) -> str:
    """Deliver a queued gateway message once (a redelivered task finds it no longer queued).

    The text travels in the task's arguments: the outbox keeps only the redacted copy.
    """
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != "queued":
            return "skipped"
        message.status = "sending"
        message.save(update_fields=["status"])
    _deliver(message, backend_get(message.backend), text)
    return message.status
