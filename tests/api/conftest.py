import os

os.environ.setdefault("CITYKPI_ARGON2_PROFILE", "CHEAPEST")  # real argon2, test-sized cost

from apiworld import world  # noqa: F401

from citykpi.store.testing import db_url  # noqa: F401
