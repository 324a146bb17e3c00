"""Text messages to mobile phones through a pluggable backend, chosen by ``settings.SMS_BACKEND``.

A backend is any class with ``send(phone, message)``. ``ConsoleSmsBackend`` writes to the log (for
``make run``); ``MemorySmsBackend`` keeps the messages in ``MemorySmsBackend.outbox`` (for tests). A real
gateway (Aliyun, Tencent Cloud SMS...) is one more class with the same method.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gridwork.common.masking import mask_phone

logger = logging.getLogger("gridwork.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str


class ConsoleSmsBackend:
    """Writes each message to the 'gridwork.sms' logger, so that it shows in the terminal. Development only."""

    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", phone, message)


class MemorySmsBackend:
    """Keeps every message in the class-level ``outbox``; tests read and clear it."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, phone: str, message: str) -> None:
        logger.debug("SMS to %s kept in memory", mask_phone(phone))
        self.outbox.append(SmsMessage(phone=phone, message=message))


def get_sms_backend() -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    backend: SmsBackend = backend_class()
    return backend
