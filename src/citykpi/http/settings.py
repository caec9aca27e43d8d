"""What an app instance needs to know; built from the environment by default, explicit in tests."""

from __future__ import annotations

import os
from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field

from citykpi.model.completion import CertificateRule
from citykpi.platform.mail import MailSettings
from citykpi.store.db import database_url


def from_env(name: str, default: str, description: str, **limits: Any) -> Any:
    """A setting read from the environment variable `name` when an app is built, validated like any field."""
    return Field(
        default_factory=lambda: os.environ.get(name, default), validate_default=True, description=description, **limits
    )


class Settings(BaseModel):
    database_url: str = Field(default_factory=database_url)
    certificate_rule: CertificateRule = Field(default_factory=CertificateRule.from_env)
    secure_cookies: bool = Field(
        default_factory=lambda: os.environ.get("CITYKPI_SECURE_COOKIES", "") == "1",
        description="Mark the session cookie Secure (set when served over HTTPS)",
    )
    public_url: str = Field(
        default_factory=lambda: os.environ.get("CITYKPI_PUBLIC_URL", ""),
        description="The address the public reaches the platform at, e.g. https://kpi.example.org behind a proxy"
        " (CITYKPI_PUBLIC_URL); printed on certificates. Unset: the address of the request",
    )
    open_data_licence: str = from_env(
        "CITYKPI_OPEN_DATA_LICENCE",
        "CC-BY-4.0",
        "The licence of the open-data downloads, an SPDX id such as CC-BY-4.0, CC0-1.0 or ODbL-1.0, or the"
        " licence's name (CITYKPI_OPEN_DATA_LICENCE)",
        min_length=1,
        max_length=200,
    )
    max_upload_bytes: int = 20 * 1024 * 1024
    upload_seconds: float = from_env(
        "CITYKPI_UPLOAD_SECONDS",
        "60",
        "Time an uploaded file may take to read before it is refused (CITYKPI_UPLOAD_SECONDS)",
        gt=0,
    )
    read_threads: int = from_env(
        "CITYKPI_READ_THREADS",
        "4",
        "Threads per server process for the most read pages and endpoints (CITYKPI_READ_THREADS)",
        ge=1,
        le=64,
    )
    response_cache_entries: int = from_env(
        "CITYKPI_RESPONSE_CACHE",
        "4096",
        "Rendered API bodies kept per server process (CITYKPI_RESPONSE_CACHE); 0 turns the cache off",
        ge=0,
    )

    mail: MailSettings = Field(
        default_factory=MailSettings, description="SMTP server for notification and invitation e-mails (CITYKPI_SMTP_*)"
    )
    outbox_seconds: float = from_env(
        "CITYKPI_OUTBOX_SECONDS",
        "2",
        "How often each server process sends what the outbox holds: e-mails, webhook calls (CITYKPI_OUTBOX_SECONDS)",
        gt=0,
    )
    open_data_seconds: float = from_env(
        "CITYKPI_OPEN_DATA_SECONDS",
        "2",
        "How often each server process checks whether something published changed and rebuilds the stored"
        " open-data files (CITYKPI_OPEN_DATA_SECONDS)",
        gt=0,
    )
    outbox_retry_seconds: float = from_env(
        "CITYKPI_OUTBOX_RETRY_SECONDS",
        "30",
        "Wait before the first retry of a failed e-mail or webhook call, doubled at each retry"
        " (CITYKPI_OUTBOX_RETRY_SECONDS)",
        gt=0,
    )

    def public_address(self, request: Request, route: str, **params: object) -> str:
        """The absolute address of `route` as the public reaches it: behind a proxy the request's own
        host is the proxy's view of the server (http://10.0.0.5:8000), not the city's address."""
        if not self.public_url:
            return str(request.url_for(route, **params))
        return self.public_url.rstrip("/") + request.app.url_path_for(route, **params)
