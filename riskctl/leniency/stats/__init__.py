"""首违不罚 statistics: the SQL aggregates, the page, the public list and the API."""
