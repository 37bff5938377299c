"""The workspace: ``procdata.toml`` with a folder for monthly files and one for the site.

``procdata init`` lays it out, always with both folders, even before every
value of the profile is known; run again with ``--force`` it changes only the
values given and keeps what the officer typed, comments included. The other
commands, run anywhere inside the workspace, read the monthly folder and write
the site folder unless told otherwise (:func:`procdata.config.workspace_inputs`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from procdata.config import (
    CONFIG_NAME,
    KEYS,
    Config,
    load_config,
    parse_config,
    workspace_config,
)
from procdata.errors import ConfigError
from procdata.output import write_atomic
from procdata.read.overrides import Overrides, load_overrides
from procdata.resources import data
from procdata.workspace.profile_text import render_config, toml_string

# The short name init uses for each key ("name" -> "agency.name"); ckan.organization is also
# "ckan_organization", as the template and `init --ckan-organization` name it.
QUALIFIED = {key: f"{section}.{key}" for section, keys in KEYS.items() for key in keys}
QUALIFIED["ckan_organization"] = "ckan.organization"
_TEMPLATE_NAME = {"ckan.organization": "ckan_organization"}  # render_config's name where it is not the key's own


@dataclass
class InitResult:
    """What :func:`init_workspace` did."""

    path: Path  # the profile
    config: Config  # as loaded, required keys possibly missing
    written: bool  # False when the profile already held every value given
    folders: list[Path] = field(default_factory=list)  # the folders made now
    backup: Path | None = None  # where an unreadable profile replaced with --force was kept

    @property
    def missing(self) -> list[str]:
        return list(self.config.missing)


def init_workspace(path: Path | str, values: dict[str, str], *, force: bool = False) -> InitResult:
    """Write (or with ``force`` update) the profile at ``path`` and lay out the workspace folders.

    ``values`` maps init's short names (``name``, ``district``, ...) to text;
    empty values are not given. A new profile is the commented template
    holding them. An existing one is left alone unless ``force``; then only
    the values given change, in place, and everything else in the file is
    kept as typed. A profile that is not readable TOML is replaced by the
    template, the old text kept beside it (``procdata.toml.bak``). A value that
    would be refused on loading raises before anything is written.
    """
    path = Path(path)
    target = path / CONFIG_NAME if path.is_dir() else path
    given = {QUALIFIED[k]: v for k, v in values.items() if v}
    flat = {_TEMPLATE_NAME.get(name, name.split(".")[1]): value for name, value in given.items()}
    backup = None
    if target.exists():
        if not force:
            raise ConfigError("config_exists", file=str(target))
        old = target.read_text(encoding="utf-8-sig")
        text = set_values(old, given)
        if text is None:  # not TOML, or not a shape the editor can change safely: start again, keep the old
            text = render_config(flat)
            backup = _free_name(target.with_name(target.name + ".bak"))
    else:
        if not target.parent.is_dir():
            raise ConfigError("config_no_folder", file=str(target))
        old, text = None, render_config(flat)
    config = parse_config(tomllib.loads(text), target, strict=False)
    if backup is not None and old is not None:
        write_atomic(backup, old.encode("utf-8"))
    if text != old:
        write_atomic(target, text.encode("utf-8"))
    return InitResult(target, config, text != old, create_folders(config), backup)


def create_folders(config: Config | Path) -> list[Path]:
    """Make the workspace folders of a profile (complete or not); returns those made now."""
    if not isinstance(config, Config):
        config = load_config(config, strict=False)
    made = []
    for folder in (config.inbox_path, config.out_path):
        if not folder.exists():
            folder.mkdir(parents=True)
            made.append(folder)
    readme = config.inbox_path / "อ่านก่อน.txt"
    if not readme.exists():
        write_atomic(readme, data("template")["inbox_readme"].encode("utf-8"))
    return made


_SECTION = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"(\s*)([A-Za-z0-9_-]+)\s*=\s*(.*)$", re.DOTALL)


def set_values(text: str, values: dict[str, str]) -> str | None:
    """``text`` (a profile) with each ``section.key`` of ``values`` set, every other line as it was.

    A key's line (and the lines of a multi-line value) is replaced where it
    stands; a key the file lacks goes under its section's header (a section
    the file lacks, at the end). The result is read back: ``None`` when it is
    not TOML, or does not hold exactly the old values with the new ones set.
    """
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)  # TOML's lines: not splitlines, which also breaks at U+2028 and the like
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    present = {f"{s}.{k}" for s, table in before.items() if isinstance(table, dict) for k in table}
    pending = dict(values)
    absent = {name: value for name, value in values.items() if name not in present}  # added under their headers
    out: list[str] = []
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            out.append(line)
            out.extend(_lines(section, absent, pending))
            continue
        assignment = _KEY.match(line)
        name = f"{section}.{assignment.group(2)}" if assignment else ""
        if assignment and name in pending:
            index = _value_end(lines, index, assignment.group(3))
            out.append(f"{assignment.group(1)}{assignment.group(2)} = {toml_string(pending.pop(name))}\n")
            continue
        out.append(line)
    for wanted in dict.fromkeys(k.split(".")[0] for k in absent):
        out.append(f"\n[{wanted}]\n")
        out.extend(_lines(wanted, absent, pending))
    result = "".join(out)
    try:
        after = tomllib.loads(result)
    except tomllib.TOMLDecodeError:
        return None
    expected = {s: dict(t) if isinstance(t, dict) else t for s, t in before.items()}
    for name, value in values.items():
        section, key = name.split(".")
        if not isinstance(expected.setdefault(section, {}), dict):
            return None
        expected[section][key] = value
    return result if after == expected else None


def _lines(section: str, absent: dict[str, str], pending: dict[str, str]) -> list[str]:
    """The lines of the keys of ``section`` the file lacks (taken out of ``absent`` and ``pending``)."""
    keys = [name for name in absent if name.split(".")[0] == section]
    for name in keys:
        pending.pop(name, None)
    return [f"{name.split('.')[1]} = {toml_string(absent.pop(name))}\n" for name in keys]


def _value_end(lines: list[str], index: int, rest: str) -> int:
    """The index of the line after a value that starts with ``rest`` (its line's remainder)."""
    for quote in ('"""', "'''"):
        if rest.startswith(quote) and rest.count(quote) < 2:
            while index < len(lines) and quote not in lines[index]:
                index += 1
            return min(index + 1, len(lines))
    return index


def _free_name(path: Path) -> Path:
    """``path``, or ``path`` numbered (``.bak2``, ``.bak3`` ...) when it is taken."""
    number = 1
    candidate = path
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}{number}")
    return candidate


def default_overrides(config: Config | Path | str | None = None) -> Overrides | None:
    """The officer's budget categories (``[workspace] categories`` beside procdata.toml), if any."""
    found = workspace_config(config)
    if found is None:
        return None
    return load_overrides(found.categories_path)
