"""The rules of writing mail: who it is from, to whom, its subject, threading and quoted text.

Pure functions over plain values, so that the GUI, the CLI and the tests agree on every reply
without a database: the services load the original message and the user's profiles, then ask
these rules what the new message should be.
"""
