"""/ask as retrieval then an answer check: the embedding model stays offline, the question is
read, lines are checked for what the question asks, and the documents "do not say" when nothing
answers. Every example is invented (Ruritania, Freedonia and their people do not exist)."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from bot.handler import handle
from bot.requests import parse_command_line
from facts.answers.answer_check import holds_answer
from facts.answers.ask import Scored, answering
from facts.answers.contract import Answer
from facts.answers.question import read_question
from facts.extract import embedding
from facts.read.article import ArticleInput
from facts.store.passage_vectors import VectorIndex
from facts.store.rows import DocumentRow, PassageHit
from facts.store.sqlite_store import SQLiteStore, open_store


def test_the_model_loads_and_embeds_without_opening_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embedding model tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    embedding._model.cache_clear()
    vectors = embedding.embed(["The ministers signed the accord.", "Who signed the deal?", ""])
    assert vectors.shape == (3, embedding.DIM)
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-4)
    assert not vectors[2].any()  # an empty text is a zero vector, not NaN
    assert float(vectors[0] @ vectors[1]) > 0.3


def test_pooled_vectors_are_the_models_own_mean_of_token_vectors() -> None:
    """``embed`` skips padding and offsets for speed; it must still give wordllama's vectors."""
    texts = ["The ministers signed the accord.", "", "Fish quotas, harbour fees and a long list of terms."]
    ours = embedding.embed(texts)
    theirs = np.asarray(embedding._model().embed(texts, norm=False), dtype=np.float32)
    theirs /= np.maximum(np.linalg.norm(theirs, axis=1, keepdims=True), 1e-9)
    assert np.allclose(ours[[0, 2]], theirs[[0, 2]], atol=1e-5)
    assert not ours[1].any()


