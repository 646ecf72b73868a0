"""The package as a user meets it: the module docstring's example runs, every public name
has a docstring, and the type stubs name every public function with its signature."""

import ast
import doctest
import inspect
import os

import stance


def test_the_module_docstrings_example_gives_what_it_shows():
    failed, tried = doctest.testmod(stance, verbose=False)
    assert tried > 0 and failed == 0


def test_every_public_name_is_documented_and_typed():
    stub = os.path.join(os.path.dirname(stance.__file__), "__init__.pyi")
    assert os.path.exists(os.path.join(os.path.dirname(stance.__file__), "py.typed"))
    tree = ast.parse(open(stub, encoding="utf-8").read())
    stubbed = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for name in stance.__all__:
        obj = getattr(stance, name)
        if name == "QUOTE_COLUMNS":
            continue
        assert inspect.getdoc(obj), name
        assert name in stubbed, name
        if inspect.isfunction(obj):
            params = [p.name for p in inspect.signature(obj).parameters.values()
                      if p.kind is not p.VAR_KEYWORD]
            stub_args = stubbed[name].args
            names = [a.arg for a in stub_args.posonlyargs + stub_args.args + stub_args.kwonlyargs]
            assert params == names[:len(params)], name
    for method in ("builtin", "load", "predict", "predict_proba", "save"):
        assert inspect.getdoc(getattr(stance.Model, method)), method
