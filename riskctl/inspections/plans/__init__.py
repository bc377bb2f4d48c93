"""Inspection plans: rules, preview, lock, draw and redraws."""
