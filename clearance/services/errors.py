"""The error services raise for input that breaks a domain rule."""


class FieldError(ValueError):
    """A rule broken by one field's value; ``field`` names it for the form or the API."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
