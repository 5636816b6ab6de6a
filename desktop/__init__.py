"""Switchboard: one sign-in for every account a person holds, and one inbox over all of them."""

__version__ = "0.1.0"
