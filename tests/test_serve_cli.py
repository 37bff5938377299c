"""``procdata serve`` from the command line: its first line, its socket, its refusals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from procdata.web.server import is_loopback, url_of
from test_serve_browser import free_port, listening


def start(folder: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "procdata", "serve", "--no-browser", *options], cwd=folder,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=20)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.go.th", False),
])
def test_loopback_is_told_apart(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_urls() -> None:
    assert url_of("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert url_of("::1", 80) == "http://[::1]:80/"
    assert url_of("0.0.0.0", 9000) == "http://127.0.0.1:9000/"


def test_port_0_takes_a_free_port_and_prints_it_first(tmp_path: Path) -> None:
    process = start(tmp_path, "--port", "0")
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    port = int(first.rsplit(":", 1)[1].rstrip("/"))
    try:
        assert first == f"http://127.0.0.1:{port}/" and port > 0
        assert listening(port) == ["127.0.0.1"]
    finally:
        _, err = stop(process)
    assert "procdata เปิดอยู่สำหรับโฟลเดอร์" in err and "Traceback" not in err
    assert not (tmp_path / "procdata.toml").exists()  # nothing written until the officer saves the profile


def test_a_busy_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "procdata", "serve", "--port", str(port), "--no-browser"],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"เปิดพอร์ต {port} ที่ 127.0.0.1 ไม่ได้" in result.stderr
    assert "--port 0" in result.stderr and "Traceback" not in result.stderr


def test_another_host_only_when_asked_and_with_a_warning(tmp_path: Path) -> None:
    port = free_port()
    process = start(tmp_path, "--port", str(port), "--host", "0.0.0.0", "--lang", "en")
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    try:
        assert first == f"http://127.0.0.1:{port}/"
        assert listening(port) == ["0.0.0.0"]
    finally:
        _, err = stop(process)
    assert "warning: listening on 0.0.0.0: other machines on the network can reach" in err
