"""Correcting the record across platforms, end to end through the real SDKs and both fakes:
an editor on Slack corrects a date, the next /timeline on Discord shows the corrected line with
its label, /fact history shows both versions with who and why, and a non-editor changes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

from bot.runtime.serve import Services
from facts.store.sqlite_store import SQLiteStore
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, block_texts
from tests.helpers import settings_for

EDITOR = "UEDITOR"


def sections(response: dict[str, Any]) -> str:
    """All the text of a Slack message's blocks."""
    return "\n".join(block_texts(response["blocks"]))


async def test_an_editor_corrects_on_slack_and_discord_shows_it_labelled(
    fakes: tuple[FakeSlack, FakeDiscord], seeded_copy: SQLiteStore
) -> None:
    slack, disc = fakes
    editor_role = disc.add_role("desk editors")  # Discord knows only the guild's own roles
    settings = settings_for(
        seeded_copy.path,
        slack=slack,
        discord=disc,
        admins=[f"slack:{EDITOR}"],
        discord_admin_roles=[editor_role],
    )
    services = Services(settings, seeded_copy)
    await services.start()
    try:
        await disc.wait_ready()
        url = f"http://127.0.0.1:{services.http_port}/slack/events"

        # Pick a day-dated line of the 2020 timeline on Discord, by the id it shows (its first
        # page: 2019's day-dated lines are on its second, each citation's link being long).
        await disc.slash_command("timeline", {"year": 2020})
        before = (await disc.wait_for(lambda: disc.followups and disc.followups[-1]))["embeds"][0]
        day = re.compile(r"\*\*\d{4}-\d\d-\d\d\*\*")
        day_lines = [ln for ln in before["description"].splitlines() if day.match(ln)]
        line = day_lines[0]
        fact_id = int(re.search(r"`#(\d+)`", line).group(1))  # type: ignore[union-attr]
        old_day = line[2:12]
        new_day = (dt.date.fromisoformat(old_day) + dt.timedelta(days=1)).isoformat()

        # A reporter (not an editor) on Slack, and a Discord member without the role: refused.
        attempt = f"correct {fact_id} date=2001-01-01 note=nope"
        await slack.slash_command(url, "/fact", attempt, user_id="UREPORTER")
        refused = await slack.wait_for(lambda: slack.responses and slack.responses[-1])
        assert "Only the desk's editors" in sections(refused) and "slack:UREPORTER" in sections(refused)
        await disc.slash_command("fact", {"action": "retract", "id": fact_id, "note": "nope"}, roles=["1"])
        refused_d = await disc.wait_for(lambda: len(disc.followups) == 2 and disc.followups[-1])
        assert "Only the desk's editors" in (refused_d["content"] or "")
        assert (await seeded_copy.fact(fact_id)).version == 1  # type: ignore[union-attr]

        # The editor corrects the date on Slack.
        await slack.slash_command(
            url, "/fact", f'correct {fact_id} date={new_day} note="the agency moved it a day"', user_id=EDITOR
        )
        done = await slack.wait_for(lambda: len(slack.responses) == 2 and slack.responses[-1])
        assert f"Fact {fact_id} corrected (version 2)" in sections(done)

        # The next /timeline on Discord shows the corrected line, labelled.
        await disc.slash_command("timeline", {"year": 2020})
        after = (await disc.wait_for(lambda: len(disc.followups) == 3 and disc.followups[-1]))["embeds"][0]
        corrected = next(ln for ln in after["description"].split("\n**") if f"`#{fact_id}`" in ln)
        assert corrected.lstrip("*").startswith(new_day)
        assert "Corrected " in corrected and "the agency moved it a day" in corrected

        # A Discord editor (by role) retracts and restores it; history shows every version.
        await disc.slash_command(
            "fact", {"action": "retract", "id": fact_id, "note": "checking"}, roles=[editor_role]
        )
        retracted = await disc.wait_for(lambda: len(disc.followups) == 4 and disc.followups[-1])
        assert retracted["embeds"][0]["title"] == f"Fact {fact_id} retracted (version 3)"
        await disc.slash_command(
            "fact", {"action": "restore", "id": fact_id, "note": "it stands"}, roles=[editor_role]
        )
        restored = await disc.wait_for(lambda: len(disc.followups) == 5 and disc.followups[-1])
        assert restored["embeds"][0]["title"] == f"Fact {fact_id} restored (version 4)"
        await slack.slash_command(url, "/fact", f"history {fact_id}", user_id="UREPORTER")
        history = sections(await slack.wait_for(lambda: len(slack.responses) == 3 and slack.responses[-1]))
    finally:
        await services.stop()
    assert "v1 " in history and "extracted" in history
    assert "v2 " in history and f"corrected by slack:{EDITOR} on slack" in history
    assert f"{old_day} → {new_day}" in history and "the agency moved it a day" in history
    assert "retracted by discord:" in history and "restored by discord:" in history
    assert not slack.rejected and not disc.rejected


