"""Database URLs for tests that must not depend on the server's time zone."""

from __future__ import annotations

from sqlalchemy.engine import make_url

FAR_ZONE = "Pacific/Auckland"


def far_from_utc(url: str) -> str:
    """The URL with a PostgreSQL session time zone far from UTC, as a server left on local time has.

    PostgreSQL hands timestamps back in the session's zone and SQLite as written, so only a non-UTC
    session shows whether code depends on the zone. Other URLs are returned as they are.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.update_query_dict({"options": f"-c timezone={FAR_ZONE}"}).render_as_string(hide_password=False)
