"""The public API is exactly ``trends.__all__``, and every error derives from TrendsError."""

import inspect

import trends
from trends import errors


def test_all_names_exist_and_are_public():
    assert sorted(trends.__all__) == sorted(set(trends.__all__))
    for name in trends.__all__:
        assert hasattr(trends, name), name
    public = {n for n in dir(trends) if not n.startswith("_")}
    modules = {n for n in public if inspect.ismodule(getattr(trends, n))}
    assert public - modules == set(trends.__all__) - {"__version__"}


def test_error_family_is_one_tree():
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)
    ]
    assert {c.__name__ for c in classes} == set(errors.__all__)
    for c in classes:
        assert issubclass(c, trends.TrendsError)
        assert c.__name__ in errors.__doc__  # documented in the one docstring