def test_answer_passages_carry_their_context_and_headings_do_not() -> None:
    from facts.extract.context_vectors import context_signs, mix

    passages = [
        ("headline", "Ruritania signs the fisheries accord"),
        ("heading", "The quotas"),
        ("sentence", "She said her government would sign it."),
        ("sentence", "The quotas fall by a third."),
    ]
    signs = context_signs(passages, "A title that is not the headline")
    alone = embedding.embed([text for _, text in passages])
    assert len(signs) == len(passages) and all(len(b) == embedding.DIM // 8 for b in signs)
    zero = np.zeros_like(alone[:1])
    # The headline passage, not the title, is the context.
    with_context = mix(alone[2:3], alone[0], zero, alone[1:2])[0]
    assert float(with_context @ alone[2]) < 0.95  # a sentence takes its context in
    assert float(with_context @ alone[0]) > float(alone[2] @ alone[0])  # ... the headline too
    unpacked = np.unpackbits(np.frombuffer(signs[2], dtype=np.uint8)).astype(bool)
    assert np.array_equal(unpacked, with_context > 0)  # the prefilter's bits are the mixed vector's
    heading_signs = np.unpackbits(np.frombuffer(signs[1], dtype=np.uint8)).astype(bool)
    assert np.array_equal(heading_signs, alone[1] > 0)  # a heading keeps its own vector
    assert context_signs([], "no passages") == []


@pytest.mark.parametrize(
    ("row", "parts"),
    [
        # (text, previous, heading, headline) and which of them the mixed vector holds
        (
            ("Quotas fell.", "The ministers met.", "The talks", "Fish accord signed"),
            "own prev heading headline",
        ),
        (("Quotas fell.", "", "", "Fish accord signed"), "own headline"),
        (("Quotas fell.", "", "The talks", "Fish accord signed"), "own heading headline"),
        (("# The talks", "", "", "Fish accord signed"), "own headline"),  # a heading's mark is not a word
    ],
)
def test_answer_vectors_mix_what_a_candidate_has_around_it(
    row: tuple[str, str, str, str], parts: str
) -> None:
    from facts.extract.context_vectors import answer_vectors, mix

    vecs, own = answer_vectors([row, ("Another line entirely.", row[0], "", row[3])])
    e = embedding.embed([t.lstrip("# ") if t else "x" for t in row])
    zero = np.zeros(embedding.DIM, dtype=np.float32)
    pick = [
        e[i] if name in parts.split() else zero
        for i, name in enumerate(("own", "prev", "heading", "headline"))
    ]
    expected = mix(pick[0][None], pick[3], pick[1][None], pick[2][None])[0]
    assert np.allclose(vecs[0], expected, atol=1e-5)
    assert np.allclose(own[0], e[0], atol=1e-5)
    assert vecs.shape == own.shape == (2, embedding.DIM)
    empty, _ = answer_vectors([])
    assert empty.shape == (0, embedding.DIM)


def test_sign_bits_pack_into_four_words() -> None:
    v = embedding.embed(["Freedonia agreed to take back its nationals.", "x"])
    packed = embedding.pack_bits(v)
    assert packed.shape == (2, embedding.DIM // 64)
    assert np.array_equal(np.unpackbits(packed[0:1].view(np.uint8)).astype(bool), v[0] > 0)


async def test_the_stored_context_vector_is_mixed_again_when_asked(tmp_path: Path) -> None:
    from facts.extract.context_vectors import mix

    store = await open_store(tmp_path / "mix.db", bundled_corpus=False)
    try:
        await store.ingest(ARTICLES[0])
        rows = await store.connection.fetchall(
            "SELECT p.id, p.kind, substr(d.body, p.start + 1, p.end - p.start) AS text FROM passages p"
            " JOIN documents d ON d.id = p.doc_id ORDER BY p.idx"
        )
        asked = {a.hit.passage_id: a for a in await store.ask_passages([r["id"] for r in rows])}
        own = embedding.embed([r["text"] for r in rows] + [ARTICLES[0].title])
        second = next(i for i, r in enumerate(rows) if r["text"].startswith("She said"))
        first = second - 1  # the minister's sentence, in the same paragraph
        kinds = [r["kind"] for r in rows]
        headline = own[kinds.index("headline")] if "headline" in kinds else own[-1]
        heading = max(i for i in range(second) if kinds[i] == "heading")  # the story's opening line
        pick = own[[second, first, heading]]
        expected = mix(pick[0:1], headline, pick[1:2], pick[2:3])[0]
        got = asked[rows[second]["id"]]
        assert float(got.vec @ expected) > 0.98
        assert got.previous == rows[first]["text"] and got.heading == rows[heading]["text"]
        assert float(got.svec @ own[second]) > 0.999
    finally:
        await store.close()


def test_the_hamming_prefilter_finds_the_nearest_vector_first() -> None:
    texts = ["Fishing quotas in the northern sea", "The central bank raised rates", "A football final"]
    vecs = embedding.embed(texts)
    index = VectorIndex()
    bits = embedding.pack_bits(vecs)
    index.extend([(10 + i, bits[i].tobytes()) for i in range(len(texts))])
    assert index.last_id == 12
    assert index.nearest(embedding.embed(["interest rates at the bank"])[0], 1) == [11]
    assert VectorIndex().nearest(vecs[0], 3) == []


@pytest.mark.parametrize(
    ("question", "kind", "expect"),
    [
        ("who signed the Lima accord?", "who", {}),
        ("When did Freedonia leave the pact?", "when", {}),
        ("on what date will the accord take effect?", "when", {}),
        ("how many Canadians were flown back in 2019?", "figure", {"years": (2019,), "unit": "canadians"}),
        ("how much will Norway pay Chile under the deal?", "figure", {"money": True}),
        ("how long did each extension last?", "figure", {"duration": True}),
        ("by what margin did the senate approve it?", "figure", {"margin": True}),
        ("what share of the fish must be landed in port?", "figure", {"share": True}),
        ("why did Peru walk out of the talks?", "why", {}),
        ("what did Chile's president say about the accord?", "what", {"speech": True}),
        ("which charter airline was hired to fly them?", "who", {"head": "airline"}),
        ("how many Peruvian-built patrol boats is Chile getting?", "figure", {"unit": "boats"}),
        ("how many pages long was the text?", "figure", {"unit": "pages"}),
        ("how many MPs voted for the Ruritown levy?", "figure", {"unit": "mps", "proper": ("Ruritown",)}),
        ("how many MPs backed the levy before Christmas?", "figure", {"proper": ()}),  # a time, no name
        ("which exit date had the two sides agreed?", "when", {"head": None}),
        ("what does the accord allow?", "what", {"head": None}),
        ("what was the tally when the senate voted?", "figure", {"margin": True}),
        ("how narrowly did voters reject the accord?", "figure", {"margin": True}),
        ("how much grain left the port?", "figure", {"amount": True, "money": False}),
        ("how much longer will the truce last?", "figure", {"amount": False, "duration": True}),
        ("who won Peru's election in June 2031?", "who", {"period": (2031,)}),
        ("how many boats were allowed under the 2031 accord?", "figure", {"period": (), "years": (2031,)}),
        ("when did Chile's highest judges rule on it?", "when", {"roles": ()}),  # no office named
        ("what did Chile's foreign minister say?", "what", {"roles": (("CL", "minister"),)}),
    ],
)
def test_the_kind_of_question_decides_what_an_answer_holds(question: str, kind: str, expect: dict) -> None:
    q = read_question(question)
    assert q.kind == kind
    for field, value in expect.items():
        assert getattr(q, field) == value, field


@pytest.mark.parametrize(
    ("question", "countries", "not_words", "names"),
    [
        ("how many Canadians live in Peru?", ("CA", "PE"), {"canadians", "peru"}, ()),
        ("what did Ottawa promise in March 2020?", ("CA",), {"ottawa", "march", "2020"}, ()),
        ("what happened at the Lima climate talks?", (), set(), ()),  # a city naming a thing
        ("when did Brussels approve the levy?", (), set(), ()),  # the EU's seat, not Belgium
        (
            "what did Anna Vey Kolst say about the Silver Coast Pact?",
            (),
            set(),
            ("Anna Vey Kolst", "Silver Coast Pact"),
        ),
    ],
)
def test_countries_dates_and_names_are_read_not_matched_as_words(
    question: str, countries: tuple[str, ...], not_words: set[str], names: tuple[str, ...]
) -> None:
    q = read_question(question)
    assert q.countries == countries
    assert not not_words & set(q.terms)
    assert q.names == names


@pytest.mark.parametrize(
    ("question", "published", "line", "answers"),
    [
        ("who won the election in June 2031?", "2029-05-01", "Ada Quist won the vote.", False),
        ("who won the election in June 2031?", "2031-06-20", "Ada Quist won the vote.", True),
        ("who won the election in June 2031?", "2033-01-02", "Ada Quist won in 2031.", True),
        ("who won the 2031 election?", "2029-05-01", "Ada Quist won the vote.", True),  # a name, not a period
    ],
)
def test_a_question_set_in_a_year_is_answered_by_lines_of_that_year(
    question: str, published: str, line: str, answers: bool
) -> None:
    from facts.answers.answer_check import in_period

    assert in_period(read_question(question), published, line) is answers


def test_a_role_tied_to_a_country_is_required_in_the_line() -> None:
    q = read_question("what did Chile's president say about the accord?")
    assert q.roles == (("CL", "president"),)
    assert holds_answer(q, "Chilean President Ana Ortiz said the accord was fair.")
    assert holds_answer(q, "The accord is fair, Chile's president told reporters.")
    assert not holds_answer(q, "Peru's president said the accord was fair, and Chile signed it.")
    assert not holds_answer(q, "Chile's president signed the accord in May.")  # says nothing


@pytest.mark.parametrize(
    ("question", "line", "answers"),
    [
        ("who signed the fisheries accord?", "Minister Tomas Vell and Ada Quist signed it.", True),
        ("who signed the fisheries accord?", "The fisheries accord was signed last year.", False),
        ("when did Peru sign the accord?", "Peru signed the accord on March 4.", True),
        ("when did Peru sign the accord?", "Peru signed the accord on Friday.", True),
        ("when did Peru sign the accord?", "Peru signed the accord after long talks.", False),
        ("how many boats were sold?", "The yard sold 40 boats to the navy.", True),
        ("how many boats were sold?", "The yard sold some boats to the navy.", False),
        ("how many tonnes of fish were landed?", "Ships landed fish on 12 days.", False),
        ("how many tonnes of fish were landed?", "Ships landed 3 million tonnes of fish.", True),
        ("how much will Chile pay Peru?", "Chile will pay Peru $40 million over ten years.", True),
        ("how much will Chile pay Peru?", "Chile will pay for 200 new patrol boats.", False),
        ("how much grain crosses the strait a year?", "Some 40 million tonnes of grain cross it.", True),
        ("how much grain crosses the strait a year?", "Grain worth $2 billion crosses it a year.", True),
        ("how much grain crosses the strait a year?", "The 30-year-old strait treaty covers grain.", False),
        ("how much grain crosses the strait a year?", "Grain has crossed the strait since 1994.", False),
        ("how much grain crosses the strait a year?", "Grain crossed the strait for 90 days.", False),
        ("how much longer will the truce last?", "The truce will last 90 more days.", True),
        ("how many ports reopened?", "The 12-year-old port accord dates from 2019.", False),
        ("how many ports reopened?", "The ports reopened on May 4.", False),
        ("how many ports reopened?", "Three ports reopened on May 4.", True),
        ("how many Peruvian-built patrol boats is Chile getting?", "Chile gets 4 patrol boats.", True),
        ("how many subs is Chile getting?", "Chile gets three submarines in 2035.", True),  # a synonym
        ("how many centrifuges may Peru keep?", "Peru may keep 300 kilograms of fuel.", False),
        ("how many MPs backed the levy?", "The levy passed with 358 votes in favour.", True),
        ("how many boats did the Ruritown yard sell?", "The yard sold 40 boats to the navy.", False),
        ("how many boats did the Ruritown yard sell?", "The Ruritown yard sold 40 boats.", True),
        ("how much compensation did Chile pay the yard?", "The contract was worth $36 billion.", False),
        ("how much compensation did Chile pay the yard?", "Chile paid the yard $500 million.", True),
        ("how much is Chile paying Peru?", "Chile will give Peru $4 million.", True),
        ("how long did each extension last?", "It was extended by 90 days.", True),
        ("how long did each extension last?", "It was extended by the two sides.", False),
        ("by what margin did the senate approve it?", "The senate approved it 61-38.", True),
        ("by what margin did the senate approve it?", "The senate approved it on Monday.", False),
        ("what share of the catch stays local?", "Some 40% of the catch stays local.", True),
        ("what share of the catch stays local?", "Half a billion fish were caught.", False),
        ("why did Peru quit the talks?", "Peru quit the talks because its quota was cut.", True),
        ("why did Peru quit the talks?", "Peru quit the talks, citing unpaid fees.", True),
        ("why did Peru quit the talks?", "Peru quit the talks on Monday.", False),
        ("why is the pact named after Lima?", "It is the Lima pact, referencing where it began.", True),
        ("why did Peru sign the pact?", "Peru signed the pact in a bid to end the strike.", True),
        ("why did Peru drop the scheme?", "Peru dropped it, saying it had never been a deterrent.", True),
        ("why did Peru drop the scheme?", "Peru dropped the scheme on its first day.", False),
        ("what does the accord allow?", "The accord allows joint patrols.", True),
        ("which ferry company was hired?", "Minister Tomas Vell hired the boats.", False),
        ("which ferry company was hired?", "The Nordlys ferry company was hired by the ministry.", True),
        ("who won Peru's election?", "President Ada Quist signed the accord on Monday.", False),
        ("who won Peru's election?", "Prime Minister Tomas Vell won the election with ease.", True),
        ("who signed the water accord?", "Chile and Peru signed the water accord on Monday.", True),
        ("who signed the water accord?", "The accord was signed by Chile on Monday.", True),
        ("who signed the water accord?", "The water accord was signed in the Chilean capital.", False),
        ("what was the tally when the senate voted?", "The senate voted 61-38 to approve it.", True),
        ("what was the tally when the senate voted?", "The senate voted on Monday.", False),
        ("how narrowly did voters reject the accord?", "Some 50.4% of voters rejected it.", True),
        ("how many drones could Peru keep?", "Peru could keep the 300 kilograms allowed.", False),
        ("how many drones could Peru keep under the 2031 accord?", "Peru could keep its drones.", False),
        ("how many nations are parties to the accord?", "The accord has 180 parties.", True),
        ("when did the city fall to the rebels?", "The rebels seized the city on Monday.", True),
        ("when did the city fall to the rebels?", "The rebels will withdraw by fall, on May 1.", False),
        ("when did the city fall to the rebels?", "The city fell to the rebels on May 1.", True),
        ("when did the court throw out the plan?", "The court ruled on Wednesday it was unlawful.", True),
        ("when did the court throw out the plan?", "The plan was announced on Wednesday.", False),
        ("when did Peru declare the text final?", "Its envoy wrote on Monday: the text is final.", True),
        ("when did Peru declare the text final?", "Its envoy said on Monday that talks would go on.", False),
        ("by what date had Chile told Peru to sign?", "Peru has until May 12 to sign.", True),  # framing
    ],
)
def test_a_line_must_hold_what_the_question_asks(question: str, line: str, answers: bool) -> None:
    assert holds_answer(read_question(question), line) is answers


def _article(n: int, title: str, body: str, published: str = "2031-05-12") -> ArticleInput:
    return ArticleInput(
        title=title,
        outlet=f"Wire {n}",
        published=published,
        published_precision="day",
        url=f"https://wire{n}.example/story",
        body=body,
        origin="test",
    )


ARTICLES = [
    _article(
        1,
        "Freedonia and Chile agree on returns",
        "Freedonia and Chile agree on returns\n\n"
        "Chile and Freedonia reached a returns accord on Tuesday after months of talks.\n\n"
        "About 300 Freedonians who had been held at the border were flown back on Wednesday.\n\n"
        "Freedonia's interior minister, Lena Haroth, said the flights would continue. "
        "She said her government would open two reception centres.\n\n"
        "Funding\n\n"
        "Chile will give Freedonia $4 million to run the centres.\n",
    ),
    _article(
        2,
        "Harbour strike ends",
        "Harbour strike ends\n\n"
        "Dock workers in Valparaiso returned to work on Monday after a week-long strike.\n\n"
        "The union said the port would clear its backlog within days.\n",
    ),
]


@pytest.fixture
async def returns_store(tmp_path: Path) -> SQLiteStore:
    store = await open_store(tmp_path / "ask.db", bundled_corpus=False)
    for a in ARTICLES:
        await store.ingest(a)
    yield store
    await store.close()


async def _ask(store: SQLiteStore, question: str) -> Answer:
    return await handle(parse_command_line(f"/ask {question}"), store)


def _said(answer: Answer) -> bool:
    return any("do not say" in n for n in answer.notes)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many people were sent home to Freedonia?", "About 300 Freedonians"),  # paraphrase
        ("how much is Chile paying Freedonia?", "$4 million"),  # "how much ... paying" vs "give"
        ("what will the government of Freedonia open?", "two reception centres"),  # "She said her…"
        ("when did the dock workers go back to work?", "returned to work on Monday"),
        # a name no passage holds is the asker's wording ("Elbonian": no story says it)
        ("how many people did the Elbonian border guards hand back to Freedonia?", "About 300 Freedonians"),
    ],
)
async def test_paraphrased_questions_find_their_answer(
    returns_store: SQLiteStore, question: str, expected: str
) -> None:
    answer = await _ask(returns_store, question)
    assert not _said(answer), answer.notes
    assert any(expected in it.text for it in answer.items[:2]), [it.text for it in answer.items]
    for it in answer.items:  # cited lines are the verbatim sentences, never a heading
        assert it.text not in {"Funding", "Freedonia and Chile agree on returns"}
        assert all(c.quote in ARTICLES[0].body + ARTICLES[1].body for c in it.citations)


