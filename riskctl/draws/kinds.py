"""What a draw is for (pure: the warning rules read it without the models)."""

from __future__ import annotations

KINDS = {"inspection": "双随机抽查", "review": "案卷评查"}
