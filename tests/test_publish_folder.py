"""The site folder: the officer's files kept, procdata's replaced as one set, whatever happens.

A publish is killed (SIGKILL, nothing runs after it) at every step of the
switch, one run per step: each time the folder holds the old complete set or
the new complete set, the officer's files are untouched, and the next publish
leaves the new set and nothing else behind. Readers polling the folder while
publishes run never see it missing or mixed; two publishes at once never mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from procdata.errors import OutputError
from procdata.publish.folder import MANIFEST, SWITCH, write_site

SRC = Path(__file__).resolve().parent.parent / "src"
OLD = {"index.html": b"<p>old</p>", "o12.csv": b"old,csv\r\n", "gone.json": b"[]"}
NEW = {"index.html": b"<p>new</p>", "o12.csv": b"new,csv\r\n", "o13.csv": b"o13\r\n"}
OFFICER = {"signed.pdf": b"%PDF-1.4 the signed report", "pdf/2568-01.pdf": b"%PDF january", "notes/readme.txt": b"mine"}

# Runs write_site in a child process; with KILL_AT=n it kills itself at the n-th line executed in
# procdata/publish/folder.py (SIGKILL: no cleanup of any kind runs), else prints how many lines ran.
CHILD = textwrap.dedent("""
    import json, os, signal, sys
    from pathlib import Path
    from procdata.publish import folder
    out, files, kill_at = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
    count = 0
    def trace(frame, event, arg):
        global count
        if frame.f_code.co_filename != folder.__file__:
            return None
        if event == "line":
            count += 1
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        return trace
    sys.settrace(trace)
    folder.write_site(out, {name: text.encode("utf-8") for name, text in files.items()}, "procdata test")
    sys.settrace(None)
    print(count)
""")


def child(out: Path, files: dict[str, bytes], kill_at: int = 0) -> subprocess.CompletedProcess[str]:
    text = json.dumps({name: content.decode("utf-8") for name, content in files.items()})
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-c", CHILD, str(out), text, str(kill_at)], capture_output=True, text=True,
                          env=env, timeout=60)


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def procdata_set(site: dict[str, bytes]) -> dict[str, bytes]:
    return {name: content for name, content in site.items() if name not in OFFICER and name != SWITCH}


def prepare(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_site(out, OLD, "procdata test")
    for name, content in OFFICER.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    return out


def expected(files: dict[str, bytes]) -> dict[str, bytes]:
    from procdata.publish.folder import manifest

    return {**files, MANIFEST: manifest(files, "procdata test")}


def test_a_kill_at_any_step_leaves_the_old_or_the_new_complete_set(tmp_path: Path) -> None:
    steps = int(child(prepare(tmp_path / "count"), NEW).stdout)
    assert steps > 40, steps
    seen = set()
    for kill_at in range(1, steps + 1):
        base = tmp_path / str(kill_at)
        out = prepare(base)
        done = child(out, NEW, kill_at)
        assert done.returncode == -9, (kill_at, done.stderr)
        site = contents(out)
        assert {name: site.get(name) for name in OFFICER} == OFFICER, kill_at  # the officer's files, byte for byte
        ours = procdata_set(site)
        assert ours in (expected(OLD), expected(NEW)), (kill_at, sorted(ours))
        if SWITCH in site:
            assert ours == expected(NEW), kill_at  # the switch file only ever beside the new set
        seen.add("old" if ours == expected(OLD) else "new")
        write_site(out, NEW, "procdata test")  # the next publish
        assert contents(out) == {**expected(NEW), **OFFICER}, kill_at
        assert sorted(p.name for p in base.iterdir()) == [".site.procdata-previous", "site"], kill_at  # no leftovers
    assert seen == {"old", "new"}  # the kills fell on both sides of the switch


def test_readers_never_see_the_folder_missing_or_mixed(tmp_path: Path) -> None:
    out = prepare(tmp_path)
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import hashlib, json, os, sys, time
        out, until = sys.argv[1], time.time() + float(sys.argv[2])
        looks = 0
        while time.time() < until:
            handle = os.open(out, os.O_RDONLY)  # fails if the folder is ever missing
            try:
                def read(name):
                    fd = os.open(name, os.O_RDONLY, dir_fd=handle)
                    with os.fdopen(fd, "rb") as stream:
                        return stream.read()
                listed = json.loads(read(".procdata-manifest.json"))["files"]
                for name, digest in listed.items():
                    assert "sha256:" + hashlib.sha256(read(name)).hexdigest() == digest, name
                assert read("signed.pdf").startswith(b"%PDF")
                looks += 1
            finally:
                os.close(handle)
        print(looks)
    """), str(out), "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    publishes = 0
    deadline = time.time() + 2.5
    while time.time() < deadline:
        write_site(out, NEW if publishes % 2 else OLD, "procdata test")
        publishes += 1
        time.sleep(0.05)  # a reader holds a version until the publish after next removes it
    stdout, stderr = reader.communicate(timeout=30)
    assert reader.returncode == 0, stderr
    assert int(stdout) > 50 and publishes > 10, (stdout, publishes)


