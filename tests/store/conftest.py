import os

os.environ.setdefault("CITYKPI_ARGON2_PROFILE", "CHEAPEST")  # real argon2, test-sized cost

from citykpi.store.testing import database, db_url  # noqa: F401
