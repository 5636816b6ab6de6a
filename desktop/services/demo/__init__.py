"""Demo data for a first run: one person with three accounts and a few hundred messages."""
