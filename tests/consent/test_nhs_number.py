"""NHS number validation: Modulus 11, plain-English messages, the 999 test range."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from consent.forms import NHSNumberField
from consent.nhs_number import (
    NHSNumberError,
    is_valid_nhs_number,
    normalise_nhs_number,
    validate_nhs_number,
)


def with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return None if check == 10 else nine + str(check)


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "6010000009", "4505577104"])
def test_valid_numbers_pass(number):
    assert validate_nhs_number(number) == number
    assert is_valid_nhs_number(number)


def test_spaces_and_hyphens_are_stripped():
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"
    assert validate_nhs_number("943-476-5919") == "9434765919"
    assert validate_nhs_number("943 476 5919") == "9434765919"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an NHS number"),
        ("  - ", "Enter an NHS number"),
        ("943476591", "NHS number must be 10 digits"),
        ("94347659190", "NHS number must be 10 digits"),
        ("943476591A", "NHS number must only include numbers, spaces and hyphens"),
        ("943.476.5919", "NHS number must only include numbers, spaces and hyphens"),
        ("９４３４７６５９１９", "NHS number must only include numbers, spaces and hyphens"),
        ("9434765918", "Enter a real NHS number: this one is not valid"),
        ("1111111111", "Enter a real NHS number: this one is not valid"),
        ("0000000000", "Enter a real NHS number: this one is not valid"),
    ],
)
def test_messages_say_what_is_wrong(text, message):
    with pytest.raises(NHSNumberError) as error:
        validate_nhs_number(text)
    assert str(error.value) == message
    assert not is_valid_nhs_number(normalise_nhs_number(text))


def test_check_digit_10_is_invalid():
    # The first nine digits whose check digit works out as 10: no last digit can fix them.
    nine = next(
        f"{n:09d}" for n in range(100000000, 100001000) if with_check_digit(f"{n:09d}") is None
    )
    for last in "0123456789":
        assert not is_valid_nhs_number(nine + last)
        with pytest.raises(NHSNumberError, match="not valid"):
            validate_nhs_number(nine + last)


def test_all_same_digits_would_pass_modulus_11_but_are_refused():
    for digit in "0123456789":
        number = digit * 10
        assert with_check_digit(number[:9]) == number  # the reason for the extra rule
        assert not is_valid_nhs_number(number)


def test_999_range_allowed_when_setting_is_on(settings):
    settings.CONSENT_ALLOW_TEST_NHS_NUMBERS = True
    number = with_check_digit("999000001") or with_check_digit("999000002")
    assert validate_nhs_number(number) == number
    assert is_valid_nhs_number(number)


def test_999_range_refused_when_setting_is_off(settings):
    settings.CONSENT_ALLOW_TEST_NHS_NUMBERS = False
    number = with_check_digit("999000001") or with_check_digit("999000002")
    with pytest.raises(NHSNumberError) as error:
        validate_nhs_number(number)
    assert str(error.value) == "NHS numbers starting 999 are test numbers and cannot be used here"
    assert not is_valid_nhs_number(number)
    assert validate_nhs_number(number, allow_test_range=True) == number


def test_test_settings_allow_the_999_range():
    from django.conf import settings

    assert settings.CONSENT_ALLOW_TEST_NHS_NUMBERS is True


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_number_with_a_correct_check_digit_validates(nine):
    number = with_check_digit(nine)
    if number is None or len(set(number)) == 1:
        return
    assert is_valid_nhs_number(number, allow_test_range=True)
    assert validate_nhs_number(number, allow_test_range=True) == number
    spaced = f"{number[:3]} {number[3:6]}-{number[6:]}"
    assert validate_nhs_number(spaced, allow_test_range=True) == number
    for wrong in "0123456789":
        if wrong != number[9]:
            assert not is_valid_nhs_number(number[:9] + wrong, allow_test_range=True)


def test_form_field_cleans_and_reports_errors():
    class Form(forms.Form):
        nhs_number = NHSNumberField()

    form = Form({"nhs_number": "943 476 5919"})
    assert form.is_valid()
    assert form.cleaned_data["nhs_number"] == "9434765919"
    form = Form({"nhs_number": "9434765918"})
    assert not form.is_valid()
    assert form.errors["nhs_number"] == ["Enter a real NHS number: this one is not valid"]
    form = Form({"nhs_number": ""})
    assert form.errors["nhs_number"] == ["Enter an NHS number"]


def test_production_refuses_test_numbers():
    from tests.portal.test_production_settings import manage

    result = manage("check", CONSENT_ALLOW_TEST_NHS_NUMBERS="true")
    assert result.returncode != 0
    assert "CONSENT_ALLOW_TEST_NHS_NUMBERS must be off in production" in result.stderr
