"""The Discord surface: typed slash commands from the registry on discord.py's app commands.

Each command defers at once (Discord gives three seconds), then answers with a follow-up
embed: privately, with "Post to channel" and, for long answers, Previous/Next buttons, which hold
no state in this process (:class:`AnswerButton`: the command is kept in the store, so any process
answers a click, also after a restart). Country options autocomplete from the countries the store
knows. Every message is sent with
``AllowedMentions.none()``. A command over the process's limits of commands in flight gets an
immediate private "busy" reply instead (:mod:`bot.backpressure`).
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal, Optional

import discord
from discord import app_commands

from bot.backpressure import BUSY, Limiter
from bot.commands.fact import fact_options
from bot.commands.fact_forms import Form, wants_form
from bot.commands.registry import COMMANDS, Argument, Command
from bot.delivery_errors import map_delivery_errors
from bot.desk import Desk
from bot.mentions import MentionWindow
from bot.posted_answers import PostedMessage
from bot.requests import Request, parse_command_line
from bot.settings import Settings
from bot.surfaces.discord import payloads
from bot.surfaces.discord.embeds import Page, paginate
from facts.answers.contract import Answer
from facts.countries import Country, all_countries
from facts.errors import FactdeskError

__all__ = ["FactdeskDiscord", "sync_commands"]

log = logging.getLogger("factdesk.discord")

FIND_SOURCES = "Find sources"  # the message command (a context menu entry on any message)
CHOICES = 25
YEAR = app_commands.Range[int, 1000, 2999]
COUNT = app_commands.Range[int, 1, 10_000]


async def sync_commands(tree: app_commands.CommandTree[Any], guild_ids: list[int]) -> list[str]:
    """Sync to each guild (instant) or, with none, globally (Discord takes up to an hour); the
    commands as a user finds them (``/agreement``, ``Find sources (message menu)``)."""
    if not guild_ids:
        return [_shown(c) for c in await tree.sync()]
    names: list[str] = []
    for gid in guild_ids:
        guild = discord.Object(id=gid)
        tree.copy_global_to(guild=guild)
        names = [_shown(c) for c in await tree.sync(guild=guild)]
    return names


def _shown(command: app_commands.AppCommand) -> str:
    if command.type == discord.AppCommandType.message:
        return f"{command.name} (message menu)"
    return f"/{command.name}"


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


ANSWER_BUTTON = r"factdesk:(?P<act>previous|next|post):(?P<view>[0-9]{1,18}):(?P<start>[0-9]{1,6})"
_LOOKS = {
    "previous": ("Previous", discord.ButtonStyle.secondary),
    "next": ("Next", discord.ButtonStyle.secondary),
    "post": ("Post to channel", discord.ButtonStyle.primary),
}
GONE = "That answer is no longer kept; ask again."
FORM_ID = re.compile(r"factdesk:fact:(?P<action>add|correct):(?P<id>[0-9]{0,18}):(?P<version>[0-9]{0,9})")


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ANSWER_BUTTON):
    """A button under an answer. Its custom id names the command behind the answer (a view kept
    in the store) and the first line of the page it shows or posts, so whichever process gets
    the click (this one after a restart, or another on the same store) answers it by running the
    command again; nothing of it lives in one process's memory."""

    def __init__(self, act: str, view_id: int, start: int, *, disabled: bool = False) -> None:
        label, style = _LOOKS[act]
        custom_id = f"factdesk:{act}:{view_id}:{start}"
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, disabled=disabled))
        self.act, self.view_id, self.start = act, view_id, start

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(match["act"], int(match["view"]), int(match["start"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        assert isinstance(client, FactdeskDiscord)
        await client.clicked(interaction, self.act, self.view_id, self.start)


def _previous_start(answer: Answer, start: int) -> int | None:
    """Where the page before the one at ``start`` begins (pagination is deterministic from the
    first line, so the pages are walked from there), or None on the first page."""
    before: int | None = None
    at = 0
    while at < start:
        before, page = at, paginate(answer, at)
        if not page.has_next or page.end <= at:
            break
        at = page.end
    return before


def answer_buttons(view_id: int, answer: Answer, page: Page) -> discord.ui.View:
    """Previous / Next (for an answer of several pages) and Post to channel, for a private answer."""
    view = discord.ui.View(timeout=None)
    if page.has_previous or page.has_next:
        before = _previous_start(answer, page.start)
        view.add_item(AnswerButton("previous", view_id, before or 0, disabled=before is None))
        view.add_item(AnswerButton("next", view_id, page.end, disabled=not page.has_next))
    view.add_item(AnswerButton("post", view_id, page.start))
    return view


class FactForm(discord.ui.Modal):
    """The modal behind ``/fact action:add`` and ``/fact action:correct id:N`` with nothing else."""

    def __init__(self, form: Form) -> None:
        version = form.version if form.version is not None else ""
        custom_id = f"factdesk:fact:{form.action}:{form.fact_id or ''}:{version}"
        super().__init__(title=form.title, custom_id=custom_id, timeout=900)
        for f in form.fields:
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

    # No on_submit: a submission is read from the interaction itself (FactdeskDiscord.on_interaction),
    # so it is answered by whichever process receives it, also after a restart.


class FactdeskDiscord(discord.Client):
    """A discord.py client whose command tree is the registry."""

    def __init__(
        self,
        settings: Settings,
        desk: Desk,
        *,
        sync_on_start: bool = True,
        limiter: Limiter | None = None,
        **client_options: Any,
    ) -> None:
        """``client_options`` go to discord.py's client (the shards, for the sharded client)."""
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            **client_options,
        )
        self.settings = settings
        self.limiter = limiter or settings.limiter()
        self.desk = desk
        self.sync_on_start = sync_on_start
        self.mentions = MentionWindow(settings.mentions_per_minute)
        self.tree: app_commands.CommandTree[FactdeskDiscord] = app_commands.CommandTree(self)
        for command in COMMANDS:
            self.tree.add_command(self._app_command(command))

        async def find_sources(interaction: discord.Interaction, message: discord.Message) -> None:
            await self.check_message(interaction, message)

        self.tree.add_command(app_commands.ContextMenu(name=FIND_SOURCES, callback=find_sources))

    # ------------------------------------------------------------------ mentions

    async def on_message(self, message: discord.Message) -> None:
        """``@factdesk …`` in a channel or a thread: answered as a reply to the message, in the
        same channel or thread, for everyone there. Bots are not answered; a message is answered
        once (a resumed gateway session may replay it); over the user's mention window (or the
        process's limits) nothing is answered, as Discord has no private reply to a message."""
        me = self.user
        if message.author.bot or me is None or not any(u.id == me.id for u in message.mentions):
            return
        if not await self.desk.first_delivery(f"discord:message:{message.id}", time.time()):
            return
        request = payloads.mention_from(message)
        if not self.mentions.allow(request.actor):
            log.info("mention by %s over the window: not answered", request.actor)
            return
        slot = self.limiter.try_acquire(request.actor)
        if slot is None:
            return
        with slot:
            answer = await self.desk.handle(request)
            page = paginate(answer)
            if page.embed is None:
                sent = await message.reply(content=page.content or "", mention_author=False)
            else:
                sent = await message.reply(embed=page.embed, mention_author=False)
            await self.desk.posted("discord", str(message.channel.id), str(sent.id), answer)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(AnswerButton)  # answer buttons, whichever process sent them
        if self.sync_on_start:
            names = await sync_commands(self.tree, self.settings.discord_guild_ids)
            log.info("synced %d commands: %s", len(names), ", ".join(names))

    async def edit_posted(self, post: PostedMessage, answer: Answer) -> None:
        """Shows a corrected answer in the message it was posted as (its page, as posted)."""
        page = paginate(answer, post.shown_from, asked_by=post.asked_by)
        message = self.get_partial_messageable(int(post.channel)).get_partial_message(int(post.ref))
        if page.embed is None:
            await message.edit(content=page.content or "")
        else:
            await message.edit(embed=page.embed)

    async def send_digest(self, channel_id: str, answer: Answer) -> str:
        """Post a digest in a channel (first page); failures become :class:`DeliveryError`.

        discord.py itself retries 429s and server errors a few times before giving up."""
        page = paginate(answer)
        channel = self.get_partial_messageable(int(channel_id))
        with map_delivery_errors("Discord", discord.HTTPException, _api_error):
            if page.embed is None:
                message = await channel.send(content=page.content or "")
            else:
                message = await channel.send(embed=page.embed)
        return str(message.id)

    # ------------------------------------------------------------------ commands

    def _app_command(self, command: Command[Any]) -> app_commands.Command[Any, ..., None]:
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
        self, command: Command[Any], argument: Argument
    ) -> Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]:
        async def choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            typed = " ".join(current.lower().split())
            reported = await self.desk.reported_countries()
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

    async def answer(
        self, interaction: discord.Interaction, command: Command[Any], values: dict[str, Any]
    ) -> None:
        """Typed options become the command's arguments; ``/fact`` with just ``add`` (or
        ``correct`` and an id) opens the form instead, for an editor."""
        options = payloads.options_from(values)
        request = payloads.request_from(interaction, command.name)
        if command.name == "fact" and self.desk.allows(request):
            try:
                wanted = wants_form(fact_options(options))
            except FactdeskError:  # the core answers the mistake below, in its words
                wanted = None
            form = await self.desk.form_for(request, *wanted) if wanted else None
            if isinstance(form, Form):
                await interaction.response.send_modal(FactForm(form))
                return
        run = lambda: self.desk.run_options(command, options, request)  # noqa: E731
        await self.admitted_reply(interaction, request, run)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A submitted ``/fact`` form: its action, fact and version are in its custom id and its
        values in the submission, so no state of the process that opened it is needed."""
        if interaction.type != discord.InteractionType.modal_submit:
            return
        custom_id, values = payloads.modal_submission(interaction)
        found = FORM_ID.fullmatch(custom_id)
        if found is None:
            return
        action = found["action"]
        fact_id = int(found["id"]) if found["id"] else None
        version = int(found["version"]) if found["version"] else None
        request = payloads.request_from(interaction, "fact")
        run = lambda: self.desk.submit_form(request, action, fact_id, version, values)  # noqa: E731
        await self.admitted_reply(interaction, request, run)

    async def check_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The "Find sources" message command: the message's claims checked (``/check``),
        answered privately with "Post to channel" (the message's channel or thread)."""
        text = message.content[: payloads.MENTION_CHARS]
        request = replace(payloads.request_from(interaction, "check"), text=text)
        await self.admitted_reply(interaction, request, lambda: self.desk.handle(request))

    async def admitted_reply(
        self, interaction: discord.Interaction, request: Request, run: Callable[[], Awaitable[Answer]]
    ) -> None:
        """Defer and answer with ``run()``, or, over the limits, say "busy" privately at once."""
        slot = self.limiter.try_acquire(request.actor)
        if slot is None:
            await interaction.response.send_message(BUSY, ephemeral=True)
            return
        with slot:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self.reply(interaction, request, await run())

    async def reply(self, interaction: discord.Interaction, request: Request, answer: Answer) -> None:
        """``answer`` as a private follow-up of an already deferred interaction, with its buttons
        (none for the answer of a change: a button runs its command again)."""
        page = paginate(answer)
        if page.embed is None:
            await interaction.followup.send(content=page.content or "", ephemeral=True)
            return
        if answer.error is not None or self.desk.changes_record(parse_command_line(answer.command)):
            await interaction.followup.send(embed=page.embed, ephemeral=True)
            return
        view_id = await self.desk.keep_view(answer.command, request.actor)
        view = answer_buttons(view_id, answer, page)
        await interaction.followup.send(embed=page.embed, view=view, ephemeral=True)

    async def clicked(self, interaction: discord.Interaction, act: str, view_id: int, start: int) -> None:
        """A button under an answer: the command behind it answered again, then the page it
        names shown in place (Previous, Next) or posted in the channel (Post)."""
        command = await self.desk.view_command(view_id)
        clicker = payloads.request_from(interaction, "")
        request = parse_command_line(command or "", actor=clicker.actor, channel=clicker.channel)
        if command is None or self.desk.changes_record(request):
            await interaction.response.send_message(GONE, ephemeral=True)
            return
        slot = self.limiter.try_acquire(clicker.actor)
        if slot is None:
            await interaction.response.send_message(BUSY, ephemeral=True)
            return
        with slot:
            answer = await self.desk.handle(replace(request, roles=clicker.roles))
            if act != "post":
                page = paginate(answer, start)
                view = answer_buttons(view_id, answer, page)
                await interaction.response.edit_message(embed=page.embed, view=view)
                return
            who = interaction.user.display_name
            page = paginate(answer, start, asked_by=who)
            if page.embed is None:
                await interaction.response.send_message(content=page.content or "", ephemeral=False)
                return
            await interaction.response.send_message(embed=page.embed, ephemeral=False)
            if interaction.channel_id is not None:
                sent = await interaction.original_response()
                await self.desk.posted(
                    "discord",
                    str(interaction.channel_id),
                    str(sent.id),
                    answer,
                    asked_by=who,
                    shown_from=start,
                )


def _api_error(exc: discord.HTTPException) -> tuple[int, str]:
    return exc.status, f"{exc.status} {exc.text[:200]}"
