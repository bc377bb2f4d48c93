"""Every page form builds on the field declarations the installed wtforms recommends."""

from __future__ import annotations

import importlib
import pkgutil
import warnings

from flask_wtf import FlaskForm

import riskctl


def _forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(riskctl.__path__, "riskctl."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("riskctl."):
                found.append(sub)
    return found


def test_no_form_passes_choices_in_a_deprecated_shape(app):
    forms = _forms()
    assert len(forms) > 20  # the walk found the modules' forms
    with app.test_request_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for form in forms:
            form(meta={"csrf": False})
    deprecated = [
        f"{w.filename}:{w.lineno} {w.message}"
        for w in caught
        if issubclass(w.category, DeprecationWarning)
    ]
    assert deprecated == []
