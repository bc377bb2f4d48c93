"""Party ids: 统一社会信用代码 (GB 32100-2015) and 居民身份证号 (GB 11643-1999).

Validation, normalisation, masking, a keyed lookup hash and reversible
encryption, so that a party's id is never stored or shown in clear by accident.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from riskctl.core import clock

CREDIT_CODE = "credit_code"
ID_CARD = "id_card"
KINDS = (CREDIT_CODE, ID_CARD)

# GB 32100-2015: 31 characters, the letters I, O, Z, S and V are never used.
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {ch: i for i, ch in enumerate(_CREDIT_CHARSET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECKS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")

_LENGTH = 18
_WHITESPACE = re.compile(r"\s+")
_FERNET_INFO = b"riskctl party-id fernet v1"


class IdError(ValueError):
    """A party id that is not valid; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_party_id(s: str) -> str:
    """Full-width to half-width (NFKC), no whitespace at all, upper case."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", s)).upper()


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 are `first17`."""
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def id_card_check_char(first17: str) -> str:
    """The 18th character of a 居民身份证号 whose first 17 digits are `first17`."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECKS[total % 11]


def validate_credit_code(s: str) -> str:
    """Return the normalised 统一社会信用代码 or raise `IdError`."""
    code = normalise_party_id(s)
    _check_length(code, "统一社会信用代码")
    for pos, ch in enumerate(code, 1):
        if ch not in _CREDIT_VALUES:
            raise IdError(
                f"统一社会信用代码第 {pos} 位“{ch}”不是合法字符"
                "（只能是数字和除 I、O、Z、S、V 以外的大写字母）"
            )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise IdError(f"统一社会信用代码校验位错误（应为 {expected}）")
    return code


def validate_id_card(s: str, *, today: date | None = None) -> str:
    """Return the normalised 18-digit 居民身份证号 or raise `IdError`."""
    number = normalise_party_id(s)
    _check_length(number, "居民身份证号")
    if not _ID_SHAPE.fullmatch(number):
        raise IdError("居民身份证号前 17 位应为数字，最后一位为数字或 X")
    _check_birth_date(number[6:14], today or clock.today())
    expected = id_card_check_char(number[:17])
    if number[17] != expected:
        raise IdError(f"居民身份证号校验位错误（应为 {expected}）")
    return number


def validate_party_id(
    s: str, *, kind: str | None = None, today: date | None = None
) -> tuple[str, str]:
    """Normalise and validate a party id; return `(normalised, kind)`.

    Without `kind` the kind is inferred: 17 digits then a digit or X look like
    an id card, but an all-digit credit code exists too, so whichever check
    passes wins and the error names the kind the id most resembles.
    """
    value = normalise_party_id(s)
    if not value:
        raise IdError("证件号码不能为空")
    if kind == CREDIT_CODE:
        return validate_credit_code(value), CREDIT_CODE
    if kind == ID_CARD:
        return validate_id_card(value, today=today), ID_CARD
    if kind is not None:
        raise ValueError(f"unknown party id kind {kind!r}")
    if len(value) != _LENGTH:
        raise IdError(
            f"证件号码应为 18 位（统一社会信用代码或居民身份证号），实际为 {len(value)} 位"
        )
    if not _ID_SHAPE.fullmatch(value):
        return validate_credit_code(value), CREDIT_CODE
    try:
        return validate_id_card(value, today=today), ID_CARD
    except IdError as id_error:
        try:
            return validate_credit_code(value), CREDIT_CODE
        except IdError as credit_error:
            raise (id_error if _is_date(value[6:14]) else credit_error) from None


def mask_party_id(s: str) -> str:
    """Keep up to 4 characters at each end, never more than half of the id."""
    value = normalise_party_id(s)
    keep = min(4, len(value) // 4)
    if keep == 0:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


INDIVIDUAL_BUSINESS_PREFIX = "92"  # 统一社会信用代码: 9 工商, 2 个体工商户


def is_individual_business(credit_code: str) -> bool:
    """A 个体工商户's credit code (or its mask, which keeps the first characters)."""
    return normalise_party_id(credit_code).startswith(INDIVIDUAL_BUSINESS_PREFIX)


def mask_person_name(name: str) -> str:
    """A natural person's name on public pages: 张三 → 张* , 欧阳娜娜 → 欧***."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_business_name(name: str) -> str:
    """An individual business's name: 张三烧烤店 → 张**烤店 (the person in it is not shown).

    One rule for every public page (inspection results, leniency decisions).
    """
    if len(name) <= 2:
        return name[:1] + "*"
    keep = 2 if len(name) >= 5 else 1
    return name[:1] + "*" * (len(name) - 1 - keep) + name[-keep:]


def party_key(normalised: str, secret: bytes) -> str:
    """HMAC-SHA256 of the id: finds the same party without storing the id in clear."""
    if not secret:
        raise ValueError("party_key needs a non-empty secret")
    message = normalise_party_id(normalised).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class PartyIdCipher:
    """Fernet encryption of party ids under keys derived from arbitrary secrets.

    `previous` keys still decrypt, so a key can be rotated without a big-bang
    re-encryption; `rotate` re-encrypts one token under the current key.
    A token that no key opens raises `cryptography.fernet.InvalidToken`.
    """

    def __init__(self, key: bytes, previous: Sequence[bytes] = ()) -> None:
        self._fernet = MultiFernet([Fernet(_fernet_key(k)) for k in (key, *previous)])

    def encrypt(self, party_id: str) -> str:
        return self._fernet.encrypt(party_id.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


def _fernet_key(secret: bytes) -> bytes:
    if not secret:
        raise ValueError("PartyIdCipher needs a non-empty key")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_FERNET_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret))


def _check_length(value: str, label: str) -> None:
    if len(value) != _LENGTH:
        raise IdError(f"{label}应为 18 位，实际为 {len(value)} 位")


def _is_date(yyyymmdd: str) -> bool:
    try:
        _parse_yyyymmdd(yyyymmdd)
    except ValueError:
        return False
    return True


def _parse_yyyymmdd(yyyymmdd: str) -> date:
    return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))


def _check_birth_date(yyyymmdd: str, today: date) -> None:
    try:
        born = _parse_yyyymmdd(yyyymmdd)
    except ValueError:
        raise IdError(f"居民身份证号中的出生日期“{yyyymmdd}”不是有效日期") from None
    if born > today:
        raise IdError(f"居民身份证号中的出生日期“{yyyymmdd}”晚于今天")
