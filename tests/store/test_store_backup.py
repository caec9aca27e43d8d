"""`citykpi db export` / `db import` round-trip every row, history included, across database kinds."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.demo.cities import CITIES
from citykpi.platform.demo import load_demo
from citykpi.store.backup import dump
from citykpi.store.db import Database
from citykpi.store.scratch import migrated, sqlite_url


def test_export_then_import_into_a_new_sqlite_database_keeps_every_row(
    database: Database, db_url: str, tmp_path: Path
) -> None:
    load_demo(database, CITIES[:1], (2022, 2023))
    before = dump(database)
    assert before["tables"]["audit_log"] and before["tables"]["messages"] and before["tables"]["credentials"] == []
    backup = tmp_path / "backup.json.gz"
    runner = CliRunner()
    exported = runner.invoke(app, ["db", "export", str(backup), "--database", db_url])
    assert exported.exit_code == 0, exported.output

    target_dir = tmp_path / "restored"
    target_dir.mkdir()
    target = sqlite_url(target_dir)
    restored = runner.invoke(app, ["db", "import", str(backup), "--database", target])
    assert restored.exit_code == 0, restored.output
    with migrated(target) as copy:
        assert dump(copy) == before

    again = runner.invoke(app, ["db", "import", str(backup), "--database", target])
    assert again.exit_code == 1 and "not empty" in again.output


def test_import_of_a_file_that_is_not_a_backup_says_so(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps({"hello": 1}))
    result = CliRunner().invoke(app, ["db", "import", str(bogus), "--database", sqlite_url(tmp_path)])
    assert result.exit_code == 1 and "not a citykpi backup" in result.output
