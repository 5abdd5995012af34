"""Random reference numbers with a check character (issue 12.11: numbers revealed volumes)."""

import itertools

from hub import numbers
from hub.numbers import ALPHABET, check_character, is_valid_code, random_code


def test_random_codes_have_the_length_groups_and_a_valid_check():
    code = random_code(length=9, group=5)
    assert len(code) == 11 and code[5] == "-"
    assert set(code.replace("-", "")) <= set(ALPHABET)
    assert is_valid_code(code)


def test_random_codes_do_not_follow_one_another():
    codes = [random_code(length=7) for _ in range(2000)]
    assert len(set(codes)) == len(codes)


def test_any_single_mistyped_character_is_caught():
    code = random_code(length=7)
    for position, wrong in itertools.product(range(len(code)), ALPHABET):
        if wrong != code[position]:
            typo = code[:position] + wrong + code[position + 1 :]
            assert not is_valid_code(typo), typo


def test_swapped_neighbours_are_caught():
    body = "K7QM4XP"
    code = body + check_character(body)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not is_valid_code(swapped), swapped


def test_characters_outside_the_alphabet_are_not_valid():
    assert not is_valid_code("O0I1")
    assert not is_valid_code("A")
    assert numbers.ATTEMPTS >= 2
