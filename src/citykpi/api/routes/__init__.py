"""One router per resource, each mounted under /api/v1 by the app factory (`citykpi.api.app.create_app`)."""
