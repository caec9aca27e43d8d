"""The REST API under /api/v1 (FastAPI), and the app that also serves the web pages when installed."""