@pytest.mark.parametrize(
    "question",
    [
        "who signed the returns accord between Chile and Freedonia?",  # no signer is named
        "how much did the harbour strike cost?",  # figures elsewhere, none about that
        "what did Chile's president say about the returns?",  # no such line
        "why did the strike in Freedonia begin?",
        "how many dock workers went back to work in Valparaiso in 2035?",  # the stories are of 2031
        "how many people did the Valparaiso port authority fly home?",  # a name the line lacks
    ],
)
async def test_the_documents_do_not_say_and_show_only_the_nearest(
    returns_store: SQLiteStore, question: str
) -> None:
    answer = await _ask(returns_store, question)
    assert _said(answer), [it.text for it in answer.items]
    assert len(answer.items) <= 1
    assert all(it.group and "nearest" in it.group.lower() for it in answer.items)


async def test_a_store_from_before_vectors_gets_them_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = await open_store(path, bundled_corpus=False)
    await store.ingest(ARTICLES[0])
    await store.connection.execute("DELETE FROM passage_vectors")
    await store.connection.execute("DELETE FROM _meta WHERE key = 'vectors_complete'")
    await store.close()
    store = await open_store(path, bundled_corpus=False)
    try:
        row = await store.connection.fetchone(
            "SELECT count(*) AS vectors, (SELECT count(*) FROM passages) AS passages FROM passage_vectors"
        )
        vectors, passages = row["vectors"], row["passages"]
        assert vectors == passages > 0
        answer = await _ask(store, "how much is Chile paying Freedonia?")
        assert any("$4 million" in it.text for it in answer.items)
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("question", "line", "answers"),
    [
        # The date must sit in the clause of the asked event (its word or a synonym).
        ("when did the levy take effect?", "The levy took effect on March 3.", True),
        ("when did the levy take effect?", "The levy came into force on March 3.", True),
        ("when did the levy take effect?", "Osric Fenn proposed the levy on March 3.", False),
        ("when did the levy take effect?", "MPs passed the levy on March 3, but it never took effect", False),
        ("when will the consulate open?", "The consulate will open its doors on June 9.", True),
        ("when will the consulate open?", "Envoys visited the consulate site on June 9.", False),
        ("when did Peru withdraw from the accord?", "Peru signed on May 4, but it withdrew on June 9.", True),
        ("when did Peru withdraw from the accord?", "Peru signed the accord on May 4.", False),
        ("when did Chile and Peru sign the accord?", "Chile and Peru inked the accord on May 4.", True),
        ("when did Chile and Peru sign the accord?", "They signed it, which took effect on May 4.", False),
        ("when was the exit made official?", "Peru formally left the accord on Wednesday.", True),
        ("when did the withdrawal take effect?", "The withdrawal took effect on June 9.", True),
        ("when did the withdrawal take effect?", "The accord went into effect on June 9.", False),
        ("when will the second levy take effect?", "The levy takes effect on June 9.", False),
        ("when will the second levy take effect?", "A second levy takes effect on June 9.", True),
        # No known event in the question: any date answers, as before.
        ("when was the accord?", "The accord dates from May 4.", True),
    ],
)
def test_a_when_answer_dates_the_asked_event(question: str, line: str, answers: bool) -> None:
    assert holds_answer(read_question(question), line) is answers


