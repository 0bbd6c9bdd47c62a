"""pyproject.toml and environment.yml declare the same dependencies."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower()


def test_pyproject_and_environment_list_the_same_packages():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r): r.replace(" ", "") for r in py["dependencies"] + py["optional-dependencies"]["test"]}
    conda_side = {}
    text = (ROOT / "environment.yml").read_text()
    deps = text.split("dependencies:", 1)[1]
    for line in deps.splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.-]+)(.*)$", line)
        if m and m.group(1) not in ("python", "pip"):
            conda_side[m.group(1).lower()] = (m.group(1) + m.group(2)).replace(" ", "")
    assert set(pip_side) == set(conda_side), (
        f"only in pyproject: {sorted(set(pip_side) - set(conda_side))}; "
        f"only in environment.yml: {sorted(set(conda_side) - set(pip_side))}"
    )
    # and the same version bounds
    assert {k: pip_side[k] for k in pip_side} == {k: conda_side[k] for k in pip_side}
