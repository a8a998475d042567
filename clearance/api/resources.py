"""API resources (filled in by the API module)."""

BLUEPRINTS: list = []
