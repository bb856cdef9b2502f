"""Unit tests for phone number normalisation and the pre-sending checks."""

from __future__ import annotations

import pytest

from mock_efidem.domain.phones import NumberProblem, normalise_number, number_problem

# (raw, normal form): every one of these can be sent to.
ACCEPTABLE_NUMBERS = [
    ("+33(0)6.01.02.03.04", "33601020304"),
    ("+33 (0) 6 01 02 03 04", "33601020304"),
    ("0033 (0)6 01 02 03 04", "33601020304"),
    ("(0)6 01 02 03 04", "33601020304"),
    ("06 01 02 03 04", "33601020304"),
    ("0601020304", "33601020304"),
    ("06.01.02.03.04", "33601020304"),
    ("06-01-02-03-04", "33601020304"),
    ("06/01/02/03/04", "33601020304"),
    ("(06) 01 02 03 04", "33601020304"),
    ("  06 01 02 03 04  ", "33601020304"),
    ("06\u00a001\u00a002\u00a003\u00a004", "33601020304"),
    ("06\t01 02\n03 04", "33601020304"),
    ("+33 6 01 02 03 04", "33601020304"),
    ("+33 06 01 02 03 04", "33601020304"),
    ("33601020304", "33601020304"),
    ("33 6 01 02 03 04", "33601020304"),
    ("601020304", "33601020304"),
    ("0033 7 01 02 03 04", "33701020304"),
    ("01 23 45 67 89", "33123456789"),
    ("0606060606", "33606060606"),
    ("+44 20 7946 0958", "442079460958"),
    ("0044 20 7946 0958", "442079460958"),
    ("442079460958", "442079460958"),
    ("+1 650 253 0000", "16502530000"),
    ("+39 06 1234 5678", "390612345678"),
    ("16502530000", "16502530000"),
    ("0041 44 668 18 00", "41446681800"),
    ("41446681800", "41446681800"),
]


@pytest.mark.parametrize(("raw", "expected"), ACCEPTABLE_NUMBERS)
def test_normalise_acceptable_numbers(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), ACCEPTABLE_NUMBERS)
def test_acceptable_numbers_have_no_problem(raw: str, expected: str) -> None:
    assert number_problem(raw) is None


@pytest.mark.parametrize(("raw", "expected"), ACCEPTABLE_NUMBERS)
def test_normal_form_is_stable_and_acceptable(raw: str, expected: str) -> None:
    assert normalise_number(expected) == expected
    assert number_problem(expected) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("\t\n", ""),
        ("abc", ""),
        # Unreadable by phonenumbers: reduced to its digits.
        ("06 01 AB", "0601"),
        ("0800 FLOWERS", "0800"),
        ("+33+601020304", "33601020304"),
        ("0612345678901234567890", "0612345678901234567890"),
        ("+999 123456789", "999123456789"),
        # Readable but not possible: still put in international form.
        ("06 01 02 03 04 05", "3360102030405"),
        ("0666666666", "33666666666"),
    ],
)
def test_normalise_other_text(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", NumberProblem.EMPTY),
        ("   ", NumberProblem.EMPTY),
        ("\t\n", NumberProblem.EMPTY),
        ("abc", NumberProblem.INVALID),
        ("06 01 02 03 0A", NumberProblem.INVALID),
        ("0800 FLOWERS", NumberProblem.INVALID),
        ("06 01 02 03 04 ext 5", NumberProblem.INVALID),
        ("+33+601020304", NumberProblem.INVALID),
        ("+999 123456789", NumberProblem.INVALID),
        ("+", NumberProblem.INVALID),
        ("---", NumberProblem.INVALID),
        ("()", NumberProblem.INVALID),
        ("\u200b0601020304", NumberProblem.INVALID),
        ("0", NumberProblem.TOO_SHORT),
        ("12", NumberProblem.TOO_SHORT),
        ("00", NumberProblem.TOO_SHORT),
        ("+33", NumberProblem.TOO_SHORT),
        ("+33 6", NumberProblem.TOO_SHORT),
        ("0601", NumberProblem.TOO_SHORT),
        ("06 01 02 03", NumberProblem.TOO_SHORT),
        ("06 01 02 03 0", NumberProblem.TOO_SHORT),
        ("06 11 11 11", NumberProblem.TOO_SHORT),
        ("06 01 02 03 04 05", NumberProblem.TOO_LONG),
        ("+33 1 23 45 67 89 0", NumberProblem.TOO_LONG),
        ("4420794609", NumberProblem.TOO_LONG),
        ("0612345678901234567890", NumberProblem.TOO_LONG),
        ("0666666666", NumberProblem.REPEATED_DIGIT),
        ("06 66 66 66 66", NumberProblem.REPEATED_DIGIT),
        ("07 77 77 77 77", NumberProblem.REPEATED_DIGIT),
        ("0611111111", NumberProblem.REPEATED_DIGIT),
        ("33611111111", NumberProblem.REPEATED_DIGIT),
        ("+33 6 11 11 11 11", NumberProblem.REPEATED_DIGIT),
        ("0000000000", NumberProblem.REPEATED_DIGIT),
        # Repeated digits are checked before the length.
        ("+33 6 66 66 66 66 66", NumberProblem.REPEATED_DIGIT),
        ("06666666666666666666666666", NumberProblem.REPEATED_DIGIT),
    ],
)
def test_number_problem(raw: str, problem: NumberProblem) -> None:
    assert number_problem(raw) is problem


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        # Switzerland: 9 or 12 digits. 10 is nearer 9, 11 nearer 12.
        ("+41 44 668 18 00 0", NumberProblem.TOO_LONG),
        ("+41 44 668 18 00 00", NumberProblem.TOO_SHORT),
        # United Kingdom: 7, 9 or 10 digits. 8 is as near 7 as 9: a tie counts as too short.
        ("+44 1234 5678", NumberProblem.TOO_SHORT),
    ],
)
def test_length_between_two_possible_lengths(raw: str, problem: NumberProblem) -> None:
    assert number_problem(raw) is problem


def test_number_problem_members() -> None:
    assert {problem.name for problem in NumberProblem} == {
        "EMPTY",
        "TOO_SHORT",
        "TOO_LONG",
        "REPEATED_DIGIT",
        "INVALID",
    }
