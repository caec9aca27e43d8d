import os

# Test users need no costly password hashes (see citykpi.platform.accounts).
os.environ.setdefault("CITYKPI_ARGON2_PROFILE", "CHEAPEST")
