"""Running factdesk for real: deploy files, /healthz and /metrics, logs, doctor, backups."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import yaml

from bot.observability import setup_logging
from bot.runtime.serve import Services
from bot.settings import Settings
from facts.read.article import ArticleInput
from facts.store.sqlite_store import SQLiteStore, open_store
from tests.helpers import settings_for

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def setting_names() -> list[str]:
    return [f"FACTDESK_{name.upper()}" for name in Settings.model_fields]


def test_env_example_and_readme_list_every_setting() -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    # FACTDESK_DB is listed commented out: each deployment sets its own path
    listed = re.findall(r"^(?:# )?(FACTDESK_[A-Z_]+)=", example, re.M)
    assert sorted(listed) == sorted(setting_names())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in setting_names():
        assert f"`{name}`" in readme, name


def test_the_dockerfile_passes_hadolint_or_at_least_parses() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    hadolint = shutil.which("hadolint")
    if hadolint:
        result = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    instructions = [
        ln.split()[0] for ln in dockerfile.splitlines() if ln.strip() and not ln.startswith((" ", "#"))
    ]
    assert instructions[0] == "FROM" and "USER" in instructions and "HEALTHCHECK" in instructions
    assert all(
        i
        in {
            "FROM",
            "ENV",
            "WORKDIR",
            "COPY",
            "RUN",
            "USER",
            "VOLUME",
            "EXPOSE",
            "HEALTHCHECK",
            "ENTRYPOINT",
            "CMD",
        }
        for i in instructions
    ), instructions
    for copied in re.findall(r"^COPY (\S+)", dockerfile, re.M):  # the build context has what it copies
        assert (ROOT / copied).exists(), copied
    assert "USER 10001" in dockerfile and "/healthz" in dockerfile


def test_compose_and_systemd_unit_are_well_formed() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["factdesk"]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile" and service["restart"] == "unless-stopped"
    assert any(v.endswith(":/data") for v in service["volumes"])
    unit = (DEPLOY / "factdesk.service").read_text(encoding="utf-8")
    sections = re.findall(r"^\[(\w+)\]", unit, re.M)
    assert sections == ["Unit", "Service", "Install"]
    for key in ("Restart=on-failure", "NoNewPrivileges=true", "ProtectSystem=strict", "ExecStart=", "User="):
        assert key in unit, key


def env_file(text: str) -> dict[str, str]:
    """The assignments of an environment file (systemd's EnvironmentFile=, compose's env_file)."""
    pairs = (ln.partition("=") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
    return {k.strip(): v.strip().strip('"') for k, _, v in pairs}


def unit_settings(text: str) -> dict[str, list[str]]:
    """Every ``Key=value`` of the unit's [Service] section, in order (keys may repeat)."""
    service = text.partition("[Service]")[2].partition("\n[")[0]
    out: dict[str, list[str]] = {}
    for line in service.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_the_systemd_unit_and_env_example_agree_on_a_store_path_the_unit_can_write() -> None:
    text = (DEPLOY / "factdesk.service").read_text(encoding="utf-8")
    unit = unit_settings(text)
    example = env_file((DEPLOY / ".env.example").read_text(encoding="utf-8"))
    # The install steps copy .env.example to the unit's EnvironmentFile...
    [environment_file] = [f.lstrip("-") for f in unit["EnvironmentFile"]]
    assert f"cp deploy/.env.example {environment_file}" in text
    # ...and what that file sets overrides the unit's Environment= lines (systemd.exec).
    env = dict(kv.partition("=")[::2] for kv in unit.get("Environment", []))
    env.update(example)
    db = Path(env.get("FACTDESK_DB") or "factdesk.db")
    if not db.is_absolute():
        db = Path(unit["WorkingDirectory"][0]) / db
    writable = [Path(p) for v in unit.get("ReadWritePaths", []) for p in v.split()]
    writable += [Path("/var/lib") / d for v in unit.get("StateDirectory", []) for d in v.split()]
    assert "strict" in unit["ProtectSystem"]  # everything else is read-only for the service
    assert any(db.parent == w or w in db.parents for w in writable), (db, writable)
    assert db == Path(unit["Environment"][0].partition("=")[2])  # the unit's own path is the one used


