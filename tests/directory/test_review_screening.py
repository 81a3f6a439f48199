"""Automatic screening of review text (directory.screening): a pure function, no database."""

import pytest

from directory.screening import (
    EMAIL,
    NAMED_PERSON,
    NHS_NUMBER,
    PHONE,
    SCREENING_WORD,
    text_screen,
)


def found(text: str, words=()) -> list[tuple[str, str]]:
    return [(flag.code, flag.text) for flag in text_screen(text, screening_words=words)]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Ring them on 01702 123456 any time", "01702 123456"),
        ("Call 020 7946 0000.", "020 7946 0000"),
        ("my mobile is 07700900123", "07700900123"),
        ("mobile 07700 900 123", "07700 900 123"),
        ("Text +44 7700 900123 for a chat", "+44 7700 900123"),
        ("+447700900123", "+447700900123"),
        ("From abroad: +44 (0)20 7946 0000", "+44 (0)20 7946 0000"),
        ("or 0044 1632 960000", "0044 1632 960000"),
        ("Phone (01632) 960000 before you go", "(01632) 960000"),
        ("Freephone 0800 123 4567", "0800 123 4567"),
        ("0161-496-0000 is the office", "0161-496-0000"),
        ("number: 0113.496.0000", "0113.496.0000"),
    ],
)
def test_uk_phone_numbers_are_flagged(text, number):
    assert found(text) == [(PHONE, number)]


def test_two_phone_numbers_side_by_side_are_flagged_separately():
    assert found("Call 01702 123456 07700 900123") == [
        (PHONE, "01702 123456"),
        (PHONE, "07700 900123"),
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("My NHS number is 943 476 5919", "943 476 5919"),
        ("nhs no 9434765919.", "9434765919"),
        ("It was 943-476-5919", "943-476-5919"),
        ("ref 485 777 3456 on the letter", "485 777 3456"),
    ],
)
def test_nhs_number_shaped_digits_are_flagged(text, number):
    assert found(text) == [(NHS_NUMBER, number)]


@pytest.mark.parametrize(
    "text",
    [
        "I went 3 times in 2024 and 2025",
        "Seen on 12 03 2024 at 10am",
        "It cost £1,000,000 to build",
        "Samaritans on 116 123 were kind",
        "Call NHS 111 or 999 in an emergency",
        "Open 9 to 5, 7 days a week",
        "I waited 45 minutes",
        "A 12345678901234 digit reference",
    ],
)
def test_ordinary_numbers_are_not_flagged(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Email me at jo.bloggs@example.com please", "jo.bloggs@example.com"),
        ("a.b+c@example.co.uk", "a.b+c@example.co.uk"),
        ("(contact: someone123@mail.example.org)", "someone123@mail.example.org"),
    ],
)
def test_email_addresses_are_flagged(text, address):
    assert found(text) == [(EMAIL, address)]


def test_digits_in_an_email_address_are_not_also_a_phone_number():
    assert found("write to 07700900123@example.com") == [(EMAIL, "07700900123@example.com")]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Dr Patel was brilliant", "Dr Patel"),
        ("Dr. Okafor listened", "Dr. Okafor"),
        ("we saw dr smith", "dr smith"),
        ("Doctor Jones explained it all", "Doctor Jones"),
        ("the nurse Sarah was kind", "nurse Sarah"),
        ("Nurse O'Brien helped", "Nurse O'Brien"),
    ],
)
def test_names_after_doctor_or_nurse_are_flagged(text, match):
    assert found(text) == [(NAMED_PERSON, match)]


@pytest.mark.parametrize(
    "text",
    [
        "The doctor was kind and the nurse listened",
        "the doctors were great",
        "A nurse I saw was helpful",
        "Nurse practitioner appointments were easy to get",
        "My doctor said to come here",
        "Dr was late",  # no name
    ],
)
def test_doctors_and_nurses_without_a_name_are_not_flagged(text):
    assert found(text) == []


def test_words_on_the_screening_list_are_flagged_as_whole_words_in_any_case():
    words = ["useless", "waste of time", "scam"]
    assert found("What a WASTE  of time. Useless!", words) == [
        (SCREENING_WORD, "WASTE  of time"),
        (SCREENING_WORD, "Useless"),
    ]
    assert found("A scampi lunch was included", words) == []


def test_a_blank_screening_word_matches_nothing():
    assert found("Anything at all", ["", "   "]) == []


def test_clean_text_has_no_flags():
    assert found("Friendly staff, and the group helped me feel less alone.") == []


def test_several_kinds_are_reported_in_the_order_they_appear():
    text = "Dr Shah gave me 07700 900123 and jo@example.com; NHS no 943 476 5919. Useless."
    assert [code for code, _ in found(text, ["useless"])] == [
        NAMED_PERSON,
        PHONE,
        EMAIL,
        NHS_NUMBER,
        SCREENING_WORD,
    ]


def test_flags_carry_a_label_for_the_moderator():
    (flag,) = text_screen("call 01702 123456")
    assert flag.as_dict() == {"code": PHONE, "label": "Phone number", "text": "01702 123456"}
