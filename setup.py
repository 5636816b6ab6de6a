"""Ships ``resources/`` inside the wheel as ``desktop/resources``.

pyproject.toml alone cannot add a package that lives outside the ``desktop`` folder, and without
the icons and ID layouts an app installed by ``pip install .`` cannot open its window or read an
ID. ``desktop.core.resources`` looks there first, then beside the checkout. Which files travel
is said in pyproject.toml's package-data (setuptools takes it from there, not from here).
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["desktop*"]), "desktop.resources"],
    package_dir={"desktop.resources": "resources"},
)
