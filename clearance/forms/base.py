"""The base form: WTForms' own messages in the user's language.

WTForms ships no Vietnamese catalogue, so its built-in messages ("Not a valid choice.") are
translated here, through gettext so the English catalogue maps them back.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext no-op marker)
    """Marks a message for extraction; translated where it is used."""
    return message


def _vi(english: str) -> str:
    return VIETNAMESE.get(english, english)


#: WTForms' messages (English msgids) → the Vietnamese wording the UI uses.
VIETNAMESE = {
    "This field is required.": N_("Trường này bắt buộc."),
    "Not a valid choice.": N_("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": N_("Lựa chọn không hợp lệ."),
    "Choices cannot be None.": N_("Chưa có lựa chọn nào."),
    "'%(value)s' is not a valid choice for this field.": N_("'%(value)s' không phải là lựa chọn hợp lệ."),
    "'%(value)s' are not valid choices for this field.": N_("'%(value)s' không phải là các lựa chọn hợp lệ."),
    "Not a valid integer value.": N_("Phải là số nguyên."),
    "Not a valid decimal value.": N_("Phải là số."),
    "Not a valid float value.": N_("Phải là số."),
    "Not a valid date value.": N_("Ngày không hợp lệ: ghi theo dạng dd/mm/yyyy."),
    "Invalid input.": N_("Giá trị không hợp lệ."),
    "Number must be at least %(min)s.": N_("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": N_("Số không được quá %(max)s."),
    "Number must be between %(min)s and %(max)s.": N_("Số phải trong khoảng %(min)s đến %(max)s."),
    "Field must be at least %(min)d character long.": N_("Cần ít nhất %(min)d ký tự."),
    "Field must be at least %(min)d characters long.": N_("Cần ít nhất %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": N_("Tối đa %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": N_("Tối đa %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": N_("Cần đúng %(max)d ký tự."),
    "Field must be exactly %(max)d characters long.": N_("Cần đúng %(max)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.": N_("Cần từ %(min)d đến %(max)d ký tự."),
}


class _WTFormsTranslations:
    """gettext/ngettext for WTForms: Vietnamese wording, then the session's catalogue."""

    def gettext(self, string: str) -> str:
        return gettext(_vi(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Vietnamese has one form; the English catalogue words each message for any count.
        return gettext(_vi(singular if n == 1 else plural))


TRANSLATIONS = _WTFormsTranslations()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _WTFormsTranslations:
            return TRANSLATIONS
