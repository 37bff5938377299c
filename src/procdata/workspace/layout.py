"""The workspace: ``procdata.toml`` with a folder for monthly files and one for the site.

``procdata init`` lays it out; the other commands, run anywhere inside it,
read the monthly folder and write the site folder unless told otherwise.
"""

from __future__ import annotations

from pathlib import Path

from procdata.config import Config, find_config, load_config
from procdata.errors import ProcdataError
from procdata.output import write_atomic
from procdata.read.overrides import Overrides, load_overrides
from procdata.resources import data


def create_folders(config_path: Path) -> list[Path]:
    """Make the workspace folders named in the profile at ``config_path``; returns those made."""
    config = load_config(config_path)
    made = []
    for folder in (config.inbox_path, config.out_path):
        if not folder.exists():
            folder.mkdir(parents=True)
            made.append(folder)
    readme = config.inbox_path / "อ่านก่อน.txt"
    if not readme.exists():
        write_atomic(readme, data("template")["inbox_readme"].encode("utf-8"))
    return made


def workspace_config(config: Path | None = None) -> Config | None:
    """The profile named, or the one found from the working folder up; ``None`` outside a workspace."""
    if config is not None:
        return load_config(config)
    found = find_config()
    return load_config(found) if found else None


def default_inputs(inputs: list[Path] | None, config: Path | None = None) -> list[Path]:
    """The inputs given, or the workspace's monthly folder when none are."""
    if inputs:
        return inputs
    found = workspace_config(config)
    if found is None:
        raise ProcdataError("no_inputs_no_workspace")
    if not found.inbox_path.is_dir():
        raise ProcdataError("workspace_no_inbox", folder=str(found.inbox_path))
    return [_relative(found.inbox_path)]


def default_out(out: Path | None, config: Path | None = None) -> Path:
    """The output folder given, or the workspace's site folder."""
    if out is not None:
        return out
    found = workspace_config(config)
    if found is None:
        raise ProcdataError("no_out_no_workspace")
    return _relative(found.out_path)


def _relative(path: Path) -> Path:
    """``path`` from the working folder when it lies below it, so that messages stay short."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def default_overrides(config: Path | None = None) -> Overrides | None:
    """The officer's budget categories (``[workspace] categories`` beside procdata.toml), if any."""
    found = workspace_config(config)
    if found is None:
        return None
    return load_overrides(found.categories_path)
