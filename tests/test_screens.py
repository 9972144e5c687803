"""Timed screens (screens.py), pixels (raster.py), plain text and WebVTT of a cast."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from genact_cast.asciicast import MARKER, OUTPUT, Event, Header, micros
from genact_cast.errors import BadOption, GenactCastError
from genact_cast.publish.html import PlayerOptions, player_options
from genact_cast.publish.picture_layout import layout, parse_size
from genact_cast.publish.raster import Raster, still
from genact_cast.publish.screens import Clip, Screen, Timeline, last_screen, row_text
from genact_cast.publish.terminal import Terminal
from genact_cast.publish.text import plain, render_text
from genact_cast.publish.theme import DEFAULT_THEME, rgb
from genact_cast.publish.vtparse import Parser
from genact_cast.publish.vtt import escape_cue, render_vtt, timestamp
from tests.helpers import cast_text

ROOT = Path(__file__).resolve().parent.parent
HEADER = Header(40, 6)

texts = st.text(alphabet="ab \r\n\x1b[1m", max_size=12)
events = st.lists(st.tuples(st.integers(0, 400_000), texts), min_size=1, max_size=40)


def timed(steps: list[tuple[int, str]]) -> list[Event]:
    clock, result = 0, []
    for gap, text in steps:
        clock += gap
        result.append(Event(clock, OUTPUT, text))
    return result


@settings(max_examples=60, deadline=None)
@given(events, st.sampled_from([1.0, 10.0, 30.0]), st.sampled_from([0.5, 1.0, 3.0]))
def test_screens_change_at_most_fps_times_a_second_and_end_as_the_terminal(
    steps: list[tuple[int, str]], fps: float, speed: float
) -> None:
    cast = timed(steps)
    timeline = Timeline(HEADER, cast, Clip(speed=speed, fps=fps))
    screens = list(timeline)
    assert screens[0].time == 0.0
    for before, after in itertools.pairwise(screens):
        assert after.time - before.time >= 1 / fps - 1e-9
        assert after.rows != before.rows  # only screens that changed
        assert after.changed == {y for y, row in enumerate(after.rows) if row != before.rows[y]}
    whole = Terminal(HEADER.cols, HEADER.rows)
    Parser(whole).feed("".join(event.data for event in cast))
    assert list(screens[-1].rows) == whole.snapshot()  # the screen of all output at once
    assert timeline.end == pytest.approx(cast[-1].time / speed)


def test_idle_limit_and_speed_shorten_the_clip() -> None:
    cast = [Event(0, OUTPUT, "a"), Event(micros(10), OUTPUT, "b"), Event(micros(11), OUTPUT, "c")]
    timeline = Timeline(HEADER, cast, Clip(speed=2.0, idle_time_limit=1.0))
    assert [s.time for s in timeline] == [0.0, 0.5, 1.0]
    assert timeline.end == 1.0


def test_a_clip_between_markers_starts_with_the_screen_as_it_stood() -> None:
    cast = [
        Event(0, OUTPUT, "one\r\n"),
        Event(micros(1), MARKER, "Two"),
        Event(micros(2), OUTPUT, "two\r\n"),
        Event(micros(3), MARKER, "Three"),
        Event(micros(4), OUTPUT, "three\r\n"),
    ]
    timeline = Timeline(HEADER, cast, Clip(start_at="Two", end_at="Three"))
    screens = list(timeline)
    assert row_text(screens[0].rows[0]) == "one"
    assert [row_text(r) for r in screens[-1].rows[:3]] == ["one", "two", ""]
    assert timeline.markers == [(0.0, "Two")]
    assert timeline.end == 2.0


def test_a_missing_marker_or_bad_clip_is_one_line() -> None:
    cast = [Event(0, OUTPUT, "x")]
    with pytest.raises(GenactCastError, match="no marker labelled 'Nope'"):
        list(Timeline(HEADER, cast, Clip(end_at="Nope")))
    with pytest.raises(BadOption, match="--fps must be above 0"):
        Clip(fps=0)
    with pytest.raises(BadOption, match=r"from 0 to 1e\+08 seconds"):
        Clip(start_at="-3")


def pixel(picture: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    value = picture.getpixel((x, y))
    assert isinstance(value, tuple)
    return (value[0], value[1], value[2])


def cell_pixels(raster: Raster, text: str, **style: bool) -> Image.Image:
    bold = style.get("bold", False)
    row = tuple((c, ("default", "default", bold, False, False, False, False, False)) for c in text)
    screen = Screen(0.0, (row,), 1, frozenset({0}))
    raster.draw(screen)
    lay = raster.layout
    return raster.canvas.crop(
        (lay.left, lay.top, lay.left + lay.cell_width * len(text), lay.top + lay.cell_height)
    )


def test_box_drawing_is_the_fonts_glyph_and_braille_has_its_dots() -> None:
    raster = Raster(4, 1, DEFAULT_THEME, 20)
    lines = cell_pixels(raster, "─│")
    lay = raster.layout
    column = max(  # the inkiest column of │
        ([pixel(lines, x, y) for y in range(lay.cell_height)]
         for x in range(lay.cell_width, 2 * lay.cell_width)),
        key=lambda pixels: sum(sum(p) for p in pixels),
    )  # fmt: skip
    # The font's glyph, as asciinema-player 3.18 draws it (text, not a shape): its row,
    # 4/3 em, is taller than the glyph, so the cell's last pixel row is the background
    # (a column of │ shows a gap at each row there: tests/test_svg_joins.py).
    assert column[lay.cell_height // 2] != rgb(DEFAULT_THEME.bg)
    assert column[-1] == rgb(DEFAULT_THEME.bg)
    edges = [pixel(lines, x, lay.cell_height // 2) for x in (0, lay.cell_width - 1)]
    assert edges[0] == edges[1] != rgb(DEFAULT_THEME.bg)  # ─ runs to both sides of its cell
    full, empty, one = (cell_pixels(raster, c) for c in ("⣿", "⠀", "⠁"))
    background = Image.new("RGB", full.size, rgb(DEFAULT_THEME.bg))
    assert empty.tobytes() == background.tobytes()
    assert one.tobytes() != empty.tobytes()
    assert one.tobytes() != full.tobytes()


def test_bold_is_drawn_in_the_bold_face() -> None:
    raster = Raster(4, 1, DEFAULT_THEME, 20)
    assert cell_pixels(raster, "W").tobytes() != cell_pixels(raster, "W", bold=True).tobytes()


def test_colours_come_from_the_theme_as_in_the_svg() -> None:
    row = (
        ("█", ("red", "blue", False, False, False, False, False, False)),
        (" ", ("default", "green", False, False, False, False, False, False)),
    )
    picture = still(Screen(0.0, (row,), 2, frozenset({0})), DEFAULT_THEME, 20)
    lay = layout(2, 1, 20)
    assert picture.getpixel((0, 0)) == rgb(DEFAULT_THEME.bg)
    centre = lay.cell_height // 2
    assert picture.getpixel((lay.left + lay.cell_width // 2, lay.top + centre)) == rgb(
        DEFAULT_THEME.palette[1]
    )
    assert picture.getpixel((lay.left + lay.cell_width * 3 // 2, lay.top + centre)) == rgb(
        DEFAULT_THEME.palette[2]
    )


@pytest.mark.parametrize(("size", "frame"), [("720p", (1280, 720)), ("1080p", (1920, 1080)),
                                             ("4k", (3840, 2160))])  # fmt: skip
def test_named_sizes_centre_the_largest_terminal_that_fits(
    size: str, frame: tuple[int, int]
) -> None:
    lay = layout(100, 30, size)
    assert (lay.width, lay.height) == frame
    assert lay.left >= frame[1] // 24
    assert lay.top >= frame[1] // 24 - 1
    assert abs(lay.width - (2 * lay.left + 100 * lay.cell_width)) <= 1
    bigger = layout(100, 30, lay.font_size + 1)
    assert bigger.width - 2 * bigger.font_size > frame[0] - 2 * (frame[1] // 24) or (
        bigger.height - 2 * bigger.font_size > frame[1] - 2 * (frame[1] // 24)
    )


def test_a_font_size_gives_an_even_picture_around_the_terminal() -> None:
    lay = layout(81, 25, 13)
    assert (lay.width % 2, lay.height % 2) == (0, 0)
    assert (parse_size("4K"), parse_size("13")) == ("4k", 13)
    with pytest.raises(BadOption, match="--size"):
        parse_size("huge")


@pytest.fixture(scope="module")
def small_cast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "run.cast"
    path.write_text(cast_text(seed=3, duration=10.0, cols=80, rows=24), "utf-8")
    return path


def test_text_is_the_final_screen_with_the_chapter_list(small_cast: Path) -> None:
    from genact_cast.sources import open_cast

    with open_cast(str(small_cast)) as reader:
        text = render_text(Timeline(reader.header, reader.events()))
    screen, _, chapters = text.partition("\nChapters\n\n")
    assert "\x1b" not in text
    assert "Training summary" in screen
    first, second = chapters.splitlines()[:2]
    assert first == "0:02  Initialization"
    assert second.startswith("0:02  Epoch 1/")


def test_vtt_has_each_line_once_with_typed_characters_joined(small_cast: Path) -> None:
    from genact_cast.sources import open_cast

    with open_cast(str(small_cast)) as reader:
        header, events = reader.header, list(reader.events())
    vtt = render_vtt(Timeline(header, events))
    assert vtt.startswith("WEBVTT\n\n")
    cues = vtt.split("\n\n")[1:]
    stamp = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})")
    starts = []
    for cue in filter(None, cues):
        match = stamp.fullmatch(cue.splitlines()[0])
        assert match, cue
        h, m, s, ms, h2, m2, s2, ms2 = map(int, match.groups())
        start, end = h * 3600 + m * 60 + s + ms / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        assert end > start
        starts.append(start)
    assert starts == sorted(starts)
    first = cues[0].splitlines()
    assert events[0].data.endswith("$ ")  # the prompt, then the command typed after it
    assert first[0].startswith(timestamp(events[1].time))  # from its first character
    assert "torchrun" in first[1]  # typed a character at a time, one cue
    assert sum("torchrun" in cue for cue in cues) == 1
    assert sum("Training summary" in cue for cue in cues) == 1


def test_cast_text_reaches_a_cue_escaped() -> None:
    cast = [Event(0, OUTPUT, "<b>x</b> --> & evil\r\n\r\n"), Event(micros(1), OUTPUT, "y")]
    vtt = render_vtt(Timeline(HEADER, cast))
    assert "&lt;b&gt;x&lt;/b&gt; --&gt; &amp; evil" in vtt
    assert "<b>" not in vtt
    assert escape_cue("a\x07b\nc\u202ed") == "abcd"  # controls, newlines, bidi overrides


def test_text_and_vtt_through_the_command(small_cast: Path, tmp_path: Path) -> None:
    for option, name in (("--text", "final.txt"), ("--vtt", "subs.vtt")):
        out = tmp_path / name
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", "embed", str(small_cast), option, str(out)],
            capture_output=True, text=True, timeout=60, cwd=ROOT,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert out.read_text("utf-8").strip()


def test_gif_of_a_v3_cast(tmp_path: Path) -> None:
    cast = tmp_path / "v3.cast"
    cast.write_text(cast_text(3, seed=4, duration=4.0, cols=60, rows=20), "utf-8")
    gif = tmp_path / "v3.gif"
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", str(cast), "--gif", str(gif), "--fps", "4"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert gif.read_bytes()[:6] == b"GIF89a"


def test_poster_end_is_past_the_last_event() -> None:
    options = player_options(PlayerOptions(poster="end"), 178.072088)
    assert options["poster"] == "npt:0:02:58.073"


def test_last_screen_of_an_empty_clip_is_blank() -> None:
    screen = last_screen(Timeline(HEADER, [Event(0, MARKER, "only")]))
    cursor = (" ", ("bgdefault", "fgdefault", *[False] * 6))  # the player's, inverse
    assert screen.rows == ((cursor,), *[()] * (HEADER.rows - 1))
    assert screen.cursor == (0, 0)


@given(st.text())
def test_any_text_reaches_a_cue_as_text_only(text: str) -> None:
    escaped = escape_cue(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert "\n" not in escaped
    # format characters only inside an emoji sequence (a ZWJ, a subdivision flag's tags)
    # (an unassigned code point is kept, as the player shows it: an emoji newer than the
    # interpreter's Unicode table is unassigned there)
    joiners = {c for c in escaped if c == "\u200d" or 0xE0020 <= ord(c) <= 0xE007F}
    assert not {unicodedata.category(c) for c in set(escaped) - joiners} & {
        "Cc",
        "Cf",
        "Cs",
        "Co",
        "Zl",
        "Zp",
    }
    unescaped = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == plain(text, private="")  # private-use symbols dropped: unspeakable


def test_a_terminal_too_big_to_draw_is_refused_in_one_line() -> None:
    with pytest.raises(GenactCastError, match="terminal size 2000x2000 is over the limit"):
        list(Timeline(Header(2000, 2000), [Event(0, OUTPUT, "x")]))
    resize = [Event(0, "r", "5000x5000"), Event(1, "r", "²x³")]
    with pytest.raises(GenactCastError, match=r"resize at 0\.000 s to 5000x5000 is over"):
        list(Timeline(HEADER, resize))
    assert len(list(Timeline(HEADER, resize[1:]))) == 1  # not a size: ignored


def test_an_endless_stream_of_events_ends_at_the_event_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `yes '[0.1,"o","a"]' | genact-cast embed - --vtt`: one character an event, forever.
    import genact_cast.publish.screens as screens

    monkeypatch.setattr(screens, "MAX_EVENTS", 5_000)
    many = (Event(micros(0.1 * n), OUTPUT, "a") for n in range(5_001))
    with pytest.raises(screens.LimitError, match=r"more than 5,000 events"):
        list(Timeline(HEADER, many, Clip()))
    within = (Event(micros(0.1 * n), OUTPUT, "a") for n in range(5_000))
    assert list(Timeline(HEADER, within, Clip()))


@pytest.mark.parametrize("ender", ["\x07", "\x1b\\", "\x9c", "\x18", "\x1a", "\x85", "\x1b[m"])
def test_an_open_string_swallows_text_up_to_what_ends_it_as_in_avt(ender: str) -> None:
    """An unterminated OSC/DCS holds everything up to BEL (OSC only), ST, CAN, SUB, ESC
    or any C1 control, which avt 0.16 reads anywhere (parser.rs:184, 263-268, 367-380);
    a C1 such as NEL is then carried out. Review-attack3 item 4."""
    for opener in ("\x1b]0;title", "\x1bP1$q"):
        if ender == "\x07" and opener.startswith("\x1bP"):
            continue  # BEL is text of a DCS string, which only ST ends
        terminal = Terminal(20, 3)
        Parser(terminal).feed(opener + "\r\nswallowed\r\n" + ender + "shown")
        rows = [row_text(row).rstrip() for row in terminal.snapshot()]
        assert "swallowed" not in "".join(rows)
        assert rows[1 if ender == "\x85" else 0] == "shown", (opener, ender, rows)


def test_a_line_break_in_a_marker_label_is_a_space_in_the_text_chapters() -> None:
    # Review-attack3 item 12: 'NOTE\n<b>x</b>' read 'NOTE<b>x</b>'.
    events = [Event(micros(0.5), OUTPUT, "a"), Event(micros(1.0), MARKER, "NOTE\n<b>x</b>")]
    assert "NOTE <b>x</b>" in render_text(Timeline(HEADER, events))


def test_the_frame_limit_counts_the_screens_drawn_not_the_events() -> None:
    """Attack run 7, finding 2: a 33-minute cast of 100,500 one-character events 20 ms apart
    was refused as "more than 100,000 screens" by every export, though the 30 fps cap
    (or --fps-cap 1) leaves 60,000 (or 2,000) screens, and --text and --png draw one: the
    loop over the events reused the name of the screen counter."""
    from genact_cast.publish.png import render_png
    from genact_cast.publish.svg import render_svg

    many = [Event(20_000 * n, OUTPUT, "x") for n in range(100_500)]
    assert render_svg(Header(80, 24), many, fps_cap=1).startswith("<svg")
    # The same at a smaller scale, for each export: 3,000 events, 60 s.
    events = many[:3_000]
    capped = list(Timeline(HEADER, events, Clip(fps=1), max_frames=100))
    assert 50 <= len(capped) <= 62
    with pytest.raises(GenactCastError, match=r"^more than 100 screens to draw; cut the cast$"):
        list(Timeline(HEADER, events, Clip(fps=30), max_frames=100))
    assert render_vtt(Timeline(HEADER, events, Clip(fps=1), max_frames=100)).startswith("WEBVTT")
    # One screen is drawn for the text and the still, however many the clip has.
    assert "x" * 40 in render_text(Timeline(HEADER, events, Clip(fps=30), max_frames=100))
    still_of = Timeline(HEADER, events, Clip(fps=30), max_frames=100)
    assert render_png(still_of, DEFAULT_THEME, size=6).startswith(b"\x89PNG")


def test_text_keeps_emoji_newer_than_the_interpreters_unicode_table() -> None:
    # 🩷 U+1FA77 and 🪿 U+1FABF (Unicode 15) are unassigned in Python 3.10's and 3.11's
    # tables; the player shows them in two cells each, so the text keeps them (and the
    # same bytes come out on 3.10-3.13: U+0890, a format character since Unicode 14, is
    # dropped on 3.10 too).
    assert (
        plain("a\U0001fae0b\U0001fa77c\U0001fabfd\u0890e") == "a\U0001fae0b\U0001fa77c\U0001fabfde"
    )
    from genact_cast.publish.vtt_text import GAP, joined

    assert joined("x" + GAP, "\U0001fa77") == "x\U0001fa77"  # wide: it did not fit there


def test_the_players_wide_vector_symbol_keeps_its_two_cells() -> None:
    # ⚏ U+268F is two cells in avt (its text has one blank for it, drawn over both:
    # publish/vectors.py WIDE), not one as the player's text alone suggests.
    from genact_cast.publish.terminal import char_width
    from genact_cast.publish.vectors import WIDE

    assert all(char_width(char) == 2 for char in WIDE)
