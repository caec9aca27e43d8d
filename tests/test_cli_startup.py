"""The `citykpi` command starts without the heavy libraries that only some commands need.

Every package's `cli` module is imported to build the command table, so one eager import of
SQLAlchemy, pandas or FastAPI in any of them (or in its package's `__init__`) is paid by every
command, `--help` included: it once made `citykpi --help` take 0.6 s and `citykpi assess FILE` 1.35 s.
The checks look at which modules a fresh interpreter imported (`-X importtime`), not at timings,
so that a loaded machine cannot make them fail or pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue

# Libraries of the database, the web server, the analysts' frames, the reports and the exchange
# formats: none is needed to list or parse commands.
HEAVY = {
    "alembic", "altair", "babel", "dask", "fastapi", "frictionless", "httpx", "jinja2", "jsonschema", "numpy",
    "openpyxl", "pandas", "psycopg", "pyarrow", "scipy", "sqlalchemy", "starlette", "uvicorn", "vl_convert",
    "weasyprint", "yaml",
}  # fmt: skip
# `citykpi assess` reads workbooks (openpyxl, which imports numpy when present) and the YAML
# catalogue; it never needs the database, the server, pandas or the report renderers.
NOT_FOR_ASSESS = HEAVY - {"openpyxl", "numpy", "yaml"}


def imported(*args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Top-level package names a fresh interpreter imported while running `python -X importtime ARGS`."""
    done = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, check=False)
    names = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and not line.endswith("| package")
    }
    return names, done


def run_python(script: str) -> subprocess.CompletedProcess[str]:
    """`script` run by a fresh interpreter, which must succeed."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.parametrize("args", [("-c", "import citykpi.cli"), ("-m", "citykpi.cli", "--help")])
def test_the_command_table_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    names, done = imported(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "citykpi" in names and "typer" in names  # the listing is real: the CLI was imported
    if "--help" in args:
        assert "assess" in done.stdout and "export" in done.stdout  # commands of several packages registered
    assert names & HEAVY == set()


def test_assess_imports_only_what_reading_and_computing_need(tmp_path: Path) -> None:
    catalogue = Catalogue.load()
    source = write_csv(generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2023), tmp_path / "town.csv")
    names, done = imported("-m", "citykpi.cli", "assess", str(source), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "kpis.csv").is_file() and "yaml" in names  # it did load the catalogue
    assert names & NOT_FOR_ASSESS == set()


def test_a_named_command_imports_only_its_own_package() -> None:
    # importlib.import_module bypasses -X importtime, so the modules are listed from sys.modules
    script = (
        "import sys; sys.argv = ['citykpi', 'index', '--help']\n"
        "import citykpi.cli\n"
        "try:\n    citykpi.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('citykpi'))), file=sys.stderr)"
    )
    done = run_python(script)
    assert "sensitivity" in done.stdout  # the index commands are there
    modules = set(done.stderr.split())
    assert "citykpi.index.cli" in modules
    assert not {m for m in modules if m.startswith(("citykpi.assess", "citykpi.store", "citykpi.report"))}


def test_an_uncertainty_run_imports_neither_scipy_stats_nor_altair_nor_salib(tmp_path: Path) -> None:
    """scipy.stats (~0.65 s of CPU) and scipy.optimize would take half the 1.5 s a 10,000-run
    uncertainty command may last; the Sobol' points and the default pipeline need neither. Altair
    (~0.25 s to import, ~0.2 s to build and validate a chart) is not needed to write its charts'
    pages either (`citykpi.index.vegalite`), nor SALib's package (pathos, multiprocess, dill: ~50 ms)
    to read its direction numbers. pandas stays: the pipeline reads the tables with it."""
    config = Path(__file__).resolve().parents[1] / "examples" / "asem-sensitivity.yaml"
    args = ["-m", "citykpi.cli", "index", "sensitivity", str(config), "--type", "ua", "--runs", "64"]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args, "-o", str(tmp_path / "ua"), "--no-static"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert (tmp_path / "ua" / "rank_stats.csv").is_file() and "citykpi.index.sensitivity.sampling" in modules
    assert "vega-lite" in (tmp_path / "ua" / "uncertainty.html").read_text(encoding="utf-8")  # the chart was written
    not_needed = {"scipy.stats", "scipy.optimize", "altair", "vl_convert", "jsonschema", "SALib", "pathos", "dill"}
    assert modules & not_needed == set()


def test_the_command_freezes_the_heap_at_exit() -> None:
    """The interpreter's last collection walks the whole heap for nothing (~55 ms after pandas); a
    hook registered before `main` runs after main's own (atexit is last in, first out)."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count(), file=sys.stderr))\n"
        "sys.argv = ['citykpi', 'kpis', '--help']\n"
        "import citykpi.cli\n"
        "print('frozen before:', gc.get_freeze_count(), file=sys.stderr)\n"
        "citykpi.cli.main()\n"
    )
    done = run_python(script)
    before, at_exit = (int(line.split(":")[1]) for line in done.stderr.splitlines() if line.startswith("frozen"))
    assert before == 0 and at_exit > 10_000  # the whole heap, not a handful of objects


def test_the_direction_numbers_are_salibs_read_without_importing_salib() -> None:
    script = (
        "import gc, sys\n"
        "from citykpi.index.sensitivity.sampling import direction_numbers\n"
        "table = direction_numbers()\n"
        "print(len(table), 'SALib' in sys.modules, gc.isenabled())\n"
        "from SALib.sample.directions import directions\n"
        "print(table == directions, direction_numbers() is table)\n"
    )
    # the collector runs again after the table is read; the table is read once
    assert run_python(script).stdout.split() == ["21200", "False", "True", "True", "True"]
