"""Party ids (当事人证件号) as stored: a keyed hash to match on, ciphertext, a mask.

The clear id never reaches the database: ``party_key`` (HMAC under PII_KEY) finds
the same party however the id was typed, the Fernet token lets the roles that
need it read the id, and the mask is what everybody else sees.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from riskctl.core.errors import ValidationFailed
from riskctl.core.ids import (
    CREDIT_CODE,
    IdError,
    PartyIdCipher,
    is_individual_business,
    mask_business_name,
    mask_party_id,
    mask_person_name,
    party_key,
    validate_party_id,
)

KIND_LABELS = {CREDIT_CODE: "统一社会信用代码", "id_card": "居民身份证号"}


@dataclass(frozen=True)
class ProtectedParty:
    kind: str
    key: str
    cipher: str
    masked: str


def _secret() -> bytes:
    return str(current_app.config["PII_KEY"]).encode("utf-8")


def check(raw: str, field: str = "party_id") -> tuple[str, str]:
    """(normalised id, kind), or a 422 naming ``field`` with the validator's message."""
    try:
        return validate_party_id(raw)
    except IdError as exc:
        raise ValidationFailed.field(field, exc.message) from exc


def key_for(raw: str) -> str:
    """The lookup key of a valid id (422 when it is not one)."""
    normalised, _ = check(raw)
    return party_key(normalised, _secret())


def protect(raw: str) -> ProtectedParty:
    normalised, kind = check(raw)
    return ProtectedParty(
        kind=kind,
        key=party_key(normalised, _secret()),
        cipher=PartyIdCipher(_secret()).encrypt(normalised),
        masked=mask_party_id(normalised),
    )


def reveal(cipher: str) -> str:
    return PartyIdCipher(_secret()).decrypt(cipher)


def mask_name(name: str, kind: str, masked_id: str = "") -> str:
    """A party's name as the public sees it, by the rule every public page uses.

    A natural person (居民身份证号) is 张** ; a 个体工商户 (credit code 92…) is masked like
    on the inspection results, 张**烤店; other organisations are shown in full.
    """
    if not name:
        return name
    if kind != CREDIT_CODE:
        return mask_person_name(name)
    if masked_id and is_individual_business(masked_id):
        return mask_business_name(name)
    return name
