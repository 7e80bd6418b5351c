from __future__ import annotations

import bisect
import difflib
import html
import random
import re
from html.parser import HTMLParser

import pytest

from app.kit import diff
from app.kit.diff import SectionChange, SectionText, compare_sections, has_changes, summary, word_diff

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>klik</a>",
]


class TagCollector(HTMLParser):
    """Every start/end tag a browser would see in the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("/" + tag, []))


def tags_in(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = TagCollector()
    parser.feed(markup)
    parser.close()
    return parser.tags


# --- word_diff ---------------------------------------------------------------------------------------------


def test_one_word_change_is_one_del_and_one_ins() -> None:
    out = word_diff("the quick brown fox", "the slow brown fox")
    assert out == "the <del>quick</del><ins>slow</ins> brown fox"
    assert out.count("<del>") == 1
    assert out.count("<ins>") == 1


def test_punctuation_stays_attached_to_its_word() -> None:
    assert word_diff("Klaar, denk ik.", "Klaar, weet ik.") == "Klaar, <del>denk</del><ins>weet</ins> ik."
    assert word_diff("einde.", "einde!") == "<del>einde.</del><ins>einde!</ins>"


def test_adjacent_changed_words_merge_into_one_pair() -> None:
    assert word_diff("foo bar baz", "qux quux baz") == "<del>foo bar</del><ins>qux quux</ins> baz"


def test_insertion_only() -> None:
    assert word_diff("a c", "a b c") == "a <ins>b </ins>c"
    assert word_diff("a", "a b") == "a<ins> b</ins>"
    assert word_diff("", "nieuw") == "<ins>nieuw</ins>"


def test_deletion_only() -> None:
    assert word_diff("a b c", "a c") == "a <del>b </del>c"
    assert word_diff("weg", "") == "<del>weg</del>"


def test_identical_input_is_escaped_text_only() -> None:
    text = "Zorg & welzijn <2025>\nregel twee"
    out = word_diff(text, text)
    assert out == "Zorg &amp; welzijn &lt;2025&gt;\nregel twee"
    assert "<del>" not in out
    assert "<ins>" not in out
    assert word_diff("", "") == ""


def test_line_endings_are_not_a_change() -> None:
    assert word_diff("een\r\ntwee", "een\ntwee") == "een\ntwee"
    assert not has_changes("een\r\ntwee", "een\ntwee")
    assert has_changes("een", "twee")
    assert not has_changes("x", "x")


def test_newlines_are_preserved() -> None:
    assert word_diff("one\ntwo\n\nthree", "one\n2\n\nthree") == "one\n<del>two</del><ins>2</ins>\n\nthree"
    assert word_diff("a\nb", "a\n\nb") == "a<del>\n</del><ins>\n\n</ins>b"


def test_escapes_quotes_and_ampersands_inside_changes() -> None:
    assert word_diff('zeg "ja"', "zeg 'nee' & ok") == "zeg <del>&quot;ja&quot;</del><ins>&#x27;nee&#x27; &amp; ok</ins>"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("side", ["old", "new", "both", "unchanged"])
def test_xss_payloads_are_escaped(payload: str, side: str) -> None:
    text = f"tekst {payload} einde"
    old, new = {
        "old": (text, "tekst einde"),
        "new": ("tekst einde", text),
        "both": (text, f"ander {payload} slot"),
        "unchanged": (text, text),
    }[side]
    out = word_diff(old, new)
    # The payload is there, but only as escaped text.
    assert html.escape(payload, quote=True) in out
    if any(ch in payload for ch in "<>\"'"):
        assert payload not in out
    assert "<script" not in out
    assert "<img" not in out
    assert "<svg" not in out
    assert "<a " not in out
    # The only markup a browser sees is our own del/ins, without attributes.
    assert all(tag in {"del", "/del", "ins", "/ins"} and not attrs for tag, attrs in tags_in(out))


def test_xss_payload_is_shown_as_text() -> None:
    out = word_diff("x", "<script>alert(1)</script>")
    assert out == "<del>x</del><ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>"
    # javascript: in plain text cannot run: it never ends up in an attribute.
    assert word_diff("zie link", "zie javascript:alert(1)") == "zie <del>link</del><ins>javascript:alert(1)</ins>"


def side_of(markup: str, side: str) -> str:
    """The old (or new) text back from a diff: drop the other side's runs, unwrap ours, unescape."""
    drop, keep = ("ins", "del") if side == "old" else ("del", "ins")
    text = re.sub(rf"<{drop}>.*?</{drop}>", "", markup, flags=re.DOTALL)
    return html.unescape(text.replace(f"<{keep}>", "").replace(f"</{keep}>", ""))