@pytest.mark.parametrize(
    ("question", "line", "near"),
    [
        ("how big is the fish trade?", "Their fish trade is worth $3 billion a year.", True),
        ("how big is the fish trade?", "Some $3 billion went to roads, while fish trade grew.", False),
        ("how long were the permits renewed?", "The permits were renewed for 90 days.", True),
        ("how large is the fund?", "The fund holds 40 million euros.", True),
        ("how large is the fund?", "Ada Quist, 61, spoke at the fund's opening.", False),
    ],
)
def test_a_figure_next_to_the_asked_noun_is_found(question: str, line: str, near: bool) -> None:
    from facts.answers.answer_check import figure_near

    assert figure_near(read_question(question), line) is near


def _scored(text: str, score: float, day: str) -> Scored:
    doc = DocumentRow(1, "https://example.test/a", 1, "Example", "A", day, "day")
    return Scored(PassageHit(hash(text) % 1000, doc, text, "sentence", 0.0, None), score, True)


def test_each_different_figure_is_shown_not_only_the_best() -> None:
    scored = [
        _scored("The permits were renewed for 120 days.", 0.80, "2021-07-01"),
        _scored("The permits were renewed again for 120 days.", 0.78, "2021-11-01"),
        _scored("In March the permits got a 60-day extension.", 0.55, "2022-03-01"),
        _scored("They were then renewed for two more months.", 0.52, "2022-05-01"),
        _scored("A far weaker line with 9 days in it.", 0.30, "2022-06-01"),
    ]
    shown = [s.hit.text for s in answering(scored, 6, "figure")]
    assert shown[:2] == [scored[0].hit.text, scored[1].hit.text]
    assert scored[2].hit.text in shown and scored[3].hit.text in shown
    assert scored[4].hit.text not in shown  # below the reach of the best
    # The same amount reported by another document on another day is another report.
    again = [scored[0], _scored("The permits got 120 days more.", 0.60, "2022-09-01")]
    assert len(answering(again, 6, "figure")) == 2
    assert len(answering([scored[0], _scored("Then 120 days more.", 0.60, "2021-07-01")], 6, "figure")) == 1
    # Other kinds keep the narrow margin.
    assert [s.hit.text for s in answering(scored, 6, "what")] == [scored[0].hit.text, scored[1].hit.text]


