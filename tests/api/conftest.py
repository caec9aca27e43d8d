from apiworld import world  # noqa: F401
