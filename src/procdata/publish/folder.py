"""The site folder: procdata's files replaced as one set, the officer's own files kept.

The folder publish writes into is the officer's too: they may keep the signed
สขร.๑ as a PDF there, or a page of their own. A manifest in the folder
(``.procdata-manifest.json``) lists the files procdata wrote and their
hashes; the next publish replaces exactly those and leaves everything else as
it is. A file of procdata's that was changed by hand since is kept under
another name (``index.edited.html``), never overwritten.

The switch from the old set to the new one is atomic, for readers and for
crashes:

1. A lock (``flock`` on the parent folder) lets one publish at a time switch
   folders there; a second one is refused with a message.
2. The new version is built beside the folder, in ``.<name>.procdata-XXXX``
   on the same file system: procdata's new files, written and flushed to
   disk, and the officer's files and folders hard-linked in (the same files,
   not copies).
3. One system call exchanges the two folders (``renameat2(RENAME_EXCHANGE)``
   on Linux, ``renamex_np(RENAME_SWAP)`` on macOS). Before it, every reader
   and every crash sees the old complete set under the folder's name; after
   it, the new complete set.
4. What the officer added to the old folder while 2 ran is moved across; the
   old version is kept beside as ``.<name>.procdata-previous`` until the next
   publish, so that a reader still reading it is never cut off.

A publish killed at any point leaves the old or the new complete set, and at
most a ``.<name>.procdata-XXXX.new`` folder beside it, which the next publish
clears (moving anything of the officer's in it back first). Where no atomic
exchange exists (Windows, some network file systems, a folder that is a
mount point), files are replaced one by one instead: never lost, but a
reader may see old and new files side by side for a moment.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from procdata.errors import OutputError

MANIFEST = ".procdata-manifest.json"
# The new version is built in .<name>.procdata-XXXX.new beside the folder, and carries that name in
# SWITCH: once switched in, the folder names the leftover that holds the old version. The old
# version is then kept as .<name>.procdata-previous until the next publish, so that a reader
# still reading it (a copy under way, a server holding it open) is never cut off midway.
DEBRIS = ".procdata-"
NEW_SUFFIX = ".new"
PREVIOUS = ".procdata-previous"
SWITCH = ".procdata-switch"
BOOKKEEPING = (MANIFEST, SWITCH)


@dataclass
class Switched:
    """What :func:`write_site` did besides writing procdata's files."""

    kept: list[str] = field(default_factory=list)  # the officer's entries, left as they were
    edited: list[tuple[str, str]] = field(default_factory=list)  # (procdata's file changed by hand, kept as)
    removed: list[str] = field(default_factory=list)  # procdata's files of the last publish not written now
    atomic: bool = True  # False when files were replaced one by one (no atomic exchange here)


def digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def manifest(files: dict[str, bytes], generator: str) -> bytes:
    """The manifest of ``files``: which names are procdata's, and their content hashes."""
    listed = {name: digest(files[name]) for name in sorted(files)}
    return (json.dumps({"generator": generator, "files": listed}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_manifest(folder: Path) -> dict[str, str] | None:
    """The files procdata wrote into ``folder`` last time (name -> hash, or "" when unknown).

    From the manifest; in a folder written by an earlier procdata without one,
    the files its ``datapackage.json`` names, the pages and the zip.
    ``None`` when ``folder`` holds nothing of procdata's.
    """
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        return {str(k): str(v) for k, v in listed.items() if _plain_name(str(k))}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        if not str(package.get("generator", "")).startswith("procdata"):
            return None
        names = {"datapackage.json", "index.html"} | {str(r.get("path", "")) for r in package.get("resources", [])}
        year = str(package.get("fiscal_year", ""))
        names |= {p.name for p in folder.iterdir() if p.name.endswith(("-report.html", f"-{year}.zip"))}
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return {name: "" for name in names if _plain_name(name) and (folder / name).is_file()}


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..", *BOOKKEEPING)


def write_site(out: Path, files: dict[str, bytes], generator: str) -> Switched:
    """Put ``files`` (name -> content) into the folder ``out`` as one set; see the module docstring.

    Raises :class:`~procdata.errors.OutputError` when ``out`` is a file,
    when an officer's file holds a name procdata must write, when another
    publish is switching a folder beside it, or when writing fails; the folder
    is then as it was.
    """
    out = Path(out)
    if out.is_symlink():  # switch the folder the link points to, and keep the link
        out = out.resolve()
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise OutputError("publish_out_not_folder", out=str(out))
    if not out.parent.is_dir():
        raise OutputError("output_unwritable", out=str(out), error=f"no folder {out.parent}")
    with _locked(out):
        clear_debris(out)
        ours = (read_manifest(out) or {}) if out.exists() else {}
        entries = sorted(p.name for p in out.iterdir()) if out.exists() else []
        officer = [name for name in entries if name not in ours and name not in BOOKKEEPING]
        taken = sorted(set(officer) & set(files))
        if taken:
            raise OutputError("publish_name_taken", out=str(out), names=", ".join(taken))
        result = Switched(kept=officer, removed=sorted(set(ours) - set(files)))
        keep_as: dict[str, str] = {}
        for name, recorded in sorted(ours.items()):
            if recorded and (out / name).is_file() and _file_digest(out / name) != recorded:
                keep_as[name] = _free_name(name, set(entries) | set(files) | set(keep_as.values()))
                result.edited.append((name, keep_as[name]))
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{DEBRIS}", suffix=NEW_SUFFIX, dir=out.parent))
        except OSError as error:
            raise OutputError("output_unwritable", out=str(out), error=error.strerror or str(error)) from None
        switched = False
        try:
            _fill(staging, out, files, generator, officer, keep_as)
            if not out.exists():
                os.rename(staging, out)
                switched = True
            elif _exchange(out, staging):
                switched = True
                _retire(staging, out)
            else:
                result.atomic = False
                _replace_in_place(out, staging, files, generator, ours, keep_as)
                shutil.rmtree(staging)
            (out / SWITCH).unlink(missing_ok=True)
            _sync(out.parent)
        except BaseException as error:
            if not switched:  # the new version holds procdata's files and links of the officer's: drop it
                shutil.rmtree(staging, ignore_errors=True)
            # (once switched, the old version left beside is cleared by the next publish)
            if isinstance(error, OSError):
                raise OutputError("output_unwritable", out=str(out), error=error.strerror or str(error)) from None
            raise
    return result


def _fill(staging: Path, out: Path, files: dict[str, bytes], generator: str, officer: list[str],
          keep_as: dict[str, str]) -> None:
    """The new version in ``staging``: procdata's files, then the officer's linked in, then the manifest."""
    mode = out.stat().st_mode & 0o7777 if out.exists() else 0o755
    for name in sorted(files):
        _write_file(staging / name, files[name])
    for name in officer:
        _link(out / name, staging / name)
    for name, kept in keep_as.items():
        _link(out / name, staging / kept)
    _write_file(staging / MANIFEST, manifest(files, generator))
    _write_file(staging / SWITCH, staging.name.encode("utf-8"))
    os.chmod(staging, mode)
    _sync(staging)


def _write_file(path: Path, content: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o644)


def _file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return "sha256:" + hashlib.file_digest(stream, "sha256").hexdigest()


def _link(source: Path, target: Path) -> None:
    """``target`` as the same entry as ``source``: files hard-linked, folders rebuilt, links copied."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        os.mkdir(target)
        for child in sorted(source.iterdir()):
            _link(child, target / child.name)
        shutil.copystat(source, target)
    else:
        try:
            os.link(source, target)
        except OSError:  # a file system without hard links: a copy, content and times kept
            shutil.copy2(source, target)


def _merge_back(old: Path, new: Path, *, newer_in_old: bool | None, skip: frozenset[str] | None = None) -> None:
    """Move into ``new`` what the officer has in ``old`` that ``new`` lacks (recursively).

    ``skip`` are procdata's names at the top (its files in ``old``). An entry in
    both that is not the same file was replaced by the officer while publish
    ran: with ``newer_in_old`` the one in ``old`` wins; with ``None`` (a
    leftover of a killed publish, which side is newer is unknown) both are
    kept, the one from ``old`` under another name.
    """
    if skip is None:
        skip = frozenset(read_manifest(old) or {}) | set(BOOKKEEPING)
    for entry in sorted(old.iterdir()):
        if entry.name in skip:
            continue
        there = new / entry.name
        if not there.exists() and not there.is_symlink():
            os.rename(entry, there)
        elif entry.is_dir() and not entry.is_symlink() and there.is_dir() and not there.is_symlink():
            _merge_back(entry, there, newer_in_old=newer_in_old, skip=frozenset())
        elif not _same(entry, there):
            if newer_in_old:
                os.replace(entry, there)
            elif newer_in_old is None:
                taken = {p.name for p in new.iterdir()}
                os.rename(entry, new / _free_name(entry.name, taken, "recovered"))


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b) or (a.is_file() and b.is_file() and _file_digest(a) == _file_digest(b))
    except OSError:
        return False


def _retire(old: Path, out: Path) -> None:
    """The old version, switched out to ``old``: the officer's newer entries moved into ``out``; the rest
    kept as the previous version (the one before it removed)."""
    _merge_back(old, out, newer_in_old=True)
    previous = out.parent / f".{out.name}{PREVIOUS}"
    if previous.is_dir() and not previous.is_symlink():
        shutil.rmtree(previous)
    os.replace(old, previous)


def clear_debris(out: Path) -> None:
    """Clear what a publish killed midway left beside ``out``.

    A leftover that ``out`` names in its switch file is the old version,
    switched out: the officer's entries there are moved back first. Any other
    is a new version never switched in, holding procdata's files and links of
    the officer's: it is removed.
    """
    try:
        switched_from = (out / SWITCH).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        switched_from = ""
    for debris in sorted(out.parent.glob(f".{out.name}{DEBRIS}*{NEW_SUFFIX}")):
        if not debris.is_dir() or debris.is_symlink():
            continue
        if debris.name == switched_from and out.is_dir():
            _retire(debris, out)
        else:
            shutil.rmtree(debris)
    (out / SWITCH).unlink(missing_ok=True)


def _replace_in_place(out: Path, staging: Path, files: dict[str, bytes], generator: str,
                      ours: dict[str, str], keep_as: dict[str, str]) -> None:
    """The fallback without an atomic exchange: each file replaced by a rename, the manifest first and last.

    The manifest first names old and new files together, so that a publish
    killed midway leaves every file it touched known as procdata's.
    """
    both = {**dict.fromkeys(ours, ""), **{name: digest(content) for name, content in files.items()}}
    _write_file(staging / (MANIFEST + ".both"), json.dumps({"generator": generator, "files": both}).encode("utf-8"))
    os.replace(staging / (MANIFEST + ".both"), out / MANIFEST)
    for name, kept in keep_as.items():
        os.replace(out / name, out / kept)
    for name in sorted(files):
        os.replace(staging / name, out / name)
    for name in sorted(set(ours) - set(files) - set(keep_as)):
        (out / name).unlink(missing_ok=True)
    os.replace(staging / MANIFEST, out / MANIFEST)


def _free_name(name: str, taken: set[str], word: str = "edited") -> str:
    """``index.html`` -> ``index.edited.html`` (or ``index.edited-2.html`` ...), a name not in ``taken``."""
    stem, dot, suffix = name.rpartition(".")
    stem, suffix = (stem, "." + suffix) if dot and stem else (name, "")
    number = 1
    while True:
        candidate = f"{stem}.{word}{'' if number == 1 else f'-{number}'}{suffix}"
        if candidate not in taken:
            return candidate
        number += 1


def _sync(folder: Path) -> None:
    """Flush a folder's entries to disk (where the system allows opening a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the lock of the folder holding ``out``: one publish there at a time; a second is refused."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on folders
        yield
        return
    handle = os.open(out.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError("publish_busy", out=str(out)) from None
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step; ``False`` where the system cannot."""
    names = (os.fsencode(a), os.fsencode(b))
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        at_fdcwd, rename_exchange = -100, 2
        if renameat2 is None:
            return False
        done = renameat2(at_fdcwd, names[0], at_fdcwd, names[1], rename_exchange)
    elif sys.platform == "darwin":
        libc = ctypes.CDLL(None, use_errno=True)
        renamex_np = getattr(libc, "renamex_np", None)
        if renamex_np is None:
            return False
        done = renamex_np(names[0], names[1], 0x2)  # RENAME_SWAP
    else:
        return False
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(a))