def test_compose_env_file_keeps_the_store_on_the_data_volume() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]["factdesk"]
    assert compose["env_file"] == ".env"  # copied from .env.example (README, Docker)
    image_db = re.search(r"FACTDESK_DB=(\S+)", dockerfile).group(1)  # type: ignore[union-attr]
    db = Path(env_file((DEPLOY / ".env.example").read_text(encoding="utf-8")).get("FACTDESK_DB") or image_db)
    volumes = [Path(v.rpartition(":")[2]) for v in compose["volumes"]]
    assert any(v in db.parents for v in volumes), (db, volumes)


REPLICAS = DEPLOY / "compose.replicas.yaml"
NGINX_CONF = DEPLOY / "nginx" / "factdesk.conf"
COMPOSE_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:[?-])(?P<arg>[^}]*))?\}")
PG_PASSWORD = "0123456789abcdef"  # stands for deploy/.env's FACTDESK_PG_PASSWORD


def compose_interpolate(text: str, env: Mapping[str, str]) -> str:
    """``text`` with compose's ``${NAME}``, ``${NAME:?message}`` and ``${NAME:-default}`` filled
    in from ``env``, as ``docker compose`` fills them in from deploy/.env."""

    def value(m: re.Match[str]) -> str:
        if env.get(m["name"]):
            return env[m["name"]]
        if m["op"] == ":?":
            raise KeyError(f"{m['name']}: {m['arg']}")
        return (m["arg"] or "") if m["op"] == ":-" else ""

    return COMPOSE_VAR.sub(value, text)


def replicas_compose(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    text = REPLICAS.read_text(encoding="utf-8")
    return yaml.safe_load(
        compose_interpolate(text, {"FACTDESK_PG_PASSWORD": PG_PASSWORD} if env is None else env)
    )


def replica_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: s
        for name, s in compose["services"].items()
        if isinstance(s.get("build"), dict) and s["build"].get("dockerfile") == "deploy/Dockerfile"
    }


def nginx_directives(text: str) -> str:
    return "\n".join(line.partition("#")[0] for line in text.splitlines())


def test_the_replicas_compose_file_puts_two_factdesks_on_one_postgres() -> None:
    compose = replicas_compose()
    services = compose["services"]
    postgres = [name for name, s in services.items() if str(s.get("image", "")).startswith("postgres:")]
    assert len(postgres) == 1, postgres
    [pg] = postgres
    db = services[pg]
    assert db["image"] == "postgres:15"
    [data] = [v for v in db["volumes"] if v.endswith(":/var/lib/postgresql/data")]
    assert data.partition(":")[0] in compose["volumes"]  # a named volume: the data outlives the container
    replicas = replica_services(compose)
    assert len(replicas) == 2, list(replicas)
    for name, service in replicas.items():
        assert service["build"]["context"] == ".." and service["restart"] == "unless-stopped", name
        assert service["env_file"] == ".env", name  # tokens from deploy/.env, as in compose.yaml
        url = urlsplit(service["environment"]["FACTDESK_DB"])
        assert url.scheme == "postgresql" and url.hostname == pg and url.port == 5432, (name, url)
        assert url.username == db["environment"]["POSTGRES_USER"], name
        assert url.password == PG_PASSWORD == db["environment"]["POSTGRES_PASSWORD"], name
        assert url.path == "/" + db["environment"]["POSTGRES_DB"], name
        assert service["depends_on"][pg]["condition"] == "service_healthy", name
        assert "ports" not in service, name  # reached through the proxy only
        assert service["environment"]["FACTDESK_HTTP_PORT"] == "3000", name  # what nginx and healthchecks use


def test_exactly_one_replica_holds_the_discord_gateway() -> None:
    replicas = replica_services(replicas_compose())
    # Set on each (`environment:` wins over the env_file), so deploy/.env cannot give two replicas
    # the gateway, or none.
    values = [s["environment"]["FACTDESK_DISCORD_GATEWAY"] for s in replicas.values()]
    held = [Settings(_env_file=None, discord_gateway=v).discord_gateway for v in values]  # type: ignore[call-arg]
    assert sorted(held) == [False, True], values  # read as factdesk reads them


