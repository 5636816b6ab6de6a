"""The window's one door to the services: the only GUI package that imports them or the store.

Widgets get state and results from here (the workspace of the signed-in user, the task runner that
keeps blocking calls off the GUI thread, the sync scheduler's signals); the import contract in
pyproject.toml keeps every other GUI module from reaching past it.
"""
