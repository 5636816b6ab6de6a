"""Showing, choosing and editing profiles."""
