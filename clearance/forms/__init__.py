"""WTForms classes. Messages are Vietnamese source strings through gettext."""
