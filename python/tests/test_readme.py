"""The README's Python section works as written: its command prints the quotes of the
article, and its Python example runs (with the package installed, as after `pip install .`)."""

import os
import re
import shlex
import subprocess
import sys

from conftest import ROOT


def python_section():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def test_the_readme_command_prints_every_quote_with_its_stance_and_speaker():
    sh = [body for lang, body in python_section() if lang == "sh"][0].splitlines()
    assert sh[0] == "pip install ."
    words = shlex.split(sh[1])
    assert words[0] == "python"
    out = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(out) >= 5
    assert all(l.split()[0] in ("threatening", "conciliatory", "neutral") for l in out)
    assert any("Adriana Vasquez-Holm" in l for l in out)


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    code = [body for lang, body in python_section() if lang == "python"][0]
    os.symlink(os.path.join(ROOT, "tests"), tmp_path / "tests")
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["rows"] and scope["probs"].shape == (1, 3)
    assert os.path.exists(tmp_path / "my.model")
