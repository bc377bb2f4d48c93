from datetime import date

import pytest
from cryptography.fernet import InvalidToken

from riskctl.core.ids import (
    CREDIT_CODE,
    ID_CARD,
    IdError,
    PartyIdCipher,
    mask_party_id,
    normalise_party_id,
    party_key,
    validate_credit_code,
    validate_id_card,
    validate_party_id,
)

# 91350100M000100Y43, worked by hand (GB 32100-2015; M=21, Y=30):
#   9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + 21·20 + 0·29 + 0·25
#   + 0·13 + 1·8 + 0·24 + 0·10 + 30·30 + 4·28 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
HAND_CREDIT_CODE = "91350100M000100Y43"
# 11010519491231002X, the GB 11643-1999 example, worked by hand:
#   1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9
#   + 3·10 + 1·5 + 0·8 + 0·4 + 2·2 = 167; 167 mod 11 = 2 → "10X98765432"[2] = X.
HAND_ID_CARD = "11010519491231002X"
# 440524188001010014, the other GB 11643 example: sum 195; 195 mod 11 = 8 → "4".
HAND_ID_CARD_2 = "440524188001010014"
# Published codes of two well-known companies (Xiaomi, Huawei).
PUBLISHED_CREDIT_CODES = ["91110108551385082Q", "91440300708461136T"]


@pytest.mark.parametrize("code", [HAND_CREDIT_CODE, *PUBLISHED_CREDIT_CODES])
def test_real_credit_codes_are_valid(code):
    assert validate_credit_code(code) == code
    assert validate_party_id(code) == (code, CREDIT_CODE)


@pytest.mark.parametrize("number", [HAND_ID_CARD, HAND_ID_CARD_2])
def test_real_id_card_numbers_are_valid(number):
    assert validate_id_card(number) == number
    assert validate_party_id(number) == (number, ID_CARD)


def test_a_wrong_credit_code_check_character_names_the_right_one():
    with pytest.raises(IdError) as caught:
        validate_party_id("91350100M000100Y44")
    assert caught.value.message == "统一社会信用代码校验位错误（应为 3）"


def test_a_wrong_id_card_check_digit_names_the_right_one():
    with pytest.raises(IdError) as caught:
        validate_party_id("110105194912310021")
    assert caught.value.message == "居民身份证号校验位错误（应为 X）"


def test_an_illegal_letter_in_a_credit_code_is_named_with_its_position():
    with pytest.raises(IdError) as caught:
        validate_credit_code("91350100I000100Y43")
    assert "第 9 位“I”不是合法字符" in caught.value.message


def test_a_wrong_length_is_reported_with_the_actual_length():
    with pytest.raises(IdError) as caught:
        validate_party_id("9135010")
    assert "应为 18 位" in caught.value.message
    assert "实际为 7 位" in caught.value.message


def test_an_empty_party_id_is_refused():
    with pytest.raises(IdError, match="不能为空"):
        validate_party_id("  \u3000 ")


def test_an_id_card_with_an_impossible_birth_date_is_refused():
    with pytest.raises(IdError, match=r"19491331.*不是有效日期"):
        validate_id_card("110105194913310020")


def test_an_id_card_born_in_the_future_is_refused():
    with pytest.raises(IdError, match="晚于今天"):
        validate_id_card(HAND_ID_CARD, today=date(1949, 12, 30))


def test_full_width_characters_spaces_and_lower_case_are_normalised():
    assert normalise_party_id("９１３５ ０１００ｍ０００\u3000１００ｙ４３\n") == HAND_CREDIT_CODE
    assert validate_party_id(" 11010519491231002x ") == (HAND_ID_CARD, ID_CARD)


def test_the_kind_can_be_forced():
    with pytest.raises(IdError, match="居民身份证号"):
        validate_party_id(HAND_CREDIT_CODE, kind=ID_CARD)
    assert validate_party_id(HAND_CREDIT_CODE, kind=CREDIT_CODE)[1] == CREDIT_CODE


def test_an_all_digit_credit_code_is_recognised_as_a_credit_code():
    # 17 digits + a digit looks like an id card; position 7–14 "00000000" is no birth date.
    code = "913501000000000000"
    with pytest.raises(IdError) as caught:
        validate_party_id(code)
    assert caught.value.message.startswith("统一社会信用代码校验位错误")


def test_masking_keeps_four_characters_at_each_end():
    assert mask_party_id("410423198001011234") == "4104**********1234"
    assert mask_party_id("９１３５０１００ｍ０００１００ｙ４３") == "9135**********0Y43"


@pytest.mark.parametrize(
    ("value", "masked"),
    [("", ""), ("123", "***"), ("12345678", "12****78"), ("1234567890", "12******90")],
)
def test_masking_a_short_id_never_reveals_more_than_half(value, masked):
    assert mask_party_id(value) == masked


def test_the_party_key_is_a_keyed_hash_of_the_normalised_id():
    key = party_key(HAND_ID_CARD, b"secret")
    assert len(key) == 64
    assert party_key(" 11010519491231002x", b"secret") == key
    assert party_key(HAND_ID_CARD, b"other secret") != key
    assert HAND_ID_CARD not in key


def test_the_party_key_needs_a_secret():
    with pytest.raises(ValueError):
        party_key(HAND_ID_CARD, b"")


def test_the_cipher_round_trips_and_hides_the_id():
    cipher = PartyIdCipher(b"any length of secret bytes")
    token = cipher.encrypt(HAND_ID_CARD)
    assert HAND_ID_CARD not in token
    assert cipher.decrypt(token) == HAND_ID_CARD
    assert cipher.encrypt(HAND_ID_CARD) != token  # Fernet tokens are randomised


def test_the_cipher_refuses_a_token_made_with_another_key():
    token = PartyIdCipher(b"key one").encrypt(HAND_ID_CARD)
    with pytest.raises(InvalidToken):
        PartyIdCipher(b"key two").decrypt(token)


def test_a_rotated_key_still_reads_old_tokens_and_rotate_moves_them_on():
    old_token = PartyIdCipher(b"old").encrypt(HAND_ID_CARD)
    cipher = PartyIdCipher(b"new", previous=[b"old"])
    assert cipher.decrypt(old_token) == HAND_ID_CARD
    assert PartyIdCipher(b"new").decrypt(cipher.rotate(old_token)) == HAND_ID_CARD
