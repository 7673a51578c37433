"""Every module of smtui and of its tests stays under 400 lines, so that each does one thing a reader can hold."""

from __future__ import annotations

from pathlib import Path

import smtui

ROOT = Path(smtui.__file__).resolve().parent.parent
#: The folders whose modules are held to the limit, every level below them.
FOLDERS = (ROOT / "smtui", ROOT / "tests")
LIMIT = 400


def modules(folders: tuple[Path, ...] = FOLDERS) -> list[Path]:
    """Every Python module below ``folders``, subpackages included."""
    return sorted(path for folder in folders for path in folder.rglob("*.py"))


def too_long(paths: list[Path], limit: int = LIMIT) -> dict[str, int]:
    """The modules of ``paths`` with ``limit`` lines or more, by path relative to the project, with their lines."""
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in paths}
    return {str(path.relative_to(ROOT)): size for path, size in sizes.items() if size >= limit}


def test_every_module_stays_under_400_lines():
    found = modules()
    # The walk reaches every level: the package, its subpackages' subpackages, and the tests.
    names = {str(path.relative_to(ROOT)) for path in found}
    assert {"smtui/cli.py", "smtui/aws/log_tail.py", "smtui/ui/widgets/job_list.py", "tests/test_layout.py"} <= names
    assert too_long(found) == {}


def test_a_module_of_400_lines_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "short.py").write_text("x = 1\n" * 399)
    (tmp_path / "pkg" / "sub" / "long.py").write_text("x = 1\n" * 400)
    assert too_long(modules((tmp_path / "pkg",))) == {"pkg/sub/long.py": 400}
