"""Phone numbers for SMS and fax: normalisation and the checks done before sending.

Numbers are read with the `phonenumbers` library; a number written without a
country code is taken as French. The normal form is the international one,
digits only, without "+": "06 01 02 03 04" becomes "33601020304".
"""

from __future__ import annotations

import enum
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, ValidationResult

DEFAULT_REGION = "FR"


class NumberProblem(enum.Enum):
    """Why a phone number cannot be sent to."""

    EMPTY = "empty"
    TOO_SHORT = "too short"
    TOO_LONG = "too long"
    REPEATED_DIGIT = "repeated digit"
    INVALID = "invalid"


# In "+33 (0)6 01 02 03 04" the bracketed trunk prefix must go, or it would be read as a digit.
_BRACKETED_TRUNK_PREFIX = re.compile(r"\(\s*0\s*\)")
_SEPARATORS = frozenset(" .-()/+")
_DIGITS = frozenset("0123456789")
# No country has national numbers shorter than this (phonenumbers' metadata).
_SHORTEST_NUMBER_ANYWHERE = 4
# Test numbers like 06 11 11 11 11: one leading digit, then this many or more of one digit.
_SHORTEST_REPEATED_RUN = 6

_PROBLEM_BY_PARSE_ERROR = {
    NumberParseException.TOO_SHORT_NSN: NumberProblem.TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: NumberProblem.TOO_SHORT,
    NumberParseException.TOO_LONG: NumberProblem.TOO_LONG,
}

_PROBLEM_BY_LENGTH_VERDICT = {
    ValidationResult.IS_POSSIBLE: None,
    # Dialable only inside its area: too short to be reached from anywhere.
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: NumberProblem.TOO_SHORT,
    ValidationResult.TOO_SHORT: NumberProblem.TOO_SHORT,
    ValidationResult.TOO_LONG: NumberProblem.TOO_LONG,
    ValidationResult.INVALID_COUNTRY_CODE: NumberProblem.INVALID,
}


def normalise_number(raw: str) -> str:
    """The number in international form, digits only: "06 01 02 03 04" -> "33601020304".

    Text that phonenumbers cannot read is reduced to its digits; blank text gives "".
    """
    text = _clean(raw)
    if not text:
        return ""
    if not _has_only_digits_and_separators(text):
        return _digits_of(text)
    try:
        number = _parse(text)
    except NumberParseException:
        return _digits_of(text)
    return f"{number.country_code}{phonenumbers.national_significant_number(number)}"


def number_problem(raw: str) -> NumberProblem | None:
    """Why this number cannot be sent to, or None when it can.

    A number is accepted when its length is possible for its country; it need
    not be assigned (is_valid_number is deliberately not required).
    """
    text = _clean(raw)
    if not text:
        return NumberProblem.EMPTY
    if not _has_only_digits_and_separators(text) or not _digits_of(text):
        return NumberProblem.INVALID
    try:
        number = _parse(text)
    except NumberParseException as error:
        return _problem_of_unreadable(text, error)
    if _is_repeated_digit(phonenumbers.national_significant_number(number)):
        return NumberProblem.REPEATED_DIGIT
    return _problem_of_length(number)


def _clean(raw: str) -> str:
    # phonenumbers refuses tabs and line breaks between digits; plain spaces it reads.
    return " ".join(_BRACKETED_TRUNK_PREFIX.sub("", raw).split())


def _parse(text: str) -> PhoneNumber:
    """Read the number as French, or else as international digits without "+".

    The second reading makes the normal form readable again: "442079460958" is
    not a possible French number, but it is a possible British one.
    """
    number = phonenumbers.parse(text, DEFAULT_REGION)
    starts_like_country_code = text[0] in _DIGITS and text[0] != "0"
    if _is_possible(number) or not starts_like_country_code:
        return number
    try:
        international = phonenumbers.parse("+" + text)
    except NumberParseException:
        return number
    return international if _is_possible(international) else number


def _is_possible(number: PhoneNumber) -> bool:
    verdict = phonenumbers.is_possible_number_with_reason(number)
    return bool(verdict == ValidationResult.IS_POSSIBLE)


def _has_only_digits_and_separators(text: str) -> bool:
    # Letters are refused: phonenumbers would read "0800 FLOWERS" as keypad digits.
    return all(char in _DIGITS or char in _SEPARATORS for char in text)


def _digits_of(text: str) -> str:
    return "".join(char for char in text if char in _DIGITS)


def _is_repeated_digit(national_number: str) -> bool:
    """True for test numbers such as 666666666 or 611111111."""
    tail = national_number[1:]
    return len(tail) >= _SHORTEST_REPEATED_RUN and len(set(tail)) == 1


def _problem_of_unreadable(text: str, error: NumberParseException) -> NumberProblem:
    digits = _digits_of(text)
    if _is_repeated_digit(digits.lstrip("0")):
        return NumberProblem.REPEATED_DIGIT
    if error.error_type in _PROBLEM_BY_PARSE_ERROR:
        return _PROBLEM_BY_PARSE_ERROR[error.error_type]
    # phonenumbers calls very short digit strings "not a number".
    if len(digits) < _SHORTEST_NUMBER_ANYWHERE:
        return NumberProblem.TOO_SHORT
    return NumberProblem.INVALID


def _problem_of_length(number: PhoneNumber) -> NumberProblem | None:
    if _kept_trunk_prefix(number):
        return NumberProblem.TOO_SHORT
    verdict = phonenumbers.is_possible_number_with_reason(number)
    if verdict in _PROBLEM_BY_LENGTH_VERDICT:
        return _PROBLEM_BY_LENGTH_VERDICT[verdict]
    return _nearest_length_problem(number)


def _kept_trunk_prefix(number: PhoneNumber) -> bool:
    """True when phonenumbers kept the trunk prefix "0" as a digit of the number.

    It does so when the digits after the "0" are too few to be a number:
    "06 01 02 03 0" reads as the possible 060102030, though a digit is missing.
    """
    metadata = _metadata(number)
    trunk_prefix = metadata.national_prefix if metadata is not None else None
    return bool(number.italian_leading_zero) and trunk_prefix == "0"


def _nearest_length_problem(number: PhoneNumber) -> NumberProblem:
    """For a length between two possible ones: judge by the nearest (a tie is too short)."""
    length = len(phonenumbers.national_significant_number(number))
    possible_lengths = _possible_lengths(number)
    if not possible_lengths:
        return NumberProblem.INVALID
    nearest = min(possible_lengths, key=lambda possible: (abs(possible - length), -possible))
    return NumberProblem.TOO_SHORT if nearest > length else NumberProblem.TOO_LONG


def _possible_lengths(number: PhoneNumber) -> tuple[int, ...]:
    metadata = _metadata(number)
    if metadata is None or metadata.general_desc is None:
        return ()
    return metadata.general_desc.possible_length


def _metadata(number: PhoneNumber) -> phonenumbers.PhoneMetadata | None:
    country_code = number.country_code
    if country_code is None:
        return None
    region = phonenumbers.region_code_for_country_code(country_code)
    return phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
