"""Importing the risk register from .xlsx/.csv: the operation and its pages."""
