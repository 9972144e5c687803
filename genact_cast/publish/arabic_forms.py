"""Arabic letters in the contextual forms the shaper gives them, as presentation forms.

Under a left-to-right override (LRO, U+202D) asciinema-player 3.18 in Chromium lays an
Arabic word out letter by letter from left to right in logical order, one cell a letter
(its DOM ranges: سلام at columns 4, 5, 6, 7), and HarfBuzz still gives each letter the form
its neighbours in logical order ask for (initial, medial, final, isolated). Pillow's raqm,
given one letter a cell, draws each isolated (review-exports16 finding 5). Here the forms
are chosen as the Arabic shaper chooses them (Unicode's joining: a dual-joining letter
joins on both sides, a right-joining one to the letter before it only, marks are
transparent) and written as the presentation form of that letter and form, which the
mono face holds (U+FB50-U+FEFC); the table comes from the forms' decompositions in the
Unicode database (`<initial> 0633`), so no letter list is kept here.
"""

from __future__ import annotations

import functools
import unicodedata

FORMS = ("isolated", "final", "initial", "medial")
LAM = "\u0644"


@functools.cache
def _table() -> dict[str, dict[str, str]]:
    """A letter's presentation forms by form name; lam with an alef (`\u0644\u0627`) too,
    the ligature the shaper makes of them (U+FEF5-U+FEFC)."""
    table: dict[str, dict[str, str]] = {}
    for code in list(range(0xFB50, 0xFDFF)) + list(range(0xFE70, 0xFEFD)):
        parts = unicodedata.decomposition(chr(code)).split()
        if parts and parts[0][1:-1] in FORMS:
            letters = "".join(chr(int(p, 16)) for p in parts[1:])
            if len(letters) == 1 or (len(letters) == 2 and letters[0] == LAM):
                table.setdefault(letters, {})[parts[0][1:-1]] = chr(code)
    return table


def _transparent(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Cf")


def contextual(clusters: list[str]) -> list[str]:
    """`clusters` (a letter and its marks, in logical order) with each Arabic letter in
    the presentation form of its joining context, and lam with the alef after it as their
    ligature (one cluster for the two); the rest as they are."""
    table = _table()
    items: list[tuple[str, str]] = []  # (letter or lam-alef, marks)
    for cluster in clusters:
        letter, marks = cluster[:1], cluster[1:]
        if _transparent(letter):
            letter, marks = "", cluster
        if items and items[-1][0] == LAM and not items[-1][1] and LAM + letter in table:
            items[-1] = (LAM + letter, marks)  # (a mark on the lam keeps them apart)
            continue
        items.append((letter, marks))
    out = []
    for index, (letter, marks) in enumerate(items):
        forms = table.get(letter)
        if not forms:
            out.append(letter + marks)
            continue
        before = next((b for b, _ in reversed(items[:index]) if b), "")
        after = next((b for b, _ in items[index + 1 :] if b), "")
        joins_before = "final" in forms and "initial" in table.get(before, {})
        joins_after = "initial" in forms and "final" in table.get(after, {})
        form = {(True, True): "medial", (True, False): "final", (False, True): "initial"}.get(
            (joins_before, joins_after), "isolated"
        )
        out.append((forms.get(form) or forms.get("isolated") or letter) + marks)
    return out
