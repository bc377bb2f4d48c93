"""Conflict declarations and recusal requests (回避)."""