async def test_fact_forms_open_as_modals_on_slack_and_discord(
    fakes: tuple[FakeSlack, FakeDiscord], seeded_copy: SQLiteStore
) -> None:
    slack, disc = fakes
    editor_role = disc.add_role("desk editors")
    settings = settings_for(
        seeded_copy.path,
        slack=slack,
        discord=disc,
        admins=[f"slack:{EDITOR}"],
        discord_admin_roles=[editor_role],
    )
    answer = await seeded_copy.agreement_facts("SV")
    fact = next(f for f in answer if f.date_precision == "day")
    services = Services(settings, seeded_copy)
    await services.start()
    try:
        await disc.wait_ready()
        url = f"http://127.0.0.1:{services.http_port}/slack/events"

        # Slack: /fact correct <id> alone opens a modal prefilled with the fact.
        await slack.slash_command(url, "/fact", f"correct {fact.id}", user_id=EDITOR)
        opened = await slack.wait_for(lambda: slack.views and slack.views[-1])
        fields = {b["block_id"]: b["element"].get("initial_value") for b in opened["view"]["blocks"]}
        assert fields == {"text": fact.text, "date": fact.date_label, "note": None}
        bad = await slack.view_submission(
            url, opened["view"], {"text": fact.text, "date": "someday", "note": "x"}, user_id=EDITOR
        )
        assert bad.status == 200 and '"response_action": "errors"' in bad.body.replace('":"', '": "')
        assert (await seeded_copy.fact(fact.id)).version == 1  # type: ignore[union-attr]
        good = await slack.view_submission(
            url,
            opened["view"],
            {"text": fact.text, "date": "2019-09-23", "note": "wrong day"},
            user_id=EDITOR,
        )
        assert good.status == 200
        posted = await slack.wait_for(lambda: slack.ephemerals and slack.ephemerals[-1])
        assert f"Fact {fact.id} corrected (version 2)" in "\n".join(block_texts(posted["blocks"]))
        changed = await seeded_copy.fact(fact.id)
        assert changed is not None and changed.date_label == "2019-09-23" and changed.text == fact.text

        # A reporter gets no form, only the refusal.
        await slack.slash_command(url, "/fact", "add", user_id="UREPORTER")
        refused = await slack.wait_for(lambda: slack.responses and slack.responses[-1])
        assert "Only the desk's editors" in "\n".join(block_texts(refused["blocks"]))
        assert len(slack.views) == 1

        # Discord: /fact action:add opens a modal; its submission adds a cited fact.
        await disc.slash_command("fact", {"action": "add"}, roles=[editor_role])
        modal = await disc.wait_for(lambda: disc.callbacks and disc.callbacks[-1])
        assert modal["type"] == 9
        custom_id = modal["payload"]["data"]["custom_id"]
        doc = (await seeded_copy.documents())[0]
        body_row = await seeded_copy.connection.fetchone("SELECT body FROM documents WHERE id = ?", (doc.id,))
        quote = " ".join(str(body_row["body"]).split("\n\n")[1].split()[:10])
        await disc.modal_submit(
            custom_id,
            {
                "text": "The desk adds this.",
                "date": "2019-09",
                "country": "el-salvador",
                "source": str(doc.id),
                "quote": quote,
            },
            roles=[editor_role],
        )
        added = await disc.wait_for(lambda: disc.followups and disc.followups[-1])
    finally:
        await services.stop()
    embed = added["embeds"][0]
    assert embed["title"].startswith("Fact ") and embed["title"].endswith("added by the desk")
    assert "Added by the desk." in embed["description"]


