"""Form fields for the data-sharing journeys."""

from django import forms

from .nhs_number import NHSNumberError, validate_nhs_number


class NHSNumberField(forms.CharField):
    """An NHS number: cleans to 10 digits, with GOV.UK-style messages for each mistake."""

    def __init__(self, *, allow_test_range: bool | None = None, **kwargs) -> None:
        self.allow_test_range = allow_test_range
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", "NHS number")
        kwargs.setdefault(
            "help_text",
            "This is a 10 digit number, like 485 777 3456. You can find it on letters "
            "from the NHS, on a prescription or in the NHS App.",
        )
        super().__init__(**kwargs)
        self.error_messages["required"] = "Enter an NHS number"
        self.error_messages["max_length"] = "NHS number must be 10 digits"

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return validate_nhs_number(value, allow_test_range=self.allow_test_range)
        except NHSNumberError as error:
            raise forms.ValidationError(error.message, code="invalid") from None
