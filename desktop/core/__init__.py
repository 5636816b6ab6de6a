"""Pure domain rules (ID sentences, permissions): no Qt, no database, no network."""
