"""The warning rules' pure half (预警规则): plain data in, signals out.

Each module holds the data a rule reads (frozen dataclasses) and its ``evaluate``
functions; neither Flask nor SQLAlchemy (``make lint`` checks it). What a rule reads
from the database, its settings and the order of a scan are ``riskctl.warnings.sources``.
"""
