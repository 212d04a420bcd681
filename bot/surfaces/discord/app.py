"""The Discord surface: typed slash commands from the registry on discord.py's app commands.

Each command defers at once (Discord gives three seconds), then answers with a follow-up
embed: privately, with "Post to channel" and, for long answers, Previous/Next buttons. Country
options autocomplete from the countries the store knows. Every message is sent with
``AllowedMentions.none()``. A command over the process's limits of commands in flight gets an
immediate private "busy" reply instead (:mod:`bot.backpressure`).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Optional

import aiohttp
import discord
import yarl
from discord import app_commands

from bot.backpressure import BUSY, Limiter
from bot.commands.fact_forms import form_fields, form_text, wants_form
from bot.commands.registry import COMMANDS, Argument, Command, command_text
from bot.digest_scheduler import DeliveryError, DigestScheduler
from bot.handler import Context, handle
from bot.requests import Request, clean_text
from bot.settings import Settings
from bot.surfaces.discord.embeds import Page, paginate
from facts.answers.contract import Answer
from facts.countries import Country, all_countries
from facts.store.rows import FactRow
from facts.store.sqlite_store import FactStore

__all__ = ["FactdeskDiscord", "point_at", "sync_commands"]

log = logging.getLogger("factdesk.discord")

BUTTON_TIMEOUT = 14 * 60  # interaction tokens live 15 minutes
CHOICES = 25
YEAR = app_commands.Range[int, 1000, 2999]
COUNT = app_commands.Range[int, 1, 10_000]


def point_at(settings: Settings) -> None:
    """Aim discord.py at ``FACTDESK_DISCORD_API_URL`` / ``FACTDESK_DISCORD_GATEWAY_URL``.

    discord.py has no public setting for either: ``Route.BASE`` and ``DEFAULT_GATEWAY`` are
    what it reads (pinned ``discord.py~=2.7``; the end-to-end tests would catch a change).
    """
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def sync_commands(tree: app_commands.CommandTree[Any], guild_ids: list[int]) -> list[str]:
    """Sync to each guild (instant) or, with none, globally (Discord takes up to an hour)."""
    if not guild_ids:
        return [c.name for c in await tree.sync()]
    names: list[str] = []
    for gid in guild_ids:
        guild = discord.Object(id=gid)
        tree.copy_global_to(guild=guild)
        names = [c.name for c in await tree.sync(guild=guild)]
    return names


def _matches(country: Country, typed: str) -> int | None:
    """Rank of ``country`` for what the user has typed so far (lower is better), or None."""
    if not typed:
        return 2
    forms = [country.name.lower(), country.slug, country.code.lower(), (country.demonym or "").lower()]
    if any(f.startswith(typed) for f in forms if f):
        return 0
    if any(typed in f for f in forms if f):
        return 1
    return None


class AnswerView(discord.ui.View):
    """Buttons under an answer: pages, and posting the page in the channel."""

    def __init__(self, answer: Answer, page: Page, *, private: bool) -> None:
        super().__init__(timeout=BUTTON_TIMEOUT)
        self.answer = answer
        self.page = page
        self.starts = [page.start]  # where each page seen so far begins, for Previous
        self.previous.disabled = not page.has_previous
        self.next.disabled = not page.has_next
        if not (page.has_previous or page.has_next):
            self.remove_item(self.previous)
            self.remove_item(self.next)
        if not private:
            self.remove_item(self.post)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, custom_id="factdesk:previous")
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, back=True)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary, custom_id="factdesk:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, back=False)

    @discord.ui.button(label="Post to channel", style=discord.ButtonStyle.primary, custom_id="factdesk:post")
    async def post(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        page = paginate(self.answer, self.page.start, asked_by=interaction.user.display_name)
        assert page.embed is not None
        await interaction.response.send_message(embed=page.embed, ephemeral=False)

    async def _turn(self, interaction: discord.Interaction, *, back: bool) -> None:
        if back and len(self.starts) > 1:
            self.starts.pop()
        elif not back and self.page.has_next:
            self.starts.append(self.page.end)
        self.page = paginate(self.answer, self.starts[-1])
        self.previous.disabled = not self.page.has_previous
        self.next.disabled = not self.page.has_next
        await interaction.response.edit_message(embed=self.page.embed, view=self)


class FactForm(discord.ui.Modal):
    """The modal behind ``/fact action:add`` and ``/fact action:correct id:N`` with nothing else."""

    def __init__(self, bot: FactdeskDiscord, action: str, fact_id: int | None, fact: FactRow | None) -> None:
        title = f"Correct fact {fact_id}" if fact_id is not None else "Add a fact"
        version = fact.version if fact else ""
        custom_id = f"factdesk:fact:{action}:{fact_id or ''}:{version}"
        super().__init__(title=title, custom_id=custom_id, timeout=900)
        self.bot, self.action, self.fact_id = bot, action, fact_id
        self.version = fact.version if fact else None
        self.fields = form_fields(action, fact)
        for f in self.fields:
            self.add_item(
                discord.ui.TextInput(
                    label=f.label[:45],
                    custom_id=f.name,
                    style=discord.TextStyle.paragraph if f.multiline else discord.TextStyle.short,
                    required=f.required,
                    default=(f.initial or "")[:4000] or None,
                    placeholder=(f.placeholder or "")[:100] or None,
                )
            )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        inputs = [child for child in self.children if isinstance(child, discord.ui.TextInput)]
        values: dict[str, str | None] = {str(child.custom_id): child.value for child in inputs}
        text = form_text(self.action, self.fact_id, self.version, values, self.fields)
        await self.bot.admitted_reply(interaction, self.bot._request(interaction, "fact", text))


class FactdeskDiscord(discord.Client):
    """A discord.py client whose command tree is the registry."""

    def __init__(
        self,
        settings: Settings,
        store: FactStore,
        *,
        sync_on_start: bool = True,
        digests: DigestScheduler | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
        self.settings = settings
        self.limiter = limiter or settings.limiter()
        self.store = store
        self.digests = digests
        self.sync_on_start = sync_on_start
        self.tree: app_commands.CommandTree[FactdeskDiscord] = app_commands.CommandTree(self)
        for command in COMMANDS:
            self.tree.add_command(self._app_command(command))

    async def setup_hook(self) -> None:
        if self.sync_on_start:
            names = await sync_commands(self.tree, self.settings.discord_guild_ids)
            log.info("synced %d commands: %s", len(names), ", ".join(names))

    async def send_digest(self, channel_id: str, answer: Answer) -> str:
        """Post a digest in a channel (first page); failures become :class:`DeliveryError`.

        discord.py itself retries 429s and server errors a few times before giving up."""
        page = paginate(answer)
        channel = self.get_partial_messageable(int(channel_id))
        try:
            if page.embed is None:
                message = await channel.send(content=page.content or "")
            else:
                message = await channel.send(embed=page.embed)
        except discord.HTTPException as exc:
            transient = exc.status == 429 or exc.status >= 500
            raise DeliveryError(f"Discord: {exc.status} {exc.text[:200]}", transient=transient) from exc
        except (aiohttp.ClientConnectorError, ConnectionRefusedError) as exc:
            raise DeliveryError(f"Discord unreachable: {exc}", transient=True) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Discord: outcome unknown: {type(exc).__name__}", transient=False) from exc
        return str(message.id)

    # ------------------------------------------------------------------ commands

    def _app_command(self, command: Command) -> app_commands.Command[Any, ..., None]:
        """An app command whose typed options are the registry command's arguments."""

        async def callback(interaction: discord.Interaction, **values: Any) -> None:
            await self.answer(interaction, command, values)

        params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        for argument in command.arguments:
            annotation: Any = {"year": YEAR, "int": COUNT}.get(argument.kind, str)
            if argument.kind == "choice":
                annotation = Literal.__getitem__(argument.choices)
            params.append(
                inspect.Parameter(
                    argument.name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=annotation if argument.required else Optional[annotation],  # noqa: UP045
                    default=inspect.Parameter.empty if argument.required else None,
                )
            )
        callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        callback.__annotations__ = {p.name: p.annotation for p in params[1:]}
        descriptions = {a.name: a.description[:100] for a in command.arguments}
        described = app_commands.describe(**descriptions)(callback)
        app_command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=command.name, description=command.help[:100], callback=described
        )
        for argument in command.arguments:
            if argument.kind == "country":
                app_command.autocomplete(argument.name)(self._country_choices(command, argument))
        return app_command

    def _country_choices(
        self, command: Command, argument: Argument
    ) -> Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]:
        async def choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            typed = " ".join(current.lower().split())
            reported = set(await self.store.agreement_countries())
            # /agreement offers the countries the documents report agreements with; other
            # commands any country, those first.
            pool = [c for c in all_countries() if command.name != "agreement" or c.code in reported]
            ranked: list[tuple[int, bool, str, Country]] = []
            for c in pool:
                rank = _matches(c, typed)
                if rank is not None:
                    ranked.append((rank, c.code not in reported, c.name, c))
            ranked.sort(key=lambda r: r[:3])
            return [app_commands.Choice(name=c.name, value=c.slug) for *_, c in ranked[:CHOICES]]

        return choices

    def _request(self, interaction: discord.Interaction, command: str, text: str) -> Request:
        roles = getattr(interaction.user, "roles", None) or []  # a Member in a guild, a User in DMs
        return Request(
            command=command,
            text=clean_text(text),
            actor=f"discord:{interaction.user.id}",
            channel=f"discord:{interaction.channel_id}",
            roles=tuple(str(r.id) for r in roles),
        )

    async def answer(
        self, interaction: discord.Interaction, command: Command, values: dict[str, Any]
    ) -> None:
        request = self._request(interaction, command.name, command_text(command, values))
        wanted = wants_form(request.text) if command.name == "fact" else None
        if wanted and self.settings.access().allows(request):
            action, fact_id = wanted
            fact = await self.store.fact(fact_id) if fact_id is not None else None
            if fact_id is None or fact is not None:
                await interaction.response.send_modal(FactForm(self, action, fact_id, fact))
                return
        await self.admitted_reply(interaction, request)

    async def admitted_reply(self, interaction: discord.Interaction, request: Request) -> None:
        """Defer and answer ``request``, or, over the limits, say "busy" privately at once."""
        slot = self.limiter.try_acquire(request.actor)
        if slot is None:
            await interaction.response.send_message(BUSY, ephemeral=True)
            return
        with slot:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self.reply(interaction, request)

    async def reply(self, interaction: discord.Interaction, request: Request) -> None:
        """The answer to ``request`` as a private follow-up of an already deferred interaction."""
        context = Context(
            access=self.settings.access(), digests=self.digests, fetch=self.settings.fetch_policy()
        )
        answer = await handle(request, self.store, context=context)
        page = paginate(answer)
        if page.embed is None:
            await interaction.followup.send(content=page.content or "", ephemeral=True)
            return
        view = AnswerView(answer, page, private=True)
        await interaction.followup.send(embed=page.embed, view=view, ephemeral=True)
