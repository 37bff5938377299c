"""The agency profile as a form: the values typed so far, saved with the same checks as ``procdata init``.

``procdata.toml`` may be incomplete while the officer is still filling it in;
these functions read it leniently so that a form can show what is there and
what is missing, and so that the month-by-month view works before the
profile is complete.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from procdata.config import (
    CONFIG_NAME,
    DEFAULTS,
    KEYS,
    Config,
    load_config,
    parse_config,
)
from procdata.errors import ConfigError, ProcdataError

FIELDS = [key for keys in KEYS.values() for key in keys]  # flat names, as init_workspace takes them
REQUIRED = [key for keys in KEYS.values() for key, required in keys.items() if required]


def _raw(path: Path) -> dict[str, dict[str, object]]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError("config_invalid", file=str(path), error=str(error)) from None


def form_values(path: Path) -> dict[str, str]:
    """Every key of the profile at ``path`` by its flat name (``name``, ``profile``...): as written, or the default."""
    raw = _raw(path)
    values = {}
    for section, keys in KEYS.items():
        table = raw.get(section, {})
        for key in keys:
            value = table.get(key, "") if isinstance(table, dict) else ""
            values[key] = value.strip() if isinstance(value, str) else ""
            if not values[key] and not path.is_file():
                values[key] = DEFAULTS.get(key, "")
    return values


def missing_fields(path: Path) -> list[str]:
    """The required keys (flat names) still empty in the profile at ``path``; all of them when there is none."""
    values = form_values(path) if path.is_file() else {}
    return [key for key in REQUIRED if not values.get(key)]


def save_profile(path: Path, values: dict[str, str]) -> tuple[Path, list[str]]:
    """Write ``values`` over the profile at ``path``, keeping the keys not given; returns it and the keys still missing.

    The checks are those of ``procdata init``: a value the profile would refuse
    raises :class:`ConfigError` and nothing is written. The workspace folders
    are laid out once nothing required is missing.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ProcdataError("profile_unknown_field", field=", ".join(sorted(unknown)))
    kept = form_values(path) if path.is_file() else {}
    merged = {**kept, **{key: value.strip() for key, value in values.items()}}
    from procdata.workspace.layout import init_workspace

    done = init_workspace(path, merged, force=True)  # only changed values rewritten, the officer's lines kept
    return done.path, [key.split(".")[1] for key in done.missing]


def usable_config(path: Path) -> Config:
    """The profile at ``path`` if it is complete; else one with the values typed so far.

    Required keys still empty read ``-`` and wrong values their defaults, so
    that the folders, criteria profile and privacy policy the officer chose
    apply while the profile is being filled in. Never raises for a missing
    or incomplete file.
    """
    try:
        return load_config(path)
    except ConfigError:
        pass
    try:
        values = form_values(path)
    except ConfigError:
        values = {}
    raw: dict[str, dict[str, str]] = {section: {} for section in KEYS}
    for section, keys in KEYS.items():
        for key, required in keys.items():
            raw[section][key] = values.get(key) or DEFAULTS.get(key, "") or ("-" if required else "")
    try:
        return parse_config(raw, path)
    except ConfigError:
        plain = {section: {key: DEFAULTS.get(key, "") or ("-" if required else "") for key, required in keys.items()}
                 for section, keys in KEYS.items()}
        return parse_config(plain, path)


def profile_path(folder: Path) -> Path:
    """The profile that governs ``folder``: the nearest ``procdata.toml`` at or above it, else a new one in it."""
    from procdata.config import find_config

    return find_config(folder) or folder / CONFIG_NAME
