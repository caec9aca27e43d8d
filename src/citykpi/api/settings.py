"""What an app instance needs to know; built from the environment by default, explicit in tests."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

from citykpi.model.completion import CertificateRule
from citykpi.store.db import database_url


class Settings(BaseModel):
    database_url: str = Field(default_factory=database_url)
    certificate_rule: CertificateRule = Field(default_factory=CertificateRule.from_env)
    secure_cookies: bool = Field(
        default_factory=lambda: os.environ.get("CITYKPI_SECURE_COOKIES", "") == "1",
        description="Mark the session cookie Secure (set when served over HTTPS)",
    )
    max_upload_bytes: int = 20 * 1024 * 1024
    upload_seconds: float = Field(
        default_factory=lambda: os.environ.get("CITYKPI_UPLOAD_SECONDS", "60"),
        validate_default=True,
        gt=0,
        description="Time an uploaded file may take to read before it is refused (CITYKPI_UPLOAD_SECONDS)",
    )
    read_threads: int = Field(
        default_factory=lambda: os.environ.get("CITYKPI_READ_THREADS", "4"),
        validate_default=True,
        ge=1,
        le=64,
        description="Threads per server process for the most read pages and endpoints (CITYKPI_READ_THREADS)",
    )
    response_cache_entries: int = Field(
        default_factory=lambda: os.environ.get("CITYKPI_RESPONSE_CACHE", "4096"),
        validate_default=True,
        ge=0,
        description="Rendered API bodies kept per server process (CITYKPI_RESPONSE_CACHE); 0 turns the cache off",
    )
