"""The agency profile: ``procdata.toml``, found in the working folder or named with ``--config``.

It says who publishes (the ``[agency]`` columns of the ITA datasets), under
which criteria profile and licence, and how personal data is treated. Loading
is separate from the commands so that every command finds and reads the same
file; its text is written by ``workspace.profile_text`` (``procdata init``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from procdata.errors import ConfigError, ProcdataError
from procdata.normalize.text import has_controls, one_line, strip_controls
from procdata.read.overrides import OVERRIDES_FILE

CONFIG_NAME = "procdata.toml"

# [section] -> {key: required}
KEYS: dict[str, dict[str, bool]] = {
    "agency": {
        "name": True, "type": True, "ministry": True, "district": True, "province": True,
        "website": False, "email": False, "phone": False,
    },
    "publish": {
        "profile": True, "licence": False, "ocid_prefix": False, "personal_ids": False, "site_url": False,
    },
    "ckan": {"organization": False, "maintainer": False, "maintainer_email": False, "objective": False,
             "geo_coverage": False},
    "report": {"problems": False, "improvements": False},
    "workspace": {"inbox": False, "out": False, "categories": False},
}
# Keys whose text may run over several lines (the O13 report's paragraphs).
MULTILINE = {"report.problems", "report.improvements"}
PERSONAL_ID_POLICIES = ("mask", "full")
_OCID_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")
# What a key holds when the officer leaves it out (and ``procdata init`` writes).
DEFAULTS = {
    "type": "องค์กรปกครองส่วนท้องถิ่น",
    "ministry": "กระทรวงมหาดไทย",
    "profile": "ita-2568",
    "licence": "CC-BY-4.0",
    "personal_ids": "mask",
    "inbox": "monthly",
    "out": "site",
    "categories": OVERRIDES_FILE,
}


@dataclass(frozen=True)
class Agency:
    """Who publishes: the agency columns of the ITA datasets."""

    name: str
    type: str
    ministry: str
    district: str
    province: str
    website: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Ckan:
    """data.go.th (CKAN) metadata: ``[ckan]``; empty values take the defaults of ``data/ckan.toml``."""

    organization: str = ""  # the agency's organization id on the portal (owner_org)
    maintainer: str = ""  # contact person or unit; default: the agency name
    maintainer_email: str = ""  # default: [agency] email
    objective: str = ""
    geo_coverage: str = ""


@dataclass(frozen=True)
class Config:
    """An agency profile as read from ``procdata.toml``."""

    path: Path
    agency: Agency
    profile: str
    licence: str = "CC-BY-4.0"
    ocid_prefix: str = ""
    site_url: str = ""  # where the site folder is served once uploaded (http or https)
    ckan: Ckan = Ckan()
    personal_ids: str = ""  # "mask", "full", or "" for the criteria profile's default
    problems: str = ""  # O13 report: ปัญหาและอุปสรรค
    improvements: str = ""  # O13 report: แนวทางการปรับปรุง
    inbox: str = "monthly"  # workspace: where monthly files are dropped, beside procdata.toml
    out: str = "site"  # workspace: where publish writes, beside procdata.toml
    categories: str = OVERRIDES_FILE  # workspace: the officer's budget categories, beside procdata.toml
    missing: tuple[str, ...] = ()  # required keys left empty (only when loaded with strict=False)
    cleaned: tuple[str, ...] = ()  # keys whose values had control characters, removed on loading

    @property
    def inbox_path(self) -> Path:
        return self.path.parent / self.inbox

    @property
    def categories_path(self) -> Path:
        return self.path.parent / self.categories

    @property
    def out_path(self) -> Path:
        return self.path.parent / self.out

    @property
    def site_base(self) -> str:
        """The folder URL of ``site_url`` ending in ``/`` (``.../index.html`` -> ``.../``); "" when not set."""
        if not self.site_url:
            return ""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.site_url)
        path = parts.path
        last = path.rsplit("/", 1)[-1]
        if "." in last:  # a page such as index.html: its folder
            path = path[: len(path) - len(last)]
        return urlunsplit((parts.scheme, parts.netloc, path if path.endswith("/") else path + "/", "", ""))


def find_config(start: Path | None = None) -> Path | None:
    """``procdata.toml`` in ``start`` (default: the working folder) or the nearest parent."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def load_config(path: Path | str | None = None, *, strict: bool = True) -> Config:
    """Read and check an agency profile; ``None`` looks for ``procdata.toml`` (see :func:`find_config`).

    Raises :class:`ConfigError` naming the file and what is wrong: every
    required key still empty at once, or the first wrong value. With
    ``strict=False`` empty required keys are no error: they are listed in
    ``Config.missing`` (for ``status``, ``template`` and ``init``, which work
    with a profile not yet filled in).
    """
    if path is None:
        found = find_config()
        if found is None:
            raise ConfigError("config_not_found", folder=str(Path.cwd()))
        path = found
    path = Path(path)
    if not path.is_file():
        raise ConfigError("config_missing_file", file=str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError("config_invalid", file=str(path), error=str(error)) from None
    return parse_config(raw, path, strict=strict)


def as_config(config: Config | Path | str | None, *, strict: bool = True) -> Config:
    """A loaded profile as it is, or the profile at a path (or found from the working folder)."""
    if isinstance(config, Config):
        if strict and config.missing:
            raise _missing_error(str(config.path), list(config.missing))
        return config
    return load_config(config, strict=strict)


def _missing_error(file: str, missing: list[str]) -> ConfigError:
    if len(missing) == 1:
        section, name = missing[0].split(".")
        return ConfigError("config_missing_key", file=file, key=missing[0], section=section, name=name)
    lines = "; ".join(f"[{k.split('.')[0]}] {k.split('.')[1]} = \"...\"" for k in missing)
    return ConfigError("config_missing_keys", file=file, keys=", ".join(missing), lines=lines)


def _text(value: str, key: str) -> str:
    """A profile value cleaned as cells are: no control characters; one line unless the key is multi-line."""
    return strip_controls(value).strip() if key in MULTILINE else one_line(value)


def safe_link(value: str) -> str:
    """``value`` as a link a page may hold: an http(s) address (``www.x.go.th`` gets ``https://``) or
    ``mailto:``; ``""`` for anything else, such as ``javascript:``."""
    value = value.strip()
    if not value or any(ch.isspace() for ch in value):
        return ""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", value)
    if scheme is None and re.match(r"[A-Za-z0-9\u0E00-\u0E7F-]+(\.[A-Za-z0-9\u0E00-\u0E7F-]+)+(/|$)", value):
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    if parts.scheme.lower() == "mailto" and _EMAIL.fullmatch(value[7:]):
        return value
    return ""


def parse_config(raw: dict[str, Any], path: Path, *, strict: bool = True) -> Config:
    """A :class:`Config` from parsed TOML; ``path`` is named in error messages (see :func:`load_config`)."""
    file = str(path)
    values: dict[str, dict[str, str]] = {}
    missing: list[str] = []
    cleaned: list[str] = []
    for section, keys in KEYS.items():
        table = raw.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError("config_not_table", file=file, key=section)
        for key in table:
            if key not in keys:
                hint = difflib.get_close_matches(key, list(keys), n=1)
                raise ConfigError("config_unknown_key", file=file, key=f"{section}.{key}",
                                  known=hint[0] if hint else ", ".join(keys))
        values[section] = {}
        for key, required in keys.items():
            value = table.get(key, "")
            if not isinstance(value, str):
                raise ConfigError("config_not_text", file=file, key=f"{section}.{key}")
            if has_controls(value):
                cleaned.append(f"{section}.{key}")
            value = _text(value, f"{section}.{key}")
            if required and not value:
                missing.append(f"{section}.{key}")
            values[section][key] = value
    if missing and strict:
        raise _missing_error(file, missing)
    publish = values["publish"]
    if publish["personal_ids"] and publish["personal_ids"] not in PERSONAL_ID_POLICIES:
        raise ConfigError("config_bad_value", file=file, key="publish.personal_ids",
                          value=publish["personal_ids"], allowed=" | ".join(PERSONAL_ID_POLICIES))
    if publish["ocid_prefix"] and not _OCID_PREFIX.fullmatch(publish["ocid_prefix"]):
        raise ConfigError("config_bad_value", file=file, key="publish.ocid_prefix",
                          value=publish["ocid_prefix"], allowed="ocds-xxxxxx (6 a-z 0-9)")
    from procdata.profiles import available, licences

    if publish["profile"] and publish["profile"] not in available():
        raise ConfigError("config_bad_value", file=file, key="publish.profile", value=publish["profile"],
                          allowed=", ".join(available()))
    if publish["licence"] and publish["licence"] not in licences():
        raise ConfigError("config_bad_value", file=file, key="publish.licence", value=publish["licence"],
                          allowed=", ".join(licences()))
    agency = values["agency"]
    if agency["email"] and not _EMAIL.fullmatch(agency["email"]):
        raise ConfigError("config_bad_value", file=file, key="agency.email", value=agency["email"], allowed="name@example.go.th")
    if agency["website"]:
        link = safe_link(agency["website"])
        if not link.startswith(("http://", "https://")):
            raise ConfigError("config_bad_value", file=file, key="agency.website", value=agency["website"],
                              allowed="https://www.example.go.th")
        agency["website"] = link
    ckan = _ckan(values["ckan"], file)
    if publish["site_url"] and not (_URL.fullmatch(publish["site_url"]) and safe_link(publish["site_url"])):
        raise ConfigError("config_bad_value", file=file, key="publish.site_url", value=publish["site_url"],
                          allowed="https://www.example.go.th/ita/")
    return Config(
        path=path, agency=Agency(**agency), profile=publish["profile"] or DEFAULTS["profile"],
        licence=publish["licence"] or "CC-BY-4.0",
        ocid_prefix=publish["ocid_prefix"], site_url=publish["site_url"], ckan=ckan,
        personal_ids=publish["personal_ids"],
        problems=values["report"]["problems"], improvements=values["report"]["improvements"],
        inbox=values["workspace"]["inbox"] or "monthly", out=values["workspace"]["out"] or "site",
        categories=values["workspace"]["categories"] or OVERRIDES_FILE,
        missing=tuple(missing), cleaned=tuple(cleaned),
    )


# ---------------------------------------------------------------- the workspace's folders


def workspace_config(config: Config | Path | str | None = None) -> Config | None:
    """The profile given (a path or a loaded one), or the one found from the working folder up;
    ``None`` outside a workspace. Required keys may still be empty (``Config.missing``)."""
    if config is not None:
        return as_config(config, strict=False)
    found = find_config()
    return load_config(found, strict=False) if found else None


def workspace_inputs(inputs: Iterable[Path | str] | None, config: Config | Path | str | None = None) -> list[Path]:
    """The inputs given, or the workspace's monthly folder when they are ``None`` (an empty list is no input)."""
    if inputs is not None:
        return [Path(p) for p in inputs]
    found = workspace_config(config)
    if found is None:
        raise ProcdataError("no_inputs_no_workspace")
    if not found.inbox_path.is_dir():
        raise ProcdataError("workspace_no_inbox", folder=str(found.inbox_path))
    return [_relative(found.inbox_path)]


def workspace_out(out: Path | str | None, config: Config | Path | str | None = None) -> Path:
    """The output folder given, or the workspace's site folder."""
    if out is not None:
        return Path(out)
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


def _ckan(values: dict[str, str], file: str) -> Ckan:
    """``[ckan]`` checked against the portal's own choices (``data/ckan.toml``)."""
    from procdata.resources import data

    choices = data("ckan")["choices"]
    for key in ("objective", "geo_coverage"):
        if values[key] and values[key] not in choices[key]:
            raise ConfigError("config_bad_value", file=file, key=f"ckan.{key}", value=values[key],
                              allowed=" | ".join(choices[key]))
    if values["maintainer_email"] and not _EMAIL.fullmatch(values["maintainer_email"]):
        raise ConfigError("config_bad_value", file=file, key="ckan.maintainer_email",
                          value=values["maintainer_email"], allowed="name@example.go.th")
    if values["organization"] and not _CKAN_NAME.fullmatch(values["organization"]):
        raise ConfigError("config_bad_value", file=file, key="ckan.organization", value=values["organization"],
                          allowed="a-z 0-9 - _")
    return Ckan(**values)