def random_text(rng: random.Random, words: int) -> str:
    vocab = ["de", "het", "een", "zorg", "jeugd", "regio", "<b>", "&", '"x"', "budget.", "plan,"]
    return "".join(rng.choice(vocab) + rng.choice([" ", " ", " ", "\n", "\n\n", "  "]) for _ in range(words))


@pytest.mark.parametrize("max_work", [1_000_000, 400, 20])
def test_diff_reconstructs_both_texts(monkeypatch: pytest.MonkeyPatch, max_work: int) -> None:
    # A small budget forces the line-level and whole-block fallbacks; the output must stay exact.
    monkeypatch.setattr(diff, "_MAX_WORK", max_work)
    rng = random.Random(max_work)
    for _ in range(50):
        old = random_text(rng, rng.randint(0, 60))
        words = old.split(" ")
        for _ in range(rng.randint(0, 5)):
            words[rng.randrange(len(words))] = rng.choice(["nieuw", "<i>", "weg\n"])
        new = " ".join(words) if rng.random() < 0.7 else random_text(rng, rng.randint(0, 60))
        out = word_diff(old, new)
        assert side_of(out, "old") == old
        assert side_of(out, "new") == new
        assert "<del></del>" not in out
        assert "<ins></ins>" not in out
        assert "</del><del>" not in out
        assert "</ins><ins>" not in out


def test_line_fallback_still_diffs_words(monkeypatch: pytest.MonkeyPatch) -> None:
    old = "een twee drie\nvier vijf zes\nzeven acht negen\n"
    new = "een 2 drie\nvier vijf zes\nzeven acht 9\n"
    # The changed middle (15 x 15 tokens) is over budget: lines are matched, then words inside changed lines.
    monkeypatch.setattr(diff, "_MAX_WORK", 50)
    assert word_diff(old, new) == (
        "een <del>twee</del><ins>2</ins> drie\nvier vijf zes\nzeven acht <del>negen</del><ins>9</ins>\n"
    )
    # Once the shared budget is spent (4 x 4, then 5 x 5 > 30 - 16), a changed line is one del/ins.
    monkeypatch.setattr(diff, "_MAX_WORK", 30)
    assert word_diff(old, new) == (
        "een <del>twee</del><ins>2</ins> drie\nvier vijf zes\n<del>zeven acht negen</del><ins>zeven acht 9</ins>\n"
    )


def test_large_rewrite_is_bounded(comparisons: list[int]) -> None:
    rng = random.Random(7)
    old = " ".join(rng.choice("ab") for _ in range(20_000))
    new = " ".join(rng.choice("ab") for _ in range(20_000))
    out = word_diff(old, new)
    assert comparisons[0] <= MAX_COMPARISONS  # bounded work, counted (bench/limits.py times it)
    assert side_of(out, "old") == old
    assert side_of(out, "new") == new


# --- compare_sections --------------------------------------------------------------------------------------


def sections(*items: tuple[str, str, str]) -> list[SectionText]:
    return [SectionText(key, heading, body, position) for position, (key, heading, body) in enumerate(items)]


A = ("a", "Inleiding", "Over dit document.")
B = ("b", "Doel", "Wat we willen bereiken.")
C = ("c", "Planning", "Eerst dit, dan dat.")
D = ("d", "Budget", "Genoeg.")


def kinds(changes: list[SectionChange]) -> list[tuple[str, str, bool]]:
    return [(c.key, c.change, c.moved) for c in changes]


def test_unchanged_sections() -> None:
    changes = compare_sections(sections(A, B), sections(A, B))
    assert kinds(changes) == [("a", "unchanged", False), ("b", "unchanged", False)]
    assert changes[0].heading_diff == "Inleiding"
    assert changes[0].body_diff == "Over dit document."
    assert changes[0].old == SectionText("a", "Inleiding", "Over dit document.", 0)
    assert changes[0].new == changes[0].old


def test_added_section() -> None:
    changes = compare_sections(sections(A, C), sections(A, B, C))
    assert kinds(changes) == [("a", "unchanged", False), ("b", "added", False), ("c", "unchanged", False)]
    added = changes[1]
    assert added.old is None
    assert added.new == SectionText("b", "Doel", "Wat we willen bereiken.", 1)
    assert (added.heading_diff, added.body_diff) == ("", "")


def test_section_added_at_top_moves_nothing() -> None:
    changes = compare_sections(sections(A, B, C), sections(D, A, B, C))
    assert kinds(changes) == [
        ("d", "added", False),
        ("a", "unchanged", False),
        ("b", "unchanged", False),
        ("c", "unchanged", False),
    ]


def test_removed_section_is_placed_after_its_old_predecessor() -> None:
    changes = compare_sections(sections(A, B, C), sections(A, C))
    assert kinds(changes) == [("a", "unchanged", False), ("b", "removed", False), ("c", "unchanged", False)]
    removed = changes[1]
    assert removed.old == SectionText("b", "Doel", "Wat we willen bereiken.", 1)
    assert removed.new is None
    assert (removed.heading_diff, removed.body_diff) == ("", "")