async def test_a_correction_edits_the_channel_messages_that_showed_the_old_line(
    fakes: tuple[FakeSlack, FakeDiscord], seeded_copy: SQLiteStore
) -> None:
    """Posted on Slack (Post to channel) and on Discord (Post to channel), a line is corrected,
    then retracted, by an editor: both messages are edited in place with the label, and the
    fact's history names the messages each version edited."""
    slack, disc = fakes
    settings = settings_for(seeded_copy.path, slack=slack, discord=disc, admins=[f"slack:{EDITOR}"])
    services = Services(settings, seeded_copy)
    await services.start()
    try:
        await disc.wait_ready()
        url = f"http://127.0.0.1:{services.http_port}/slack/events"
        # Slack: the 2020 timeline, posted in the channel by a reporter.
        await slack.slash_command(url, "/timeline", "2020", user_id="UREPORTER", channel_id="C9")
        private = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        post = next(
            e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["action_id"] == "factdesk_post"
        )
        await slack.block_action(url, "factdesk_post", post["value"], channel_id="C9")
        posted = await slack.wait_for(lambda: slack.messages and slack.messages[0])
        line = next(t for t in block_texts(posted["blocks"]) if re.search(r"\*\d{4}-\d\d-\d\d\*", t))
        fact_id = int(re.search(r"`#(\d+)`", line).group(1))  # type: ignore[union-attr]
        # Discord: the same timeline, posted in the channel.
        await disc.slash_command("timeline", {"year": 2020})
        private_d = await disc.wait_for(lambda: disc.followups and disc.followups[-1])
        ids = [c["custom_id"] for row in private_d["components"] for c in row["components"]]
        await disc.button(next(i for i in ids if i.startswith("factdesk:post:")))
        shown = await disc.wait_for(
            lambda: next((c for c in disc.callbacks if c["type"] == 4 and not c["flags"] & 64), None)
        )
        assert f"`#{fact_id}`" in str(shown["embeds"])
        await asyncio.wait_for(services.posted.wait_kept(2), 5.0)  # both kept, with their facts
        # The editor corrects the line on Slack: both posted messages are edited.
        await slack.slash_command(
            url, "/fact", f'correct {fact_id} text="The desk reworded this line." note="clearer wording"',
            user_id=EDITOR,
        )
        await slack.wait_for(lambda: slack.updates and slack.updates[0])
        await disc.wait_for(lambda: disc.channel_edits and disc.channel_edits[0])
        await services.posted.settle()
        edited = "\n".join(block_texts(slack.messages[0]["blocks"]))
        assert "The desk reworded this line." in edited
        assert "Corrected " in edited and "clearer wording" in edited
        assert "Asked by" in edited  # still says who asked
        discord_edit = str(disc.channel_edits[0]["embeds"])
        assert "The desk reworded this line." in discord_edit and "clearer wording" in discord_edit
        assert disc.channel_edits[0]["pings"] is False
        # Then retracts it: the line stays where readers saw it, labelled.
        await slack.slash_command(url, "/fact", f"retract {fact_id} wrong story", user_id=EDITOR)
        await slack.wait_for(lambda: len(slack.updates) == 2)
        await disc.wait_for(lambda: len(disc.channel_edits) == 2)
        await services.posted.settle()
        assert "Retracted " in "\n".join(block_texts(slack.messages[0]["blocks"]))
        assert "wrong story" in str(disc.channel_edits[1]["embeds"])
        # The history names the messages each version edited.
        await slack.slash_command(url, "/fact", f"history {fact_id}", user_id="UREPORTER")
        history = await slack.wait_for(
            lambda: next((r for r in slack.responses if "History of fact" in str(r["blocks"])), None)
        )
    finally:
        await services.stop()
    text = sections(history)
    ts = slack.messages[0]["ts"]
    assert "v2 · posted answers updated: " in text and f"slack C9 {ts}" in text
    assert "v3 · posted answers updated: " in text and "discord " in text
    assert not slack.rejected and not disc.rejected


async def test_a_discord_form_opened_before_a_restart_is_submitted_after_it(
    fakes: tuple[FakeSlack, FakeDiscord], seeded_copy: SQLiteStore
) -> None:
    """A /fact form holds nothing in the process that opened it: its action, fact and version are
    in its custom id, its values in the submission."""
    _, disc = fakes
    editor_role = disc.add_role("desk editors")
    settings = settings_for(seeded_copy.path, discord=disc, discord_admin_roles=[editor_role])
    fact = next(f for f in await seeded_copy.range_facts("2019-01-01", "2019-12-31") if f.date_label)
    first = Services(settings, seeded_copy)
    await first.start()
    try:
        await disc.wait_ready()
        await disc.slash_command("fact", {"action": "correct", "id": fact.id}, roles=[editor_role])
        modal = await disc.wait_for(lambda: disc.callbacks and disc.callbacks[-1])
    finally:
        await first.stop()
    assert modal["type"] == 9
    second = Services(settings, seeded_copy)  # a new process: the form's object is gone
    await second.start()
    try:
        await disc.wait_ready()
        await disc.modal_submit(
            modal["payload"]["data"]["custom_id"],
            {"text": fact.text, "date": "2019-09-23", "note": "the agency moved it"},
            roles=[editor_role],
        )
        done = await disc.wait_for(lambda: disc.followups and disc.followups[-1])
    finally:
        await second.stop()
    assert f"Fact {fact.id} corrected (version 2)" in done["embeds"][0]["title"]
    changed = await seeded_copy.fact(fact.id)
    assert changed is not None and changed.date_label == "2019-09-23" and changed.text == fact.text
