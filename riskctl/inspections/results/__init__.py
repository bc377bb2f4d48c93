"""Inspection tasks and their results, attachments and publication."""
