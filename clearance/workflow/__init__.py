"""Statuses and their labels: plain data and pure functions, no Flask or SQLAlchemy state."""
