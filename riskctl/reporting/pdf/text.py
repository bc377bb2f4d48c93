"""Text for reportlab paragraphs: markup escaping and Chinese line breaking.

reportlab's ``wordWrap='CJK'`` cuts between any two characters and only lets a
single character from its short list of closing marks hang in the margin, so
``，`` ``；`` ``》`` ``”`` and friends still start lines, and ``（`` ``《`` may
end one. ``CJKParagraph`` replaces that step with ``break_lines``, which
follows the usual Chinese rules (标点禁则, 避头尾): closing punctuation never
starts a line, opening brackets never end one, ``——`` and ``……`` stay whole,
and runs of Latin letters or digits (``2025``, ``12.5%``) are not cut unless
they are longer than a line. A line that would break illegally gives up its
last characters to the next line instead, so text never leaves its box.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from reportlab.platypus.paragraph import Paragraph, ParaLines, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

NO_LINE_START = frozenset(
    "、。，．！？；：）】》」』’”…〕］｝〉〗〙％‰℃°·"  # Chinese closing marks
    "!),.:;?]}%"  # their ASCII counterparts
)
NO_LINE_END = frozenset("（《【「『“‘〔［｛〈〖〘([{")
INSEPARABLE = frozenset("—…")  # ——  and …… are one mark each

HARD_BREAK = "\n"
OBJECT = "\ufffc"  # stands for an inline object (image, anchor) while breaking
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape(text: object) -> str:
    """Escape ``&``, ``<`` and ``>`` so untrusted text shows literally in a Paragraph."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_markup(text: object) -> str:
    """Paragraph markup for plain text: escaped, newlines kept as line breaks."""
    cleaned = _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\t", " "))
    return escape(cleaned).replace("\n", "<br/>")


def can_break(before: str, after: str) -> bool:
    """Whether a line may end after ``before`` and the next begin with ``after``."""
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before == after and before in INSEPARABLE:
        return False
    if before.isspace() or after.isspace():
        return True
    return not (_latin(before) and _latin(after))


def _latin(char: str) -> bool:
    return "!" <= char <= "~"


def break_lines(
    chars: Sequence[str], widths: Sequence[float], max_widths: Sequence[float]
) -> list[tuple[int, int]]:
    """Split a run of characters into lines; return ``(start, end)`` per line.

    ``max_widths[i]`` is the width of line ``i`` (the last one repeats).
    ``HARD_BREAK`` forces a break and stays at the end of its line. Spaces at
    a soft break belong to neither line. A line with no legal break point is
    cut where it overflows.
    """
    lines: list[tuple[int, int]] = []
    pos, count = 0, len(chars)
    while pos < count:
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        stop = _overflow(chars, widths, pos, limit)
        if stop == count:
            lines.append((pos, count))
            break
        if chars[stop] == HARD_BREAK:
            lines.append((pos, stop + 1))
            pos = stop + 1
            continue
        cut = _last_break(chars, pos, stop)
        end = cut
        while end > pos and chars[end - 1] == " ":
            end -= 1
        lines.append((pos, end))
        pos = cut
        while pos < count and chars[pos] == " ":
            pos += 1
    return lines


def _overflow(chars: Sequence[str], widths: Sequence[float], pos: int, limit: float) -> int:
    """Index of the first character that does not fit (at least one always does)."""
    used = 0.0
    for i in range(pos, len(chars)):
        if chars[i] == HARD_BREAK:
            return i
        used += widths[i]
        if used > limit + _FUZZ and i > pos and chars[i] != " ":
            return i
    return len(chars)


def _last_break(chars: Sequence[str], pos: int, stop: int) -> int:
    for cut in range(stop, pos, -1):
        if can_break(chars[cut - 1], chars[cut]):
            return cut
    return stop


def wrap_text(text: str, max_width: float, width_of: Callable[[str], float]) -> list[str]:
    """Break plain text into lines no wider than ``max_width`` (as ``break_lines``)."""
    widths = [width_of(char) for char in text]
    return [text[a:b].rstrip(HARD_BREAK) for a, b in break_lines(text, widths, [max_width])]


class CJKParagraph(Paragraph):
    """A Paragraph that always breaks lines with ``break_lines``.

    Styles need no ``wordWrap`` setting; inline markup (font changes, ``<br/>``)
    is supported, bullets are not used by the report layout.
    """

    def breakLines(self, width: float | Sequence[float]) -> ParaLines:
        return self.breakLinesCJK(width)

    def breakLinesCJK(self, maxWidths: float | Sequence[float]) -> ParaLines:
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        max_widths = list(maxWidths) if isinstance(maxWidths, list | tuple) else [maxWidths]
        self.height = 0
        # A table wraps each cell about five times at one width (column sizing, row
        # heights, each page it is split over): the lines are the same each time. Nothing
        # changes them afterwards (reportlab reverses words only for right-to-left text).
        key = tuple(max_widths)
        kept = self.__dict__.get("_riskctl_lines")
        if kept is not None and kept[0] == key:
            return kept[1]
        lines = self._break(max_widths)
        self._riskctl_lines = (key, lines)
        return lines

    def _break(self, max_widths: list[float]) -> ParaLines:
        units = [cjkU(char, frag, "utf8") for frag in self.frags for char in _frag_chars(frag)]
        if not units:
            style = self.style
            return ParaLines(
                kind=0,
                fontSize=style.fontSize,
                fontName=style.fontName,
                textColor=style.textColor,
                lines=[],
                ascent=style.fontSize,
                descent=-0.2 * style.fontSize,
            )
        chars = [_unit_char(u) for u in units]
        widths = [u.width for u in units]
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        bounds = auto_leading not in ("", "off")
        lines = []
        for n, (start, end) in enumerate(break_lines(chars, widths, max_widths)):
            max_width = max_widths[min(n, len(max_widths) - 1)]
            used = sum(widths[start:end])
            hard = end > start and chars[end - 1] == HARD_BREAK
            line = makeCJKParaLine(
                units[start:end], max_width, used, max_width - used, hard, bounds
            )
            # Spaces dropped at a soft break must come back if the text is re-split.
            line.soft_space = end < len(chars) and not hard and chars[end] == " "
            lines.append(line)
        return ParaLines(kind=1, lines=lines)

    def _get_split_blParaFunc(self) -> Callable[[ParaLines, int, int], list]:
        return _frags_of_lines


def _frag_chars(frag: object) -> Sequence[str]:
    # An empty frag is a line break or an inline object: it still needs its unit.
    return getattr(frag, "text", "") or ("",)


def _unit_char(unit: cjkU) -> str:
    if str(unit):
        return str(unit)
    return HARD_BREAK if hasattr(unit.frag, "lineBreak") else OBJECT


def _frags_of_lines(para_lines: ParaLines, start: int, stop: int) -> list:
    """The frags of ``lines[start:stop]``, for the second half of a split paragraph."""
    frags = []
    for line in para_lines.lines[start:stop]:
        words = [word.clone() for word in line.words]
        if getattr(line, "soft_space", False) and words:
            words[-1].text += " "
        frags.extend(words)
    return frags