def test_a_second_publish_while_one_switches_is_refused(tmp_path: Path) -> None:
    import fcntl

    out = prepare(tmp_path)
    handle = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as a publish switching a folder here holds it
        with pytest.raises(OutputError) as raised:
            write_site(out, NEW, "procdata test")
        assert raised.value.code == "publish_busy"
    finally:
        os.close(handle)
    assert procdata_set(contents(out)) == expected(OLD)
    write_site(out, NEW, "procdata test")
    assert procdata_set(contents(out)) == expected(NEW)


def test_publishes_at_once_never_mix(tmp_path: Path) -> None:
    out = prepare(tmp_path)
    versions = [{**NEW, "index.html": f"<p>{n}</p>".encode()} for n in range(6)]
    runs = [subprocess.Popen([sys.executable, "-c", CHILD, str(out), json.dumps({k: v.decode() for k, v in files.items()}), "0"],
                             env={**os.environ, "PYTHONPATH": str(SRC)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for files in versions]
    results = [(run.wait(timeout=60), run.stderr.read() if run.stderr else "") for run in runs]
    assert all(code == 0 or "publish_busy" in err for code, err in results), results
    assert any(code == 0 for code, _ in results)
    ours = procdata_set(contents(out))
    assert ours in [expected(files) for files in versions]
    assert contents(out).keys() - ours.keys() == set(OFFICER)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.procdata-previous", "site"]


def test_a_symlinked_site_folder_is_switched_behind_its_link(tmp_path: Path) -> None:
    real = prepare(tmp_path / "www")
    link = tmp_path / "site"
    link.symlink_to(real, target_is_directory=True)
    write_site(link, NEW, "procdata test")
    assert link.is_symlink() and procdata_set(contents(link)) == expected(NEW)
    assert {name: (real / name).read_bytes() for name in OFFICER} == OFFICER


def test_the_manifest_names_each_file_with_its_hash(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(out, NEW, "procdata test")
    listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert listed == {"generator": "procdata test",
                      "files": {name: "sha256:" + hashlib.sha256(NEW[name]).hexdigest() for name in sorted(NEW)}}


def test_the_command_killed_at_any_moment_leaves_a_complete_site(repo_cwd: Path, tmp_path: Path) -> None:
    from conftest import SAMPLES

    out = tmp_path / "site"
    args = [sys.executable, "-m", "procdata", "publish", str(SAMPLES / "o12-2568.csv"), str(SAMPLES / "o12-2567.xlsx"),
            "--config", str(SAMPLES / "procdata.toml"), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    subprocess.run([*args, "--as-of", "2025-03-31"], env=env, check=True, capture_output=True, timeout=120)
    (out / "signed.pdf").write_bytes(OFFICER["signed.pdf"])
    old = contents(out)
    started = time.time()
    subprocess.run([*args, "--as-of", "2025-06-30"], env=env, check=True, capture_output=True, timeout=120)
    new, took = contents(out), time.time() - started
    subprocess.run([*args, "--as-of", "2025-03-31"], env=env, check=True, capture_output=True, timeout=120)
    assert contents(out) == old and new != old
    for step in range(8):  # kills spread over the whole run, reading and building included
        run = subprocess.Popen([*args, "--as-of", "2025-06-30" if step % 2 == 0 else "2025-03-31"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(took * (step + 1) / 8)
        run.kill()
        run.wait(timeout=60)
        left = contents(out)
        assert {k: v for k, v in left.items() if k != SWITCH} in (old, new), step  # (a switch file: cleared next run)
        before = left
        finished = subprocess.run([*args, "--as-of", "2025-03-31"], env=env, capture_output=True, timeout=120)
        assert finished.returncode == 0 and contents(out) == old, (step, before.keys())
        assert sorted(p.name for p in tmp_path.iterdir()) in (["site"], [".site.procdata-previous", "site"])
