"""Automatic screening of review and reply text: what a moderator should look at closely.

`text_screen` is a pure function. Its flags are hints shown beside the text in the moderation
queue; they never stop anyone submitting. It looks for:

- UK phone numbers (01702 123456, 020 7946 0000, 07700 900123, +44 (0)20 7946 0000...)
- email addresses
- NHS-number-shaped digits: ten digits, together or in groups (943 476 5919, 943-476-5919)
- a name after "Dr", "Doctor" or "Nurse" ("Dr Patel", "nurse Jones")
- words and phrases from the moderators' own list (`ScreeningWord`), as whole words
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

PHONE = "phone-number"
EMAIL = "email-address"
NHS_NUMBER = "nhs-number"
NAMED_PERSON = "named-person"
SCREENING_WORD = "screening-word"

LABELS = {
    PHONE: "Phone number",
    EMAIL: "Email address",
    NHS_NUMBER: "Looks like an NHS number",
    NAMED_PERSON: "Names a doctor or nurse",
    SCREENING_WORD: "Word on the screening list",
}


@dataclass(frozen=True)
class ScreeningFlag:
    code: str
    label: str
    text: str  # what was found, as written

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# Digits in groups joined by at most two separators ("01702 123456", "(020) 7946-0000"), with
# an optional +44 / 0044 / +44 (0) in front.
_NUMBER_RUN = re.compile(
    r"(?<![\w+])"
    r"(?P<international>(?:\+|\b00)\s?44\s?(?:\(0\)\s?)?)?"
    r"(?P<body>\(?\d(?:[ \t.\-()]{0,2}\d)*)"
    r"(?!\w)"
)
_DIGIT_GROUP = re.compile(r"\d+")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# The title in any case; the name a capitalised word, or after "Dr" any word ("dr smith").
_TITLED_NAME = re.compile(
    r"\b(?:(?P<dr>dr\.?)|doctor|nurse)[ \t]+(?P<name>[^\W\d_][\w'’-]*)", re.IGNORECASE
)
# Capitalised words that follow "doctor" or "nurse" without being anyone's name.
_NOT_NAMES = {
    "a", "about", "an", "and", "as", "at", "but", "by", "for", "from", "had", "has", "he",
    "her", "his", "i", "in", "is", "it", "my", "of", "on", "or", "practitioner",
    "practitioners", "said", "she", "so", "that", "the", "then", "there", "they", "to",
    "was", "we", "were", "who", "with", "you",
}  # fmt: skip
_UK_PHONE_LENGTHS = (10, 11)
_NHS_NUMBER_LENGTH = 10


def text_screen(text: str, *, screening_words: Iterable[str] = ()) -> list[ScreeningFlag]:
    """Everything in `text` a moderator should check, in the order found."""
    found: list[tuple[int, ScreeningFlag]] = []
    found += _numbers(text)
    found += [(m.start(), _flag(EMAIL, m.group(0))) for m in _EMAIL.finditer(text)]
    found += _titled_names(text)
    found += _listed_words(text, screening_words)
    found.sort(key=lambda item: item[0])
    unique: list[ScreeningFlag] = []
    for _, flag in found:
        if flag not in unique:
            unique.append(flag)
    return unique


def _flag(code: str, text: str) -> ScreeningFlag:
    return ScreeningFlag(code=code, label=LABELS[code], text=text.strip())


def _numbers(text: str) -> list[tuple[int, ScreeningFlag]]:
    """Phone numbers and NHS-number-shaped digits, from runs of digit groups.

    A run may hold several numbers ("01702 123456 07700 900123"), so consecutive groups are
    tried from each group in turn, and a match moves on past the groups it used.
    """
    found = []
    emails = [m.span() for m in _EMAIL.finditer(text)]
    for run in _NUMBER_RUN.finditer(text):
        if any(start <= run.start() < end for start, end in emails):
            continue  # digits inside an email address are the address's
        international = bool(run.group("international"))
        groups = list(_DIGIT_GROUP.finditer(text, run.start("body"), run.end("body")))
        index = 0
        while index < len(groups):
            match = _number_from(groups, index, international=international and index == 0)
            if match is None:
                index += 1
                continue
            code, last = match
            start = run.start() if index == 0 else groups[index].start()
            found.append((start, _flag(code, text[start : groups[last].end()])))
            index = last + 1
    return found


def _number_from(groups: list[re.Match], first: int, *, international: bool):
    """(code, index of the last group used) for a number starting at groups[first]."""
    digits = ""
    for last in range(first, len(groups)):
        digits += groups[last].group(0)
        national = digits if digits.startswith("0") or not international else "0" + digits
        if len(national) > max(_UK_PHONE_LENGTHS):
            return None
        next_continues = last + 1 < len(groups)
        if _is_uk_phone(national) and not (
            len(national) < max(_UK_PHONE_LENGTHS) and next_continues and _extends(groups, last)
        ):
            return PHONE, last
        if (
            not international
            and not digits.startswith("0")
            and len(digits) == _NHS_NUMBER_LENGTH
            and not (next_continues and _extends(groups, last))
        ):
            return NHS_NUMBER, last
    return None


def _extends(groups: list[re.Match], last: int) -> bool:
    """Whether the next group, joined by one separator, could still belong to this number:
    "020 7946 0000" is one number, not "020 7946 000" and a stray "0"."""
    following = groups[last + 1]
    return following.start() - groups[last].end() <= 1 and len(following.group(0)) <= 4


def _is_uk_phone(national: str) -> bool:
    # UK numbers start 01, 02, 03, 05, 07, 08 or 09 and have 10 or 11 digits in all.
    return len(national) in _UK_PHONE_LENGTHS and national[0] == "0" and national[1] in "1235789"


def _titled_names(text: str) -> list[tuple[int, ScreeningFlag]]:
    found = []
    for match in _TITLED_NAME.finditer(text):
        name = match.group("name")
        if name.lower() in _NOT_NAMES:
            continue
        if not match.group("dr") and not name[0].isupper():
            continue  # "the nurse listened": no name
        found.append((match.start(), _flag(NAMED_PERSON, match.group(0))))
    return found


def _listed_words(text: str, words: Iterable[str]) -> list[tuple[int, ScreeningFlag]]:
    found = []
    for word in words:
        parts = word.split()
        if not parts:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, parts)) + r"(?!\w)"
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            found.append((match.start(), _flag(SCREENING_WORD, match.group(0))))
    return found
