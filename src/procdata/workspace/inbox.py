"""The monthly folder as files come and go: add a file without overwriting, take one out without deleting.

A name that comes from elsewhere (a browser's upload, an e-mail attachment)
never reaches the file system as a path: only a cleaned base name does, inside
the folder, and a name already taken gets `` (2)``, `` (3)`` ... instead of
replacing a file. A file taken out is moved into the hidden ``.removed/``
folder beside the others, which ingest does not read, so that nothing the
officer made is ever deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from procdata.errors import ProcdataError
from procdata.read.files import SPREADSHEET_SUFFIXES, expand_inputs

REMOVED = ".removed"
MAX_NAME_BYTES = 180  # well under the 255 bytes of ext4, NTFS and APFS, with room for " (99)"
# Not allowed in names on Windows (where the folder may be copied), plus the path separators.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}


@dataclass(frozen=True)
class InboxFile:
    """A spreadsheet in the monthly folder."""

    name: str  # relative to the folder, with "/" between folders
    path: Path
    size: int
    modified_ns: int


def safe_name(client_name: str) -> str:
    """A plain file name from a name given by someone else; never a path.

    Keeps only the last part after any ``/`` or ``\\``, removes characters
    that are not allowed in file names, leading dots and spaces, and shortens
    it (in UTF-8 bytes, keeping the suffix) to :data:`MAX_NAME_BYTES`. Raises
    ``upload_bad_type`` unless the suffix is one ingest reads.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", client_name or ""))[-1]
    base = _UNSAFE.sub("_", base).strip()
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix}".lower() if dot else ""
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ProcdataError("upload_bad_type", file=base or client_name,
                            suffixes=" ".join(sorted(SPREADSHEET_SUFFIXES)))
    stem = stem.strip().lstrip(". ").rstrip(". ") or "แฟ้ม"
    if stem.split(".")[0].lower() in _RESERVED:
        stem = f"_{stem}"
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(". ") + suffix


def _numbered(name: str, number: int) -> str:
    stem, suffix = os.path.splitext(name)
    return f"{stem} ({number}){suffix}" if number > 1 else name


def _place(source: Path, target: Path) -> None:
    """Give ``source``'s content the name ``target``; ``FileExistsError`` rather than replace a file."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this drive (FAT, some network shares): create exclusively, copy
        with open(target, "xb") as out, open(source, "rb") as stream:
            shutil.copyfileobj(stream, out)


def add_file(folder: Path, client_name: str, content: bytes) -> Path:
    """Put ``content`` into ``folder`` under a safe form of ``client_name``; returns the path written.

    The file is written completely under a temporary name, then linked to a
    name that is free at that moment (``os.link`` fails rather than replace),
    so two uploads of one name at once both arrive and neither is cut short.
    """
    name = safe_name(client_name)
    folder.mkdir(parents=True, exist_ok=True)
    # Written as a hidden file: ingest never reads it half-written.
    handle, temporary = tempfile.mkstemp(prefix=".upload.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        for number in range(1, 10_000):
            target = folder / _numbered(name, number)
            try:
                _place(Path(temporary), target)
            except FileExistsError:
                continue
            return target
        raise ProcdataError("upload_no_free_name", file=name)
    finally:
        Path(temporary).unlink(missing_ok=True)


def inbox_files(folder: Path) -> list[InboxFile]:
    """The spreadsheets ingest reads from ``folder``, in its order; none when it does not exist."""
    if not folder.is_dir():
        return []
    found = []
    for path, _ in expand_inputs([folder]):
        stat = path.stat()
        found.append(InboxFile(path.relative_to(folder).as_posix(), path, stat.st_size, stat.st_mtime_ns))
    return found


def remove_file(folder: Path, name: str) -> Path:
    """Move the file ``name`` (as :func:`inbox_files` names it) into ``folder/.removed/``; returns where it went.

    Only a name that :func:`inbox_files` lists is moved, so no name can reach
    outside the folder. A file of the same name already removed is kept: the
    new one gets a number.
    """
    chosen = next((f for f in inbox_files(folder) if f.name == name), None)
    if chosen is None:
        raise ProcdataError("inbox_no_such_file", file=name, folder=str(folder))
    bin_ = folder / REMOVED
    bin_.mkdir(exist_ok=True)
    base = chosen.path.name
    for number in range(1, 10_000):
        target = bin_ / _numbered(base, number)
        try:
            _place(chosen.path, target)
        except FileExistsError:
            continue
        chosen.path.unlink()
        return target
    raise ProcdataError("upload_no_free_name", file=base)
