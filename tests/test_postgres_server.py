"""The throwaway PostgreSQL server the tests start (tests/postgres_server.py) and its fixtures:
the right version, one empty database per test that is gone afterwards, nothing left running and
no folder left behind after a stop, a Ctrl-C or a killed test process."""

from __future__ import annotations

import json
import os
import pwd
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import postgres_bindir_or_skip
from tests.postgres_server import (
    PostgresServer,
    database_url,
    find_binaries,
    fresh_database,
    missing_binaries_message,
    postgres_required,
)

ROOT = Path(__file__).resolve().parent.parent
USER_TABLES = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
USER_TABLES += " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
# A test process that starts a server, says where it is, then waits to be interrupted or killed.
HOLDER = """
import json, sys, time
from pathlib import Path
from tests.postgres_server import PostgresServer
with PostgresServer(Path(sys.argv[1])) as server:
    print(json.dumps({"base": str(server.base), "pid": server.pid}), flush=True)
    time.sleep(120)
"""


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (the server's backends, checkpointer, …)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def no_trace_left(base: Path, pids: set[int], timeout: float = 0.0) -> bool:
    """Whether the folder is gone and none of ``pids`` exists, not even as a zombie."""
    deadline = time.monotonic() + timeout
    while True:
        if not base.exists() and not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def databases(maintenance_url: str) -> set[str]:
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_the_server_is_postgresql_15(postgres_server: str) -> None:
    with psycopg.connect(postgres_server) as conn:
        version = conn.execute("SELECT version()").fetchone()
        number = conn.execute("SHOW server_version_num").fetchone()
    assert version is not None and version[0].startswith("PostgreSQL 15."), version
    assert number is not None and int(number[0]) // 10000 == 15


def test_two_databases_are_distinct_and_empty(postgres_server: str, postgres_url: str) -> None:
    with fresh_database(postgres_server) as other_url:
        assert other_url != postgres_url
        with psycopg.connect(postgres_url, autocommit=True) as one, psycopg.connect(other_url) as two:
            names = [c.execute("SELECT current_database()").fetchone() for c in (one, two)]
            assert names[0] != names[1]
            assert all(n is not None and n[0].startswith("factdesk_test_") for n in names)
            assert [c.execute(USER_TABLES).fetchone() for c in (one, two)] == [(0,), (0,)]
            one.execute("CREATE TABLE facts (id int)")
            assert one.execute(USER_TABLES).fetchone() == (1,)
            assert two.execute(USER_TABLES).fetchone() == (0,), "a table of one database is in the other"


def test_a_database_is_gone_after_use_even_with_a_connection_left_open(postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        name = url.rpartition("/")[2]
        assert name in databases(postgres_server)
        left_open = psycopg.connect(url, autocommit=True)
        left_open.execute("CREATE TABLE facts (id int)")
    assert name not in databases(postgres_server)
    with pytest.raises(psycopg.OperationalError):
        left_open.execute("SELECT 1")
    left_open.close()


def test_stopping_leaves_no_process_and_no_folder(postgres_bindir: Path) -> None:
    with PostgresServer(postgres_bindir) as server:
        base, pid = server.base, server.pid
        assert base is not None and pid is not None
        assert stat.S_ISSOCK((base / f".s.PGSQL.{server.port}").stat().st_mode)
        over_socket = psycopg.connect(host=str(base), port=server.port, user="postgres", dbname="postgres")
        with over_socket, psycopg.connect(server.url) as conn:
            shown = {
                name: conn.execute(f"SHOW {name}").fetchone()
                for name in ("listen_addresses", "fsync", "synchronous_commit", "full_page_writes")
            }
            assert shown == {
                "listen_addresses": ("127.0.0.1",),
                "fsync": ("off",),
                "synchronous_commit": ("off",),
                "full_page_writes": ("off",),
            }
            assert conn.execute("SHOW max_connections").fetchone() == ("200",)
            assert over_socket.execute("SELECT 1").fetchone() == (1,)
            processes = {pid} | children_of(pid)
            assert len(processes) > 3, "the server's checkpointer, writer, … are its children"
            if os.geteuid() == 0:  # PostgreSQL refuses root: it runs as nobody
                owner = (Path(f"/proc/{pid}/status").read_text().split("\nUid:")[1]).split()[0]
                assert int(owner) == pwd.getpwnam("nobody").pw_uid
    assert no_trace_left(base, processes), "a postgres process or the folder is left"
    assert server.timings["initdb"] > 0 and server.timings["start"] > 0 and server.timings["stop"] > 0
    server.stop()  # a second stop is harmless


def test_an_interrupt_inside_stops_it(postgres_bindir: Path) -> None:
    with pytest.raises(KeyboardInterrupt), PostgresServer(postgres_bindir) as server:
        base, pid = server.base, server.pid
        assert base is not None and pid is not None
        raise KeyboardInterrupt
    assert no_trace_left(base, {pid})


def _holder(bindir: Path) -> tuple[subprocess.Popen[str], Path, int]:
    """A test process of its own (in a session of its own, as a terminal's job) holding a server."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(bindir)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    told = json.loads(proc.stdout.readline())
    return proc, Path(told["base"]), int(told["pid"])


def test_ctrl_c_at_the_terminal_stops_it(postgres_bindir: Path) -> None:
    proc, base, pid = _holder(postgres_bindir)
    try:
        assert base.exists() and Path(f"/proc/{pid}").exists()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends its foreground job
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert no_trace_left(base, {pid}), "Ctrl-C left the server or its folder"


def test_a_killed_test_process_leaves_nothing_behind(postgres_bindir: Path) -> None:
    """pytest-timeout's os._exit or a SIGKILL skips every finally: the supervisor cleans up."""
    proc, base, pid = _holder(postgres_bindir)
    proc.kill()
    proc.wait()
    assert no_trace_left(base, {pid}, timeout=30), "the server outlived its test process"


def _fake_bindir(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("initdb", "pg_ctl", "postgres"):
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    return folder


def test_binaries_are_found_by_pg_config_then_highest_version_then_path(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for version in ("9.6", "13", "15"):
        _fake_bindir(lib / version / "bin")
    (lib / "16" / "bin").mkdir(parents=True)  # a client-only install: no server binaries
    on_path = _fake_bindir(tmp_path / "opt" / "bin")
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    config = config_dir / "pg_config"
    config.write_text(f"#!/bin/sh\necho {on_path}\n")
    config.chmod(0o755)
    none = tmp_path / "nothing"

    assert find_binaries(lib_root=lib, path=str(config_dir)) == on_path
    assert find_binaries(lib_root=lib, path=str(none)) == lib / "15" / "bin"
    assert find_binaries(lib_root=none, path=f"{none}:{on_path}") == on_path
    assert find_binaries(lib_root=none, path=str(none)) is None


def test_database_url_replaces_only_the_database() -> None:
    url = "postgresql://postgres@127.0.0.1:5433/postgres?sslmode=disable"
    assert database_url(url, "factdesk_test_ab") == url.replace("/postgres?", "/factdesk_test_ab?")
    with pytest.raises(ValueError):
        database_url("host=localhost dbname=postgres", "x")


def test_missing_postgres_fails_in_ci_and_is_skipped_elsewhere() -> None:
    assert postgres_required({"CI": "true"}) and postgres_required({"CI": "1"})
    assert postgres_required({"FACTDESK_REQUIRE_POSTGRES": "1"})
    assert not postgres_required({}) and not postgres_required({"CI": "false"})
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql-15"):
        postgres_bindir_or_skip(lambda: None, {"CI": "true"})
    with pytest.raises(pytest.fail.Exception, match="FACTDESK_REQUIRE_POSTGRES"):
        postgres_bindir_or_skip(lambda: None, {"FACTDESK_REQUIRE_POSTGRES": "1"})
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql-15"):
        postgres_bindir_or_skip(lambda: None, {})
    assert "apt-get install postgresql-15" in missing_binaries_message({})


def test_ci_installs_postgres_when_missing_and_requires_it() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[-1] == "pip install -e '.[test]' && pytest", "the README's test command is the last step"
    before = "\n".join(lines[:-1])
    assert "tests/postgres_server.py --which" in before and "apt-get install" in before
    assert "postgresql-15" in before and "export FACTDESK_REQUIRE_POSTGRES=1" in before
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0


def test_the_which_command_names_the_binaries(postgres_bindir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-I", str(ROOT / "tests" / "postgres_server.py"), "--which"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()) == postgres_bindir