def test_a_line_near_a_passing_best_one_is_shown_though_under_the_floor() -> None:
    best = _scored("The pact was about to expire on February 5.", 0.34, "2031-01-31")
    near = _scored("It was set to expire this Thursday.", 0.17, "2031-02-04")
    weak = _scored("It expires one day.", 0.10, "2031-02-04")
    assert answering([best, near, weak], 6, "when", 0.20) == [best, near]
    assert answering([near, weak], 6, "when", 0.20) == []  # the best must pass the floor itself


@pytest.mark.parametrize(
    ("question", "events"),
    [
        ("when was the pact due to lapse before they prolonged it?", ["end"]),  # its own clause only
        ("when did the New Start treaty lapse?", ["end"]),  # a name is no event
        ("when did Peru sign the pact?", ["sign"]),
    ],
)
def test_a_when_question_asks_about_the_event_of_its_own_clause(question: str, events: list[str]) -> None:
    from facts.answers.answer_check import asked_events

    _, groups = asked_events(read_question(question))
    assert [g[0] for g in groups] == events


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "which date did Chile set, and what date did Peru set instead?",
            ["which date did Chile set?", "what date did Peru set instead?"],
        ),
        ("how far, and how fast, did the fleet shrink?", None),  # the first part asks nothing alone
        ("who signed the accord and when?", None),
        ("what did Peru and Chile agree?", None),
    ],
)
def test_a_question_in_two_parts_is_asked_part_by_part(question: str, parts: list[str] | None) -> None:
    from facts.answers.question import question_parts

    assert question_parts(question) == (parts or [question])


