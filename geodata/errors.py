"""Errors raised by geodata, with a message meant for the user."""


class GeometryError(ValueError):
    """A geometry that cannot be used as a parcel or boundary; the message says why."""
