"""Wiring by convention: the modules of the project's apps that have a given name.

An app offers its API router (``api.py``), home cards (``home.py``), periodic jobs
(``jobs.py``) or earning rules (``earning.py``) by having that module; the code that gathers
them asks here instead of importing the apps, so dependencies keep pointing one way.
"""

import importlib
import importlib.util
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[tuple[str, ModuleType]]:
    """(app label, module) for every nuanxin app that has a module ``<app>.<name>``, in
    ``INSTALLED_APPS`` order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("nuanxin."):
            continue
        module_name = f"{config.name}.{name}"
        if importlib.util.find_spec(module_name) is not None:
            found.append((config.label, importlib.import_module(module_name)))
    return found
