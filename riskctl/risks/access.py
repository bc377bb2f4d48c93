"""Who may do what with the register (domain.md role table)."""

from riskctl.accounts.roles import ADMIN, DISCIPLINE, LEADER, LEGAL, OFFICER

# The discipline committee keeps the register; the legal office, leaders and the
# administrator read all of it (the administrator edits no business data); officers
# read their own unit subtree only (queries filter by visible_unit_ids).
READERS = (DISCIPLINE, LEGAL, LEADER, ADMIN, OFFICER)
WRITERS = (DISCIPLINE,)
