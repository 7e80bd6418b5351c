"""Compare two versions of a text or a document: word-level HTML diffs and section-level change lists.

Pure functions. All user text that reaches the output HTML goes through ``html.escape(..., quote=True)``; the
only markup produced is ``<del>`` and ``<ins>``. Section bodies are Markdown: they are compared as the plain
text a reader sees (``app.kit.markdown.plain_text``), so no ``**`` or ``#`` shows in a diff.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from app.kit.markdown import plain_text

ChangeKind = Literal["added", "removed", "changed", "moved", "unchanged"]

_TOKEN = re.compile(r"\s+|\S+")
_NEWLINES = re.compile(r"\r\n?")
# Upper bound on len(a) * len(b) handed to one SequenceMatcher on words; larger regions are matched per line.
_MAX_WORK = 1_000_000
# Upper bound on the comparisons of one word_diff: SequenceMatcher is far worse than len(a) * len(b) when few
# distinct words repeat (every match it finds is searched for over the whole remaining range again), so its
# actual work is counted and capped. The first, exact word-level try may use half; coarser fallbacks share
# the rest, and what is left when that is spent is shown as one deletion and one insertion.
_MAX_STEPS = 120_000

_Op = tuple[bool, list[str], list[str]]  # (unchanged?, old tokens, new tokens)


class _Exhausted(Exception):
    """The comparison budget of one diff is spent."""


class _Budget:
    """Comparisons left for one word_diff call."""

    def __init__(self, steps: int) -> None:
        self.steps = steps


class _CountingMatcher(SequenceMatcher):
    """A SequenceMatcher (no junk, no autojunk: same results) that charges its work to a budget.

    ``find_longest_match`` on a[alo:ahi] visits, for every a[i], the positions of a[i] in b (up to bhi); a prefix
    sum over a of those counts gives an upper bound on that work in O(1) before the call, so a call that would
    go over the budget is never started.
    """

    # SequenceMatcher's own attributes, which typeshed does not declare.
    a: Sequence[str]
    b: Sequence[str]
    b2j: dict[str, list[int]]

    def __init__(self, a: Sequence[str], b: Sequence[str], budget: _Budget, limit: int) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._budget = budget
        self._left = min(limit, budget.steps)
        cost = [0]
        total = 0
        for token in a:
            total += 1 + len(self.b2j.get(token, ()))
            cost.append(total)
        self._cost = cost

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        work = self._cost[ahi] - self._cost[alo] + 1
        if work > self._left:
            raise _Exhausted
        self._left -= work
        self._budget.steps -= work
        return super().find_longest_match(alo, ahi, blo, bhi)


def _match(a: Sequence[str], b: Sequence[str], budget: _Budget, limit: int | None = None) -> list[_Op] | None:
    """SequenceMatcher's opcodes as ops, or None when that would cost more than ``limit`` (default: all that is
    left) of the budget."""
    if not a or not b:
        return [(False, list(a), list(b))]
    if budget.steps <= 0:
        return None
    matcher = _CountingMatcher(a, b, budget, budget.steps if limit is None else limit)
    try:
        opcodes = matcher.get_opcodes()
    except _Exhausted:
        return None
    return [(tag == "equal", list(a[i1:i2]), list(b[j1:j2])) for tag, i1, i2, j1, j2 in opcodes]


def _normalise(text: str) -> str:
    """CRLF and lone CR become LF, so a textarea round-trip is not reported as a change."""
    return _NEWLINES.sub("\n", text)


def _escape(tokens: Iterable[str]) -> str:
    return html.escape("".join(tokens), quote=True)


def has_changes(old: str, new: str) -> bool:
    """Whether the texts differ (line-ending style ignored)."""
    return _normalise(old) != _normalise(new)


def _token_ops(a: list[str], b: list[str]) -> list[_Op]:
    """Diff two token lists; work is bounded, so huge rewrites degrade to coarser (line or whole) changes."""
    ops: list[_Op] = []
    # Common prefix and suffix are cheap and usually most of the text.
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if head:
        ops.append((True, a[:head], b[:head]))
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    budget = _Budget(_MAX_STEPS)
    exact = _match(mid_a, mid_b, budget, _MAX_STEPS // 2) if len(mid_a) * len(mid_b) <= _MAX_WORK else None
    ops.extend(exact if exact is not None else _line_ops(mid_a, mid_b, budget))
    if tail:
        ops.append((True, a[len(a) - tail :], b[len(b) - tail :]))
    return ops


def _lines(tokens: list[str]) -> list[list[str]]:
    """Tokens grouped into lines; a line ends with the whitespace token that holds its newline."""
    lines: list[list[str]] = [[]]
    for token in tokens:
        lines[-1].append(token)
        if "\n" in token:
            lines.append([])
    return [line for line in lines if line]


def _words(tokens: list[str]) -> list[list[str]]:
    """Tokens grouped into words, each with the whitespace after it (whitespace at the start stands alone)."""
    words: list[list[str]] = []
    for token in tokens:
        if words and token.isspace() and not words[-1][-1].isspace():
            words[-1].append(token)
        else:
            words.append([token])
    return words


def _group_ops(groups_a: list[list[str]], groups_b: list[list[str]], budget: _Budget) -> list[_Op] | None:
    """Match whole groups of tokens (lines, words); each op holds the tokens of its groups. None: over budget."""
    keys = _match(["".join(g) for g in groups_a], ["".join(g) for g in groups_b], budget)
    if keys is None:
        return None
    ops: list[_Op] = []
    i = j = 0
    for is_equal, old_keys, new_keys in keys:
        block_a = [token for group in groups_a[i : i + len(old_keys)] for token in group]
        block_b = [token for group in groups_b[j : j + len(new_keys)] for token in group]
        i, j = i + len(old_keys), j + len(new_keys)
        ops.append((is_equal, block_a, block_b))
    return ops


def _trimmed(block_a: list[str], block_b: list[str]) -> list[_Op]:
    """A changed block with the tokens both sides start and end with taken out as unchanged."""
    head = 0
    while head < len(block_a) and head < len(block_b) and block_a[head] == block_b[head]:
        head += 1
    tail = 0
    while tail < len(block_a) - head and tail < len(block_b) - head and block_a[-1 - tail] == block_b[-1 - tail]:
        tail += 1
    return [
        (True, block_a[:head], block_b[:head]),
        (False, block_a[head : len(block_a) - tail], block_b[head : len(block_b) - tail]),
        (True, block_a[len(block_a) - tail :], block_b[len(block_b) - tail :]),
    ]


def _line_ops(a: list[str], b: list[str], budget: _Budget | None = None) -> list[_Op]:
    """Fallback for large or costly changed regions: match whole lines, then diff words inside changed blocks.

    Word-level work across all blocks shares one budget of ``_MAX_WORK`` (len(a) * len(b)); beyond it a block is
    a single del/ins. A block whose exact word diff costs too many comparisons is matched word by word (a word
    with the whitespace after it as one unit) instead. Everything shares the comparison budget: what is left
    when it is spent is one del/ins.
    """
    budget = budget or _Budget(_MAX_STEPS)
    lines_a, lines_b = _lines(a), _lines(b)
    if len(lines_a) * len(lines_b) > _MAX_WORK:
        return [(False, a, b)]
    blocks = _group_ops(lines_a, lines_b, budget)
    if blocks is None:
        return [(False, a, b)]
    ops: list[_Op] = []
    work_left = _MAX_WORK
    for is_equal, block_a, block_b in blocks:
        work = len(block_a) * len(block_b)
        if is_equal or not 0 < work <= work_left:
            ops.append((is_equal, block_a, block_b))
            continue
        work_left -= work
        exact = _match(block_a, block_b, budget, budget.steps // 2)
        if exact is not None:
            ops.extend(exact)
            continue
        by_word = _group_ops(_words(block_a), _words(block_b), budget)
        if by_word is None:
            ops.append((False, block_a, block_b))
            continue
        for same, old_tokens, new_tokens in by_word:
            ops.extend([(same, old_tokens, new_tokens)] if same else _trimmed(old_tokens, new_tokens))
    return ops


def _coalesce(ops: list[_Op]) -> list[_Op]:
    """Adjacent ops of the same kind joined, empty ones dropped."""
    merged: list[_Op] = []
    for is_equal, old_tokens, new_tokens in ops:
        if not (old_tokens or new_tokens):
            continue
        if merged and is_equal == merged[-1][0]:
            merged[-1][1].extend(old_tokens)
            merged[-1][2].extend(new_tokens)
        else:
            merged.append((is_equal, list(old_tokens), list(new_tokens)))
    return merged


def word_diff(old: str, new: str) -> str:
    """Word-level diff of two plain texts as safe HTML: removed runs in ``<del>``, inserted runs in ``<ins>``.

    Tokens are words (with any punctuation attached) and whitespace runs. A replacement renders as
    ``<del>old</del><ins>new</ins>``; a lone space between two changes is folded into them instead of
    showing up as separate del/ins pairs. Newlines are kept as-is, so show the result with
    ``white-space: pre-wrap``. Line endings are normalised to ``\\n`` first. Very large rewrites are diffed
    per line (or shown as one del/ins) so the run time stays bounded.
    """
    old, new = _normalise(old), _normalise(new)
    if old == new:
        return html.escape(old, quote=True)
    ops = _coalesce(_token_ops(_TOKEN.findall(old), _TOKEN.findall(new)))
    # An unchanged run that is only whitespace between two changes joins them: one del/ins pair, not two.
    for i in range(1, len(ops) - 1):
        is_equal, old_tokens, new_tokens = ops[i]
        if is_equal and not ops[i - 1][0] and not ops[i + 1][0] and "".join(old_tokens).isspace():
            ops[i] = (False, old_tokens, new_tokens)
    merged = _coalesce(ops)
    parts: list[str] = []
    for is_equal, old_tokens, new_tokens in merged:
        if is_equal:
            parts.append(_escape(old_tokens))
            continue
        if old_tokens:
            parts.append(f"<del>{_escape(old_tokens)}</del>")
        if new_tokens:
            parts.append(f"<ins>{_escape(new_tokens)}</ins>")
    return "".join(parts)


def markdown_diff(old: str, new: str) -> str:
    """``word_diff`` of two Markdown texts as the reader sees them: their plain text, no Markdown syntax."""
    return word_diff(plain_text(old), plain_text(new))


@dataclass(frozen=True)
class SectionText:
    """One section of one version of a document."""

    key: str
    heading: str
    body: str
    position: int


@dataclass(frozen=True)
class SectionChange:
    """How one section differs between two versions.

    ``change`` is "added", "removed", "changed", "moved" (same heading and body, other relative order) or
    "unchanged". A section that is both edited and reordered has change "changed" and ``moved=True``.
    ``heading_diff``/``body_diff`` are ``word_diff`` HTML for sections in both versions (plain escaped text when
    nothing changed) and "" for added/removed sections, whose text the template shows itself (``old_text``,
    ``new_text``). Bodies are compared and shown as plain text, without Markdown syntax; whether a section
    changed is decided on the Markdown (a word made bold is a change).
    """

    key: str
    change: ChangeKind
    moved: bool
    old: SectionText | None
    new: SectionText | None
    heading_diff: str
    body_diff: str

    @property
    def old_text(self) -> str:
        """The old body as plain text ("" for an added section)."""
        return plain_text(self.old.body) if self.old else ""

    @property
    def new_text(self) -> str:
        """The new body as plain text ("" for a removed section)."""
        return plain_text(self.new.body) if self.new else ""


def _in_order(sections: Sequence[SectionText], label: str) -> list[SectionText]:
    """Sections sorted by position (stable); duplicate keys are a caller error."""
    seen: set[str] = set()
    for section in sections:
        if section.key in seen:
            raise ValueError(f"duplicate section key {section.key!r} in {label} version")
        seen.add(section.key)
    return sorted(sections, key=lambda s: s.position)


def _stable_indices(values: Sequence[int]) -> set[int]:
    """Indices of a longest increasing subsequence of distinct ``values``.

    Of several longest ones, the lexicographically smallest by value is chosen, i.e. sections that come
    first in the old version stay put and the later ones count as moved.
    """
    n = len(values)
    # longest[i]: length of the longest increasing subsequence starting at i (scan right to left over -values).
    longest = [0] * n
    tails: list[int] = []
    for i in range(n - 1, -1, -1):
        v = -values[i]
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
        longest[i] = k + 1
    chosen: set[int] = set()
    need, start, floor = len(tails), 0, -1
    while need:
        best = -1
        for i in range(start, n):
            if values[i] > floor and longest[i] >= need and (best < 0 or values[i] < values[best]):
                best = i
        chosen.add(best)
        need, start, floor = need - 1, best + 1, values[best]
    return chosen


def compare_sections(old: Sequence[SectionText], new: Sequence[SectionText]) -> list[SectionChange]:
    """Match sections by key and classify each one; result follows the new version's order.

    Removed sections are placed right after the section that preceded them in the old version and still
    exists in the new one (or at the start). "Moved" is relative order: among the sections present in both
    versions, a longest run kept in the same order stays put and the rest are moved, so inserting or removing
    a section moves nothing, and swapping two sections moves one (the one that came later in the old version).
    """
    old_sorted, new_sorted = _in_order(old, "old"), _in_order(new, "new")
    old_by_key = {s.key: s for s in old_sorted}
    new_keys = {s.key for s in new_sorted}

    old_rank = {s.key: i for i, s in enumerate(s for s in old_sorted if s.key in new_keys)}
    common_in_new = [s.key for s in new_sorted if s.key in old_rank]
    stable = _stable_indices([old_rank[k] for k in common_in_new])
    moved_keys = {k for i, k in enumerate(common_in_new) if i not in stable}

    removed_after: dict[str | None, list[SectionText]] = {}
    anchor: str | None = None
    for section in old_sorted:
        if section.key in new_keys:
            anchor = section.key
        else:
            removed_after.setdefault(anchor, []).append(section)

    def removed(after: str | None) -> list[SectionChange]:
        return [SectionChange(s.key, "removed", False, s, None, "", "") for s in removed_after.get(after, [])]

    result = removed(None)
    for section in new_sorted:
        before = old_by_key.get(section.key)
        if before is None:
            result.append(SectionChange(section.key, "added", False, None, section, "", ""))
        else:
            moved = section.key in moved_keys
            edited = has_changes(before.heading, section.heading) or has_changes(before.body, section.body)
            kind: ChangeKind = "changed" if edited else "moved" if moved else "unchanged"
            result.append(
                SectionChange(
                    section.key,
                    kind,
                    moved,
                    before,
                    section,
                    word_diff(before.heading, section.heading),
                    markdown_diff(before.body, section.body),
                )
            )
        result.extend(removed(section.key))
    return result


def summary(changes: Iterable[SectionChange]) -> dict[str, int]:
    """Counts of "added", "removed", "changed", "unchanged", "moved" and "total".

    "moved" counts every section with ``moved=True``: the place-only moves (change "moved") and the sections
    that were both edited and moved (which also count as "changed").
    """
    counts = dict.fromkeys(("added", "removed", "changed", "unchanged", "moved", "total"), 0)
    for change in changes:
        if change.change != "moved":
            counts[change.change] += 1
        counts["moved"] += change.moved
        counts["total"] += 1
    return counts
