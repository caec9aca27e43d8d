from citykpi.store.testing import database, db_url  # noqa: F401
