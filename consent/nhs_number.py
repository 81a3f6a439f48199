"""NHS number validation (issue 5): normalise, check the Modulus 11 check digit, say what is
wrong in plain English.

Never log an NHS number, valid or not: messages name the problem, never the number.
"""

from django.conf import settings

# Weights 10 down to 2 on digits 1 to 9 (NHS Data Dictionary, "NHS number").
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_ALLOWED_EXTRA = frozenset(" -")
_ASCII_DIGITS = frozenset("0123456789")
# ord("0") times the sum of the weights: subtracted once instead of converting each digit.
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)
TEST_RANGE_PREFIX = "999"

ENTER = "Enter an NHS number"
ONLY_NUMBERS = "NHS number must only include numbers, spaces and hyphens"
TEN_DIGITS = "NHS number must be 10 digits"
NOT_VALID = "Enter a real NHS number: this one is not valid"
TEST_NUMBER = "NHS numbers starting 999 are test numbers and cannot be used here"


class NHSNumberError(ValueError):
    """An NHS number that cannot be used; str(error) is the message to show the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_nhs_number(text: str) -> str:
    """Strip surrounding whitespace, then every space and hyphen inside ("943 476 5919")."""
    return text.strip().replace(" ", "").replace("-", "")


def _check_digit_matches(digits: str) -> bool:
    """Modulus 11 on 10 ASCII digits: check = 11 - (weighted sum mod 11); 11 means 0, 10 means
    the number is invalid; it must equal the 10th digit."""
    total = (
        ord(digits[0]) * 10
        + ord(digits[1]) * 9
        + ord(digits[2]) * 8
        + ord(digits[3]) * 7
        + ord(digits[4]) * 6
        + ord(digits[5]) * 5
        + ord(digits[6]) * 4
        + ord(digits[7]) * 3
        + ord(digits[8]) * 2
        - _ZERO_OFFSET
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == ord(digits[9]) - 48


def _test_range_allowed(allow_test_range: bool | None) -> bool:
    if allow_test_range is None:
        return bool(getattr(settings, "CONSENT_ALLOW_TEST_NHS_NUMBERS", False))
    return allow_test_range


def is_valid_nhs_number(digits: str, *, allow_test_range: bool | None = None) -> bool:
    """Fast check for bulk use: `digits` already normalised. No exceptions, no lists.

    The 999 test range follows `CONSENT_ALLOW_TEST_NHS_NUMBERS` unless `allow_test_range` says.
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    if digits.count(digits[0]) == 10 or not _check_digit_matches(digits):
        return False
    if digits.startswith(TEST_RANGE_PREFIX):
        return _test_range_allowed(allow_test_range)
    return True


def validate_nhs_number(text: str | None, *, allow_test_range: bool | None = None) -> str:
    """Return the normalised NHS number, or raise NHSNumberError saying what is wrong."""
    digits = normalise_nhs_number(text or "")
    if not digits:
        raise NHSNumberError(ENTER)
    if not _ASCII_DIGITS.issuperset(digits):
        raise NHSNumberError(ONLY_NUMBERS)
    if len(digits) != 10:
        raise NHSNumberError(TEN_DIGITS)
    # All-same digits always pass Modulus 11, so they are refused by name.
    if digits.count(digits[0]) == 10 or not _check_digit_matches(digits):
        raise NHSNumberError(NOT_VALID)
    if digits.startswith(TEST_RANGE_PREFIX) and not _test_range_allowed(allow_test_range):
        raise NHSNumberError(TEST_NUMBER)
    return digits
