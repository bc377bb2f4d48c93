"""Drawn review files: their sheets, confirmation, referral and reviewer draws."""
