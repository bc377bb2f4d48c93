"""The name a user gave a file, made safe to store, show and send back."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def clean_filename(name: str, default: str = "附件") -> str:
    """No path, no control characters (NUL included: PostgreSQL refuses it), bounded length."""
    base = unicodedata.normalize("NFC", PurePath((name or "").replace("\\", "/")).name)
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, suffix = PurePath(base).stem[:120], PurePath(base).suffix.lower()[:10]
    return f"{stem or default}{suffix}"