async def test_each_part_of_a_two_part_question_is_answered_or_said(returns_store: SQLiteStore) -> None:
    both = await _ask(
        returns_store, "how much will Chile give Freedonia, and when did the dock workers return to work?"
    )
    texts = " ".join(it.text for it in both.items)
    assert "$4 million" in texts and "returned to work on Monday" in texts
    assert not _said(both)
    half = await _ask(
        returns_store, "how much will Chile give Freedonia, and who painted the harbour lighthouse?"
    )
    assert "$4 million" in " ".join(it.text for it in half.items)
    assert [n for n in half.notes if "do not say" in n and "lighthouse" in n]


def test_a_large_index_compares_all_bits_on_what_the_first_64_keep(monkeypatch: pytest.MonkeyPatch) -> None:
    import facts.store.passage_vectors as pv

    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((3000, embedding.DIM)).astype(np.float32)
    bits = embedding.pack_bits(vecs)
    exact, coarse = VectorIndex(), VectorIndex()
    for index in (exact, coarse):
        for start in range(0, 3000, 1000):  # added in batches, as questions come between ingests
            index.extend([(i + 1, bits[i].tobytes()) for i in range(start, start + 1000)])
    query = vecs[42] + 0.3 * rng.standard_normal(embedding.DIM).astype(np.float32)
    want = exact.nearest(query, 10)
    monkeypatch.setattr(pv, "COARSE_FROM", 1000)
    monkeypatch.setattr(pv, "COARSE_KEEP", 600)
    got = coarse.nearest(query, 10)
    assert got[0] == want[0] == 43  # the vector the query was made from, first either way
    # Random vectors are the worst case (the rest are all about equally far, and no leading
    # dimensions carry more than others): still, most of the exact ten come through.
    assert len(set(got) & set(want)) >= 5