def test_postgres_and_each_replica_have_a_healthcheck_the_image_can_run() -> None:
    compose = replicas_compose()
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    [pg] = [s for s in compose["services"].values() if str(s.get("image", "")).startswith("postgres:")]
    assert pg["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert {"-U", "-d"} <= set(pg["healthcheck"]["test"])
    for name, service in replica_services(compose).items():
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and "http://127.0.0.1:3000/healthz" in " ".join(test), name
        assert test[1] == "python" and "curl" not in dockerfile, name  # python:3.11-slim has no curl
        assert compile(test[test.index("-c") + 1], name, "exec")  # the one-liner is Python
        assert all(k in service["healthcheck"] for k in ("interval", "timeout", "retries")), name


def test_nginx_balances_both_replicas_and_never_retries_a_post() -> None:
    compose = replicas_compose()
    replicas = replica_services(compose)
    [proxy] = [s for s in compose["services"].values() if str(s.get("image", "")).startswith("nginx:")]
    [mount] = [v for v in proxy["volumes"] if v.split(":")[1] == "/etc/nginx/conf.d/default.conf"]
    assert (DEPLOY / mount.split(":")[0]).resolve() == NGINX_CONF.resolve() and mount.endswith(":ro")
    assert proxy["ports"] == ["3000:3000"]
    assert set(proxy["depends_on"]) == set(replicas)
    conf = nginx_directives(NGINX_CONF.read_text(encoding="utf-8"))
    assert conf.count("{") == conf.count("}")
    upstream = re.search(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf)
    assert upstream, conf
    servers = re.findall(r"^\s*server\s+([^;]+);", upstream[2], re.M)
    assert sorted(s.split()[0] for s in servers) == sorted(f"{name}:3000" for name in replicas)
    for server in servers:  # passive health: a replica that fails is left alone for a while
        assert "max_fails=" in server and "fail_timeout=" in server, server
    if any("resolve" in s.split()[1:] for s in servers):  # open-source nginx has it since 1.27.3
        version = tuple(int(n) for n in re.findall(r"\d+", proxy["image"].partition(":")[2])[:3])
        assert version >= (1, 27) and re.search(r"^\s*resolver\s", conf, re.M), proxy["image"]
        assert re.search(r"^\s*zone\s", upstream[2], re.M)
    assert re.findall(r"proxy_pass\s+http://(\w+)\s*;", conf) and all(
        u == upstream[1] for u in re.findall(r"proxy_pass\s+http://(\w+)\s*;", conf)
    )
    assert re.search(r"^\s*listen\s+3000\s*;", conf, re.M)
    # Another replica only when this one cannot be reached: never `non_idempotent`, under which
    # a Slack command that reached a replica would be sent to the other and run twice.
    retries = re.findall(r"proxy_next_upstream\s+([^;]*);", conf)
    assert retries and all(set(r.split()) <= {"error", "timeout"} for r in retries), retries
    assert "non_idempotent" not in conf
    assert re.search(r"client_max_body_size\s+\d+[km]?\s*;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for\s*;", conf)


def test_the_replicas_compose_file_writes_no_secret() -> None:
    text = REPLICAS.read_text(encoding="utf-8")
    # Every `$` is compose's interpolation (a stray `$` would be filled in, or fail)...
    assert "$" not in COMPOSE_VAR.sub("", text)
    names = {m["name"] for m in COMPOSE_VAR.finditer(text)}
    assert names == {"FACTDESK_PG_PASSWORD"}
    # ...required, so a missing password stops compose instead of starting PostgreSQL with none.
    assert all(m["op"] == ":?" for m in COMPOSE_VAR.finditer(text))
    with pytest.raises(KeyError, match="FACTDESK_PG_PASSWORD"):
        replicas_compose({})
    raw = yaml.safe_load(text)
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|TOKEN|SECRET", key):
                assert COMPOSE_VAR.fullmatch(str(value)), (name, key)
            if key == "FACTDESK_DB":
                password = re.fullmatch(r"postgresql://[^:@/]+:(.+)@[^@]+", value)
                assert password and COMPOSE_VAR.fullmatch(password[1]), (name, value)
        assert not {"FACTDESK_SLACK_BOT_TOKEN", "FACTDESK_DISCORD_TOKEN"} & set(
            service.get("environment") or {}
        )
    assert not re.search(r"xox[abp]-|xapp-", text)


def test_the_compose_only_password_is_explained_where_it_is_set() -> None:
    # Not a setting: factdesk never reads it (its url is in FACTDESK_DB), so it is not in the
    # settings table; compose users read about it in .env.example (copied to deploy/.env) and README.
    assert "pg_password" not in Settings.model_fields
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "FACTDESK_PG_PASSWORD=" in example and "compose.replicas.yaml" in example
    assert (
        "`FACTDESK_PG_PASSWORD`" in readme
        and "docker compose -f deploy/compose.replicas.yaml up -d" in readme
    )
    assert "factdesk migrate-store --from sqlite:///data/factdesk.db --to postgresql://" in readme


async def test_healthz_and_metrics_answer_over_http_and_count_commands(seeded_copy: SQLiteStore) -> None:
    services = Services(settings_for(seeded_copy.path), seeded_copy)
    await services.start()
    try:
        base = f"http://127.0.0.1:{services.http_port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as resp:
                assert resp.status == 200
                health = await resp.json()
            async with session.get(f"{base}/api/ask", params={"command": "/agreement el-salvador"}) as resp:
                assert resp.status == 200
                answer = await resp.json()
            async with session.get(f"{base}/api/ask", params={"command": "/timeline someday"}) as resp:
                assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_input"
            async with session.get(f"{base}/api/ask", params={"command": "/fact retract 1 x"}) as resp:
                assert (await resp.json())["error"]["code"] == "forbidden"
            async with session.get(f"{base}/metrics") as resp:
                assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
                metrics = await resp.text()
    finally:
        await services.stop()
    assert health["ok"] is True and health["checks"] == {"store": "ok"}
    assert answer["title"] == "Agreements with El Salvador" and answer["items"]
    line = re.search(
        r'factdesk_commands_total\{command="/agreement",outcome="ok",platform="http"\} (\d+)', metrics
    )
    assert line and int(line.group(1)) >= 1
    assert 'factdesk_commands_total{command="/timeline",outcome="bad_input",platform="http"}' in metrics
    assert "factdesk_command_seconds_bucket" in metrics


async def test_healthz_is_unhealthy_when_the_store_is_gone(seeded_copy: SQLiteStore, tmp_path: Path) -> None:
    other = await open_store(tmp_path / "other.db", bundled_corpus=False)
    services = Services(settings_for(other.path), other)
    await services.start()
    try:
        await other.close()
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{services.http_port}/healthz") as resp,
        ):
            status, body = resp.status, await resp.json()
    finally:
        await services.stop()
    assert status == 503 and body["checks"]["store"] == "unreachable"


