import os

# Test users need no costly password hashes (see citykpi.platform.accounts).
os.environ.setdefault("CITYKPI_ARGON2_PROFILE", "CHEAPEST")

from citykpi.store.testing import module_db_url  # noqa: F401  (every page test on both databases)
