"""What an app instance needs to know; built from the environment by default, explicit in tests."""

from __future__ import annotations

import os

from fastapi import Request
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
    public_url: str = Field(
        default_factory=lambda: os.environ.get("CITYKPI_PUBLIC_URL", ""),
        description="The address the public reaches the platform at, e.g. https://kpi.example.org behind a proxy"
        " (CITYKPI_PUBLIC_URL); printed on certificates. Unset: the address of the request",
    )
    max_upload_bytes: int = 20 * 1024 * 1024
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

    def public_address(self, request: Request, route: str, **params: object) -> str:
        """The absolute address of `route` as the public reaches it: behind a proxy the request's own
        host is the proxy's view of the server (http://10.0.0.5:8000), not the city's address."""
        if not self.public_url:
            return str(request.url_for(route, **params))
        return self.public_url.rstrip("/") + request.app.url_path_for(route, **params)