def test_one_json_log_line_per_command_and_no_token_in_it(seeded_db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    shutil.copy(seeded_db_path, db)
    env = {
        "PATH": "/usr/bin:/bin",
        "FACTDESK_LOG_FORMAT": "json",
        "FACTDESK_DB": str(db),
        "FACTDESK_SLACK_BOT_TOKEN": "xoxb-very-secret-token",
        "FACTDESK_DISCORD_TOKEN": "discord-secret",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "/timeline 2019"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(ln) for ln in proc.stderr.splitlines() if ln.startswith("{")]
    commands = [ln for ln in lines if ln.get("name") == "factdesk.commands"]
    assert len(commands) == 1
    assert commands[0]["command"] == "/timeline" and commands[0]["outcome"] == "ok"
    assert commands[0]["platform"] == "cli" and commands[0]["duration_ms"] >= 0
    assert "secret" not in proc.stderr + proc.stdout


def test_setup_logging_keeps_libraries_quiet() -> None:
    setup_logging("INFO", "text")
    assert logging.getLogger("factdesk.commands").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("discord").getEffectiveLevel() == logging.WARNING


def test_doctor_says_what_to_fix(tmp_path: Path) -> None:
    async def empty_store() -> None:  # doctor never creates one itself
        await (await open_store(tmp_path / "d.db", bundled_corpus=False)).close()

    asyncio.run(empty_store())
    env = {
        "PATH": "/usr/bin:/bin",
        "FACTDESK_DB": str(tmp_path / "d.db"),
        "FACTDESK_BUNDLED_CORPUS": "false",
        "FACTDESK_DIGEST_CHANNELS": "teams:C1",
        "FACTDESK_DIGEST_TIMEZONE": "Mars/Olympus",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    out = proc.stdout
    assert "ok    store" in out and "integrity ok" in out
    assert "FAIL  0 documents in the store" in out and "factdesk ingest PATH" in out
    assert "FAIL  digest schedule" in out and "Mars/Olympus" in out
    assert "FAIL  digest channel teams:C1" in out
    assert "skip  Slack" in out and "skip  Discord" in out


async def test_a_backup_taken_during_writes_is_consistent_and_restores(
    seeded_copy: SQLiteStore, tmp_path: Path
) -> None:
    writer = await open_store(
        seeded_copy.path, bundled_corpus=False
    )  # another connection, as `factdesk ingest`
    stop = asyncio.Event()
    written = 0

    async def keep_writing() -> None:
        nonlocal written
        while not stop.is_set():
            written += 1
            body = f"Peru and Chile signed protocol {written} of their fisheries accord on March 3, 2021.\n"
            await writer.ingest(
                ArticleInput(
                    title=f"Protocol {written}",
                    outlet="Andes Wire",
                    published="2021-03-04",
                    published_precision="day",
                    url=f"https://andes.example/p{written}",
                    body=body,
                    origin="t",
                )
            )

    task = asyncio.create_task(keep_writing())
    try:
        while written < 3:
            await asyncio.sleep(0)  # let the writer get going (a yield, not a timed wait)
        target = tmp_path / "backup" / "factdesk.db"
        await seeded_copy.backup(target)
        while written < 6:
            await asyncio.sleep(0)
    finally:
        stop.set()
        await task
        await writer.close()
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = copy.execute("SELECT count(*) FROM documents").fetchone()[0]
        orphans = copy.execute(
            "SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)"
        ).fetchone()
    finally:
        copy.close()
    assert 5 < docs < 5 + written and orphans[0] == 0  # a moment between two whole articles
    restored = await open_store(target, bundled_corpus=False)
    try:
        answer_docs = await restored.documents()
        assert len(answer_docs) == docs
    finally:
        await restored.close()
    with pytest.raises(FileExistsError):
        await seeded_copy.backup(target)


def test_the_cli_backup_command(seeded_db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    cmd = [sys.executable, "-m", "bot", "--db", str(seeded_db_path), "backup", str(target)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"to {target}" in proc.stdout and target.exists()
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "exists" in again.stderr


async def test_doctor_reaches_the_configured_platforms(
    seeded_copy: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import discord

    from bot.runtime.doctor import run_doctor
    from tests.fakes.discord import FakeDiscord
    from tests.fakes.slack import FakeSlack, strip_proxy_env

    strip_proxy_env(monkeypatch)
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    async with FakeSlack() as slack, FakeDiscord(clock=time.monotonic) as disc:
        lines: list[str] = []
        good = Settings(
            _env_file=None,  # type: ignore[call-arg]
            db=seeded_copy.path,
            slack_bot_token="xoxb-doctor",
            slack_signing_secret="s",
            slack_api_url=slack.api_url,
            discord_token="fake-token",
            discord_api_url=disc.api_url,
            discord_gateway_url=disc.gateway_url,
        )
        assert await run_doctor(good, lines.append) == 0
        assert any(ln.startswith("ok    Slack: authenticated") for ln in lines)
        assert any(ln.startswith("ok    Discord: logged in as") for ln in lines)
        bad_lines: list[str] = []
        bad = good.model_copy(update={"discord_token": discord_secret("wrong"), "slack_signing_secret": None})
        assert await run_doctor(bad, bad_lines.append) == 1
        text = "\n".join(bad_lines)
        assert "FAIL  Discord: LoginFailure" in text and "FACTDESK_DISCORD_TOKEN" in text
        assert "HTTP mode needs FACTDESK_SLACK_SIGNING_SECRET" in text
        assert "wrong" not in text


def discord_secret(value: str):  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    return SecretStr(value)
