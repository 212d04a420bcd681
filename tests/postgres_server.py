"""A throwaway PostgreSQL cluster for the tests: ``initdb`` in a temporary folder, a server that
listens on 127.0.0.1 (a free port) and on a unix socket in that folder, then ``pg_ctl -m fast
stop`` and the folder removed, also on Ctrl-C.

PostgreSQL refuses to run as root, so under root (CI) the cluster runs as an unprivileged user
(``nobody``) and the folder is chowned to it.

A supervisor process (this file, ``--supervise``) starts and stops the cluster: it stops it and
removes the folder when the test process closes the pipe to it, which also happens when the
test process dies without cleaning up (pytest-timeout's ``os._exit``, SIGTERM, SIGKILL). It is
the server's subreaper, so no ``<defunct>`` postgres is left behind whatever the machine's init.

Only the standard library is imported at the top (psycopg inside :func:`fresh_database`): the
supervisor runs this file, and so does ``.ci/run`` (``python3 tests/postgres_server.py --which``,
before anything is installed) to learn whether PostgreSQL must be installed: it prints the
folder of the binaries, or exits 1.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

REQUIRED = ("initdb", "pg_ctl", "postgres")
INSTALL_HINT = "apt-get install postgresql-15 (Debian, Ubuntu), or put PostgreSQL 15's bin folder on PATH"
# Speed over durability: a test cluster is thrown away, and a crash loses nothing worth keeping.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
_TRUE = {"1", "true", "yes", "on"}
Ids = tuple[int, int]


def _is_file(path: Path) -> bool:
    """Like ``Path.is_file``, but False for a folder we may not look into (root's, on PATH)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _has_binaries(folder: Path) -> bool:
    return all(_is_file(folder / name) and os.access(folder / name, os.X_OK) for name in REQUIRED)


def _version_key(bindir: Path) -> tuple[int, ...]:
    """``/usr/lib/postgresql/15/bin`` sorts by (15,): 15 comes before 9.6, unlike the strings."""
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def find_binaries(
    *, pg_config: str = "pg_config", lib_root: Path = Path("/usr/lib/postgresql"), path: str | None = None
) -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``: ``pg_config --bindir``, else the
    highest version under ``/usr/lib/postgresql/*/bin``, else ``PATH``; None when there is none.

    A folder is taken only with all three in it: Debian's ``pg_config`` (from libpq-dev) names
    a bindir even when no server is installed."""
    search = os.environ.get("PATH", os.defpath) if path is None else path
    candidates: list[Path] = []
    config = shutil.which(pg_config, path=search)
    if config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [config, "--bindir"], capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL
            )
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
    with contextlib.suppress(OSError):
        candidates += sorted(lib_root.glob("*/bin"), key=_version_key, reverse=True)
    for entry in search.split(os.pathsep):
        initdb = Path(entry) / "initdb" if entry else None
        if initdb is not None and _is_file(initdb):
            # /usr/local/bin may hold links to initdb and pg_ctl only: the real folder has all three.
            candidates += [Path(entry), initdb.resolve().parent]
    return next((c for c in candidates if _has_binaries(c)), None)


def postgres_required(env: Mapping[str, str]) -> bool:
    """In CI (``CI`` true) or with ``FACTDESK_REQUIRE_POSTGRES=1`` a missing PostgreSQL fails the
    tests that need it: a skipped case must never pass for done."""
    in_ci = env.get("CI", "").strip().lower() in _TRUE
    return in_ci or env.get("FACTDESK_REQUIRE_POSTGRES", "").strip() == "1"


def missing_binaries_message(env: Mapping[str, str]) -> str:
    why = "required here (CI or FACTDESK_REQUIRE_POSTGRES=1)" if postgres_required(env) else "skipped"
    return (
        f"PostgreSQL server binaries ({', '.join(REQUIRED)}) not found via pg_config --bindir, "
        f"/usr/lib/postgresql/*/bin or PATH; tests that need a server are {why}. "
        f"Install them: {INSTALL_HINT}; or set FACTDESK_TEST_POSTGRES to a server's url."
    )


def database_url(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name`` (user, host, port and query kept)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a postgresql:// url: {url!r}")
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database(maintenance_url: str, prefix: str = "factdesk_test_") -> Iterator[str]:
    """A new, empty database on the server of ``maintenance_url``, as a url; afterwards it is
    dropped ``WITH (FORCE)``, so a connection the test left open does not keep it."""
    import psycopg
    from psycopg import sql

    name = f"{prefix}{secrets.token_hex(6)}"
    with psycopg.connect(maintenance_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(maintenance_url, name)
    finally:
        with psycopg.connect(maintenance_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _unprivileged_ids(run_as: str) -> Ids | None:
    """The (uid, gid) to run PostgreSQL as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(run_as)
    return entry.pw_uid, entry.pw_gid


def _parent_folder(ids: Ids | None) -> str:
    """Where the cluster's folder goes: the temporary folder, unless the user it runs as could not
    reach it (root's own TMPDIR) or its path is so long that a unix socket in it would not fit
    (sun_path holds 107 bytes)."""
    parent = Path(tempfile.gettempdir())
    reachable = ids is None or all(p.stat().st_mode & 0o001 for p in (parent, *parent.parents))
    return str(parent) if reachable and len(str(parent)) <= 64 else "/tmp"


def _child_env() -> dict[str, str]:
    """Our environment without the PG* variables (PGDATA, PGPORT, PGOPTIONS… would steer pg_ctl)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    return env


def _run(
    args: Sequence[str | Path], *, ids: Ids | None, cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program as ``ids`` (when root) in a session of its own, so that a Ctrl-C at
    the terminal reaches pytest (which then stops the cluster) and not the server."""
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=_child_env(),
        start_new_session=True,
        user=ids[0] if ids else None,
        group=ids[1] if ids else None,
        extra_groups=[] if ids else None,
    )


def postmaster_pid(data: Path) -> int | None:
    """The server's pid from ``postmaster.pid``; None when it is not running (no file)."""
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie does not (an init that does not reap leaves them behind)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def stop_cluster(bindir: Path, data: Path, ids: Ids | None) -> None:
    """``pg_ctl -m fast stop``; should it fail, ``-m immediate``, then SIGKILL to the server's
    process group (pg_ctl starts the server with setsid: its backends share its group)."""
    pid = postmaster_pid(data)
    if pid is None:
        return
    for mode in ("fast", "immediate"):
        with contextlib.suppress(subprocess.TimeoutExpired):
            _run(
                [bindir / "pg_ctl", "-D", data, "-m", mode, "-w", "-t", str(int(STOP_TIMEOUT)), "stop"],
                ids=ids,
                cwd=data.parent,
                timeout=STOP_TIMEOUT + 10,
            )
        if not process_alive(pid):
            return
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _initdb(bindir: Path, base: Path, ids: Ids | None, timeout: float) -> None:
    data = base / "data"
    args = [bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres"]
    args += ["--no-sync", "-E", "UTF8", "--locale=C"]
    done = _run(args, ids=ids, cwd=base, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    settings = {**SETTINGS, "unix_socket_directories": f"'{base}'"}
    with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:  # appended: stays the user's file
        conf.write("\n# factdesk tests\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))


def _start_server(bindir: Path, base: Path, ids: Ids | None, timeout: float) -> int:
    """``pg_ctl -w start`` on a free port, waiting at most ``timeout`` seconds; the port. Another
    port is tried when the one picked was taken in between."""
    data, log = base / "data", base / "server.log"
    for attempt in range(3):
        port = _free_port()
        args = [bindir / "pg_ctl", "-D", data, "-l", log, "-o", f"-p {port}"]
        args += ["-w", "-t", str(int(timeout)), "start"]
        done = _run(args, ids=ids, cwd=base, timeout=timeout + 10)
        if done.returncode == 0:
            return port
        text = log.read_text(errors="replace") if log.exists() else ""
        if "could not bind" in text and attempt < 2:
            stop_cluster(bindir, data, ids)
            continue
        tail = "\n".join(text.splitlines()[-20:])
        raise RuntimeError(f"pg_ctl start failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{tail}")
    raise AssertionError("unreachable")


def _become_subreaper() -> None:
    """Orphans below this process (the server, once pg_ctl exits) become its children, so it reaps
    them: an init that reaps late or never would leave ``<defunct>`` postgres entries behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER (Linux)


def _reap_children(pgid: int | None, timeout: float = 10.0) -> None:
    """Wait for every child to exit (the server exits just after it removes postmaster.pid);
    SIGKILL to the server's group when they take longer than ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if time.monotonic() > deadline and pgid is not None:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)
            pgid = None
        time.sleep(0.01)


def _supervise(base: Path, bindir: Path, ids: Ids | None, timeout: float) -> None:
    """The supervisor, a process of its own (``--supervise``): initdb, start, one JSON line on
    stdout (port, pid and timings, or the error), then wait for the test process to close stdin
    or die, then stop the server, reap it and remove ``base``."""
    _become_subreaper()
    report: dict[str, object] = {}
    try:
        began = time.monotonic()
        _initdb(bindir, base, ids, timeout)
        started = time.monotonic()
        report["port"] = _start_server(bindir, base, ids, timeout)
        report.update(initdb=started - began, start=time.monotonic() - started)
        report["pid"] = postmaster_pid(base / "data")
    except Exception as error:
        report = {"error": str(error)}
    with contextlib.suppress(OSError):  # the test process may be gone already
        print(json.dumps(report), flush=True)
        sys.stdin.buffer.read()
    pid = postmaster_pid(base / "data")
    stop_cluster(bindir, base / "data", ids)
    _reap_children(pid)
    shutil.rmtree(base, ignore_errors=True)


class PostgresServer:
    """One throwaway cluster; ``with PostgresServer(bindir) as server:`` starts it and always stops
    it (on an exception or Ctrl-C too). ``timings`` holds the seconds that initdb, the start and
    the stop took."""

    def __init__(self, bindir: Path, *, run_as: str = "nobody") -> None:
        self.bindir = bindir
        self.ids = _unprivileged_ids(run_as)
        self.base: Path | None = None
        self.port = 0
        self.pid: int | None = None
        self.timings: dict[str, float] = {}
        self._supervisor: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        if self.base is None:
            raise RuntimeError("the server is not started")
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.data.parent

    @property
    def url(self) -> str:
        """The maintenance database, over TCP."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the cluster; return once it accepts connections, raise if it does not."""
        if self._supervisor is not None:
            raise RuntimeError("the server is already started")
        began = time.monotonic()
        self.base = Path(tempfile.mkdtemp(prefix="factdesk-pg-", dir=_parent_folder(self.ids)))
        try:
            if self.ids:
                os.chown(self.base, *self.ids)
            uid, gid = self.ids if self.ids else (-1, -1)
            script = str(Path(__file__).resolve())
            args = [str(self.base), str(self.bindir), str(uid), str(gid), str(timeout)]
            self._supervisor = subprocess.Popen(
                [sys.executable, "-I", script, "--supervise", *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd="/",
                start_new_session=True,  # a Ctrl-C at the terminal reaches pytest only
            )
            assert self._supervisor.stdout is not None and self._supervisor.stderr is not None
            line = self._supervisor.stdout.readline()
            if not line:
                error = self._supervisor.stderr.read().decode(errors="replace")
                raise RuntimeError(f"the server's supervisor died:\n{error}")
            report = json.loads(line)
            if "error" in report:
                raise RuntimeError(report["error"])
            self.port, self.pid = int(report["port"]), int(report["pid"])
            self.timings.update(initdb=report["initdb"], start=report["start"])
            self.timings["total"] = time.monotonic() - began
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server and remove its folder; nothing to do when it is not started."""
        supervisor, self._supervisor = self._supervisor, None
        base, self.base = self.base, None
        if supervisor is None and base is None:
            return
        began = time.monotonic()
        try:
            if supervisor is not None:
                assert supervisor.stdin is not None
                supervisor.stdin.close()
                try:
                    supervisor.wait(2 * STOP_TIMEOUT + 30)
                except subprocess.TimeoutExpired:
                    supervisor.kill()
                    supervisor.wait()
        finally:
            if base is not None and base.exists():  # the supervisor did not get that far
                stop_cluster(self.bindir, base / "data", self.ids)
                shutil.rmtree(base, ignore_errors=True)
            if supervisor is not None:
                for stream in (supervisor.stdout, supervisor.stderr):
                    if stream is not None:
                        stream.close()
        self.timings["stop"] = time.monotonic() - began


def main(argv: Sequence[str]) -> int:
    if len(argv) == 7 and argv[1] == "--supervise":
        uid, gid = int(argv[4]), int(argv[5])
        _supervise(Path(argv[2]), Path(argv[3]), (uid, gid) if uid >= 0 else None, float(argv[6]))
        return 0
    if len(argv) == 2 and argv[1] == "--which":
        found = find_binaries()
        if found is None:
            print(missing_binaries_message(os.environ), file=sys.stderr)
            return 1
        print(found)
        return 0
    print(f"usage: {argv[0]} --which", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
