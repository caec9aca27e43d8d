"""`python -m citykpi.cli`, the same as the `citykpi` command."""

from citykpi.cli import app

app()
