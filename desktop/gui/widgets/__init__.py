"""Reusable widgets that any page may embed; each takes what it needs as arguments."""
