"""The command line's manners and the library's shape: --version, options before or after the command,
procdata.ingest/validate/publish/status exported and typed, and the README's Python example run as written."""

from __future__ import annotations

import doctest
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import procdata
from conftest import REPO, SAMPLES
from procdata.cli import app
from procdata.errors import ProcdataError

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"procdata {procdata.__version__}\n")


@pytest.mark.parametrize("command", [["validate", "nothing.csv"], ["status", "nothing.csv", "--config", str(SAMPLES / "procdata.toml")]])
def test_global_options_before_or_after_the_command(command: list[str]) -> None:
    before = runner.invoke(app, ["--lang", "en", *command])
    after = runner.invoke(app, [*command, "--lang", "en"])
    thai = runner.invoke(app, command)
    assert before.exit_code == after.exit_code == thai.exit_code == 2
    assert before.stderr == after.stderr == "nothing.csv: file not found; check the name and folder\n"
    assert thai.stderr != before.stderr  # Thai unless asked
    assert runner.invoke(app, ["--lang", "en", "--lang", "th", *command]).stderr == thai.stderr


def test_debug_before_or_after_the_command_shows_the_traceback() -> None:
    wrong = ["ingest", "a.csv", "--out", "a.txt"]  # an output procdata cannot write: an error before reading
    for args in (["--debug", *wrong], [*wrong, "--debug"]):
        result = runner.invoke(app, args)
        assert isinstance(result.exception, ProcdataError), args
    plain = runner.invoke(app, wrong)
    assert (plain.exit_code, plain.stderr) == (2, "a.txt: ระบุแฟ้มผลลัพธ์ลงท้ายด้วย .csv .json หรือ .parquet\n")


def test_a_language_procdata_does_not_speak_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--lang", "fr", "validate", "x.csv"])
    assert result.exit_code == 2 and "th | en" in result.output


def test_the_stages_are_functions_of_the_package_typed_and_documented() -> None:
    import procdata.publish.run  # importing the stage's modules keeps procdata.publish the function

    for name in ("ingest", "validate", "publish", "status"):
        function = getattr(procdata, name)
        assert callable(function) and inspect.isfunction(function), name
        assert name in procdata.__all__ and len(function.__doc__ or "") > 100, name
        hints = inspect.get_annotations(function)
        assert "return" in hints and all(p in hints for p in inspect.signature(function).parameters), name
    for name in ("validate", "publish", "status"):
        assert "config" in inspect.signature(getattr(procdata, name)).parameters
    from procdata import publish, validate

    assert publish is procdata.publish and validate is procdata.validate
    assert (Path(procdata.__file__).parent / "py.typed").is_file()


def test_importing_the_command_line_loads_no_heavy_module() -> None:
    code = "import sys, procdata.cli; print(sorted(m for m in ('pandas', 'pyarrow', 'openpyxl') if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert shown.stdout == "[]\n"


def test_the_readme_python_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("<!-- python-example -->", 1)[1].split("```pycon\n", 1)[1].split("```", 1)[0]
    shutil.copytree(SAMPLES, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(example, {}, "README", "README.md", 0)
    runner_ = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner_.run(test)
    assert runner_.summarize(verbose=False).failed == 0
    assert (tmp_path / "site" / "index.html").is_file()
    assert len(test.examples) >= 10


def test_a_reader_that_stops_reading_ends_the_run_quietly(tmp_path: Path) -> None:
    """`procdata validate … --format json | head` was an "internal error" (BrokenPipeError), exit 3."""
    big = tmp_path / "many.csv"
    rows = (SAMPLES / "canonical-sample.csv").read_text(encoding="utf-8").splitlines()
    big.write_text("\n".join([rows[0], *rows[1:] * 400]) + "\n", encoding="utf-8")  # a report far beyond a pipe's buffer
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    run = subprocess.Popen([sys.executable, "-m", "procdata", "validate", str(big), "--format", "json", "--all"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert run.stdout is not None and run.stderr is not None
    assert run.stdout.read(10) == b'{\n  "valid'
    run.stdout.close()  # as `head` does once it has its lines
    errors = run.stderr.read().decode()
    assert run.wait(timeout=120) == 141 and errors == "", errors


def test_a_runs_limit_ends_with_the_run(tmp_path: Path) -> None:
    from procdata.read.limits import current

    default = current().fields
    result = CliRunner().invoke(app, ["validate", str(SAMPLES / "o12-2568.csv"), "--limit", "fields=5000"])
    assert result.exit_code == 0, result.output
    assert current().fields == default  # the library's next call is not bound by the last command's options
