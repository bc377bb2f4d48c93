"""Inspection rosters: targets and inspectors, their import and export."""
