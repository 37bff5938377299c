"""Process settings the column-wise work needs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PR_GET_THP_DISABLE = 42


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="transparent huge pages are a Linux setting")
def test_the_cli_runs_without_transparent_huge_pages() -> None:
    """procdata's entry point turns huge pages off for its own process (benchmarks/README.md says why)."""
    probe = (
        "import ctypes, sys; from procdata.cli import main; sys.argv = ['procdata', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(ctypes.CDLL(None).prctl({PR_GET_THP_DISABLE}, 0, 0, 0, 0))"
    )
    before = subprocess.run([sys.executable, "-c", f"import ctypes; print(ctypes.CDLL(None).prctl({PR_GET_THP_DISABLE}, 0, 0, 0, 0))"],
                            capture_output=True, text=True, check=True)
    after = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert before.stdout.strip() == "0"
    assert after.stdout.strip().splitlines()[-1] == "1"


def test_the_cli_keeps_blas_to_one_thread_unless_told_otherwise() -> None:
    probe = (
        "import os, sys; from procdata.cli import main; sys.argv = ['procdata', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert run.stdout.strip().splitlines()[-1] == "1"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={**env, "OPENBLAS_NUM_THREADS": "4"})
    assert run.stdout.strip().splitlines()[-1] == "4"


def test_the_cli_leaves_its_objects_to_the_system_at_exit() -> None:
    """Python's last garbage collections are spared (benchmarks/README.md): by the time the exit
    handlers registered before the command's have run, every object is frozen."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from procdata.cli import main; sys.argv = ['procdata', '--version']\n"
        "print('frozen before', gc.get_freeze_count() > 0)\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[0] == "frozen before False"
    assert lines[-1] == "frozen True"