def test_removed_first_section_goes_to_the_start() -> None:
    changes = compare_sections(sections(A, B, C), sections(D, B, C))
    assert kinds(changes) == [
        ("a", "removed", False),
        ("d", "added", False),
        ("b", "unchanged", False),
        ("c", "unchanged", False),
    ]


def test_consecutive_removed_sections_keep_their_order() -> None:
    changes = compare_sections(sections(A, B, C, D), sections(A, D))
    assert [c.key for c in changes] == ["a", "b", "c", "d"]
    assert [c.change for c in changes] == ["unchanged", "removed", "removed", "unchanged"]


def test_removed_section_follows_a_moved_predecessor() -> None:
    changes = compare_sections(sections(A, B, C, D), sections(C, D, A))
    assert kinds(changes) == [
        ("c", "unchanged", False),
        ("d", "unchanged", False),
        ("a", "moved", True),
        ("b", "removed", False),
    ]


def test_changed_heading_and_body() -> None:
    old = sections(A, B)
    new = sections(A, ("b", "Doelen", "Wat we samen willen bereiken."))
    changes = compare_sections(old, new)
    assert kinds(changes) == [("a", "unchanged", False), ("b", "changed", False)]
    assert changes[1].heading_diff == "<del>Doel</del><ins>Doelen</ins>"
    assert changes[1].body_diff == "Wat we <ins>samen </ins>willen bereiken."


def test_changed_heading_only_and_body_only() -> None:
    changes = compare_sections(sections(A, B), sections(("a", "Intro", A[2]), ("b", B[1], "Niets.")))
    assert kinds(changes) == [("a", "changed", False), ("b", "changed", False)]
    assert changes[0].heading_diff == "<del>Inleiding</del><ins>Intro</ins>"
    assert changes[0].body_diff == "Over dit document."
    assert changes[1].heading_diff == "Doel"
    assert changes[1].body_diff == "<del>Wat we willen bereiken.</del><ins>Niets.</ins>"


def test_swapping_two_sections_moves_only_the_later_one() -> None:
    # Rule: a longest run of sections that kept their relative order stays put; on a tie, the sections that
    # came first in the old version stay put. Swapping a and b therefore moves b (the later one), not both.
    changes = compare_sections(sections(A, B, C), sections(B, A, C))
    assert kinds(changes) == [("b", "moved", True), ("a", "unchanged", False), ("c", "unchanged", False)]


def test_moving_one_section_far_marks_only_that_section() -> None:
    changes = compare_sections(sections(A, B, C, D), sections(D, A, B, C))
    assert kinds(changes) == [
        ("d", "moved", True),
        ("a", "unchanged", False),
        ("b", "unchanged", False),
        ("c", "unchanged", False),
    ]
    changes = compare_sections(sections(A, B, C, D), sections(B, C, D, A))
    assert [c.key for c in changes if c.moved] == ["a"]


def test_swapping_two_blocks_keeps_the_earlier_block() -> None:
    changes = compare_sections(sections(A, B, C, D), sections(C, D, A, B))
    assert [c.key for c in changes if c.moved] == ["c", "d"]


def test_changed_and_moved_section() -> None:
    changes = compare_sections(sections(A, B, C), sections(B, C, ("a", "Inleiding", "Nieuwe tekst.")))
    assert kinds(changes) == [("b", "unchanged", False), ("c", "unchanged", False), ("a", "changed", True)]
    assert changes[2].body_diff == "<del>Over dit document.</del><ins>Nieuwe tekst.</ins>"


def test_order_follows_positions_not_list_order() -> None:
    old = [SectionText("b", "B", "", 20), SectionText("a", "A", "", 10)]
    new = [SectionText("a", "A", "", 5), SectionText("b", "B", "", 7)]
    assert kinds(compare_sections(old, new)) == [("a", "unchanged", False), ("b", "unchanged", False)]


def test_gaps_in_positions_do_not_count_as_moves() -> None:
    old = [SectionText("a", "A", "", 1), SectionText("b", "B", "", 2)]
    new = [SectionText("a", "A", "", 10), SectionText("b", "B", "", 99)]
    assert summary(compare_sections(old, new))["moved"] == 0


def test_section_diffs_are_escaped() -> None:
    old = sections(("a", "<b>Kop</b>", "<script>alert(1)</script>"))
    new = sections(("a", "<b>Kop</b>", '"><svg onload=alert(1)>'))
    change = compare_sections(old, new)[0]
    assert change.heading_diff == "&lt;b&gt;Kop&lt;/b&gt;"
    assert change.body_diff == (
        "<del>&lt;script&gt;alert(1)&lt;/script&gt;</del><ins>&quot;&gt;&lt;svg onload=alert(1)&gt;</ins>"
    )


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate section key 'a'"):
        compare_sections(sections(A, A), sections(A))