class _Counts:
    """A store that only counts: each word holds the given number of passages."""

    def __init__(self, df: dict[str, int]) -> None:
        self.df = df

    async def passage_count(self) -> int:
        return 1_000_000

    async def count_passages_each(self, queries, *, cap):  # type: ignore[no-untyped-def]
        return [min(self.df.get(q.phrases[0], 0), cap) for q in queries]


@pytest.mark.parametrize(
    ("df", "ranked"),
    [
        # Few matches in all: every rare word is ranked on.
        ({"quotas": 10, "trawlers": 30, "ruritania": 5}, {"quotas", "trawlers", "ruritania"}),
        # Past the budget the commoner words are not ranked on; the rarest always is.
        ({"quotas": 1500, "trawlers": 1800, "herring": 1900}, {"quotas", "trawlers"}),
        ({"quotas": 1999, "trawlers": 1999, "herring": 1999}, {"quotas", "trawlers"}),
        # Words in COMMON passages or more are never ranked on.
        ({"quotas": 5000, "trawlers": 20, "herring": 9000}, {"trawlers"}),
    ],
)
async def test_a_question_ranks_on_a_bounded_number_of_passages(df: dict[str, int], ranked: set[str]) -> None:
    import facts.answers.ask as ask_module
    from facts.answers.question import read_question

    q = read_question(f"When did the {' '.join(df)} deal end?")
    _, common, _ = await ask_module._idf(_Counts(df), q)  # type: ignore[arg-type]
    assert {t for t in df if t not in common} == ranked


async def test_when_every_word_is_common_the_newest_holding_them_all_are_read(
    returns_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facts.answers.ask as ask_module

    asked: list[bool] = []
    search = returns_store.search_passages

    async def spy(query, *, limit=40, newest_first=False):  # type: ignore[no-untyped-def]
        asked.append(newest_first)
        return await search(query, limit=limit, newest_first=newest_first)

    monkeypatch.setattr(returns_store, "search_passages", spy)
    question = "How much will Chile give to run the centres?"  # every word in the store
    await ask_module.retrieve(returns_store, question)
    monkeypatch.setattr(ask_module, "COMMON", 1)  # now every word of it is in "too many" passages
    _, scored = await ask_module.retrieve(returns_store, question)
    assert asked == [False, True]
    assert scored  # the vectors and the newest passages still bring candidates