def test_empty_versions() -> None:
    assert compare_sections([], []) == []
    assert kinds(compare_sections([], sections(A))) == [("a", "added", False)]
    assert kinds(compare_sections(sections(A), [])) == [("a", "removed", False)]


def test_summary_counts() -> None:
    old = sections(A, B, C, D)
    new = sections(("c", "Planning", "Eerst dat."), A, ("e", "Nieuw", "Extra."), D)
    changes = compare_sections(old, new)
    # c moved ahead of a (and was edited); b was removed after a; e is new.
    assert kinds(changes) == [
        ("c", "changed", True),
        ("a", "unchanged", False),
        ("b", "removed", False),
        ("e", "added", False),
        ("d", "unchanged", False),
    ]
    assert summary(changes) == {"added": 1, "removed": 1, "changed": 1, "unchanged": 2, "moved": 1, "total": 5}


def test_summary_counts_place_only_moves() -> None:
    changes = compare_sections(sections(A, B, C), sections(B, A, C))
    assert summary(changes) == {"added": 0, "removed": 0, "changed": 0, "unchanged": 2, "moved": 1, "total": 3}
    assert summary([]) == {"added": 0, "removed": 0, "changed": 0, "unchanged": 0, "moved": 0, "total": 0}


# --- bounded work (issue 14) --------------------------------------------------------------------------------

# Inputs at the largest accepted sizes (quote 2,000 characters, suggested text 10,000) that make difflib's
# SequenceMatcher do far more than len(a) * len(b) work: one repeated word whose separators differ, so every
# match is one token long and each is searched for again over the whole remaining range.
ADVERSARIAL = {
    "chained words": (("x " * 400)[:800], ("x  " * 600)[:1_800]),
    "chained, long replacement": (("x " * 250)[:500], ("x  " * 1_000)[:3_000]),
    "repeated lines": (("x\n" * 1_000)[:2_000], ("x\ny\n" * 500)[:2_000]),
}
MAX_COMPARISONS = 250_000  # the old code made millions on these (and took seconds)


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the inner-loop steps of difflib's find_longest_match (the library's method, still run as is): for
    each a[i] in the range, the positions of a[i] in b it walks through before reaching bhi."""
    counted = [0]
    original = difflib.SequenceMatcher.find_longest_match

    def counting(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        counted[0] += sum(1 + bisect.bisect_left(self.b2j.get(self.a[i], []), bhi) for i in range(alo, ahi))
        return original(self, alo, ahi, blo, bhi)

    monkeypatch.setattr(difflib.SequenceMatcher, "find_longest_match", counting)
    return counted


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_worst_case_suggestion_does_bounded_work(comparisons: list[int], name: str) -> None:
    old, new = ADVERSARIAL[name]
    out = word_diff(old, new)
    assert comparisons[0] <= MAX_COMPARISONS
    assert side_of(out, "old") == old
    assert side_of(out, "new") == new
    # Output is linear in the input: the escaped texts plus a few tags.
    assert len(out) <= len(html.escape(old)) + len(html.escape(new)) + 100


def test_over_budget_diff_is_one_deletion_and_one_insertion() -> None:
    old, new = ADVERSARIAL["chained words"]
    # No word-level diff within budget: the shared start stays, the rest is deleted and inserted as a whole.
    assert word_diff(old, new) == f"x<del>{old[1:]}</del><ins>{new[1:]}</ins>"


def test_large_ordinary_rewrite_keeps_its_word_diff(comparisons: list[int]) -> None:
    # 1,869 characters of distinct words with three words replaced: too costly for the exact word diff (every
    # space is compared with every space), so words are matched with their trailing space; the result is the same.
    words = [f"woord{i}" for i in range(220)]
    changed = {10: "nieuw", 100: "ander", 200: "derde"}
    old = " ".join(words)
    new = " ".join(changed.get(i, w) for i, w in enumerate(words))
    assert len(old) <= 2_000
    assert word_diff(old, new) == " ".join(
        f"<del>{w}</del><ins>{changed[i]}</ins>" if i in changed else w for i, w in enumerate(words)
    )
    assert comparisons[0] <= MAX_COMPARISONS


def test_suggestion_without_quote_against_a_long_section_is_bounded(comparisons: list[int]) -> None:
    # Without a quote the suggestion is compared with the whole section (up to 100,000 characters).
    rng = random.Random(14)
    section = random_text(rng, 20_000)[:100_000]
    suggestion = random_text(rng, 2_000)[:10_000]
    out = word_diff(section, suggestion)
    assert comparisons[0] <= MAX_COMPARISONS
    assert side_of(out, "old") == section
    assert side_of(out, "new") == suggestion
