"""Options of casts in documents, without a doc tool: record's own parser and checks, the
player's options, the Markdown scanner, and the cache's key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.docs import casts
from genact_cast.docs.markdown_blocks import Block, Link, read_block, replace_casts
from genact_cast.docs.options import (
    DocsOptionError,
    player_options,
    record_args,
    record_options,
)
from genact_cast.errors import BadOption

CAST = Path(__file__).resolve().parent.parent / "casts" / "seed7-80x24.cast"


def test_options_read_as_record_reads_them() -> None:
    args = record_args([("seed", "7"), ("framework", "hf"), ("color", "false"), ("cols", "80")])
    assert args == ["--seed", "7", "--framework", "hf", "--no-color", "--cols", "80"]
    options = record_options(args)
    assert (options.seed, options.framework, options.color, options.cols) == (7, "hf", False, 80)
    assert record_args([("no-color", "")]) == ["--no-color"]
    assert record_args([("no-color", "no")]) == ["--color"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cols", "80"], "--seed is required"),
        (["--seed", "x"], "Invalid value for '--seed': 'x' is not a valid int"),
        (["--seed", "1", "--output", "x.cast"], "--output is decided by the docs build"),
        (["--seed", "1", "--live"], "--live is decided by the docs build"),
        (["--seed", "1", "--format", "v3"], "--cast-format is decided by the docs build"),
        (["--seed", "1", "--rows", "5"], "--rows must be from 20"),
        (["--seed", "1", "--nope"], "No such option: --nope"),
    ],
)
def test_bad_record_options_name_the_option(args: list[str], message: str) -> None:
    with pytest.raises(BadOption, match=message.replace("(", r"\(").replace("[", r"\[")):
        record_options(args)


def test_unknown_and_flag_values_are_refused_with_the_choices() -> None:
    with pytest.raises(DocsOptionError, match="unknown option 'output'; choose from: color"):
        record_args([("output", "x.cast")])
    with pytest.raises(DocsOptionError, match="color is a flag"):
        record_args([("color", "maybe")])


def test_player_options_are_embeds() -> None:
    player = player_options([("autoplay", ""), ("start-at", "1:02:03.5"), ("theme", "NORD")])
    assert (player.autoplay, player.start_at, player.theme) == (True, 3723.5, "nord")
    assert player_options([("start-at", "Epoch 2/4")]).start_at == "Epoch 2/4"
    for pairs, message in (
        ([("poster", "soon")], "--poster must be npt:"),
        ([("fit", "wide")], "fit must be one of width, height, both, none"),
        ([("speed", "0")], r"--speed must be from 0\.001 to 1000 \(got 0\)"),
        ([("theme", "</style>")], "unknown theme"),
        ([("controls", "sometimes")], "controls must be auto, true or false"),
        ([("volume", "11")], "unknown player option .volume."),
    ):
        with pytest.raises(DocsOptionError, match=message):
            player_options(pairs)


@pytest.mark.parametrize("option", ["speed", "idle-time-limit", "start-at"])
@pytest.mark.parametrize("value", ["1e400", "-1e400", "1e-400", "1e9"])
def test_a_player_options_range_is_told_as_the_command_line_tells_it(
    option: str, value: str
) -> None:
    """The directive's message for a value out of range is the command line's, with its
    bounds (review-attack14 low 3: `:start-at: 1e400` and `:speed: 1e400` said only "0
    seconds or more" and "a number above 0")."""
    cli = {
        "speed": ["embed", str(CAST), "--html", "-", "--speed", value],
        "idle-time-limit": ["embed", str(CAST), "--html", "-", "--idle-time-limit", value],
        "start-at": ["play", "-s", "1e9", "--start-at", value, str(CAST)],
    }[option]
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", *cli], capture_output=True, text=True, timeout=60
    )
    if result.returncode == 0:  # in range for both (1e9 seconds is not; 1e-400 is 0)
        player_options([(option, value)])
        return
    told = result.stderr.removeprefix("genact-cast: ").rstrip("\n")
    with pytest.raises(DocsOptionError) as refused:
        player_options([(option, value)])
    assert str(refused.value) == told


PAGE = """\
# Page

```genact-cast
seed: 7
caption: "A run: seed 7"
autoplay:
```

````markdown
```genact-cast
seed: 1
```
![shown](demo.cast)
````

Text `![code](demo.cast)` and ![Run](casts/demo.cast "the title") here.

!!! note

    ```genact-cast
    genact-cast record --seed 3 \\
      --layout dashboard --loop --caption "Dash board"
    ```
"""


def test_the_scanner_finds_blocks_and_links_outside_code() -> None:
    found: list[object] = []

    def placeholder(item: object, line: int) -> str:
        found.append(item)
        return f"P{len(found)}"

    result = replace_casts(PAGE, placeholder)
    assert found == [
        Block(["--seed", "7"], [("autoplay", "")], "A run: seed 7", 3),
        Link("casts/demo.cast", "Run", 16, "the title"),
        Block(["--seed", "3", "--layout", "dashboard"], [("loop", "")], "Dash board", 20),
    ]
    assert "```genact-cast\nseed: 1\n```\n![shown](demo.cast)\n````" in result
    assert "Text `![code](demo.cast)` and P2 here." in result
    assert "\n    P3\n" in result


def test_a_block_that_cannot_be_read_is_reported_not_raised() -> None:
    errors: list[object] = []

    def placeholder(item: object, line: int) -> str:
        errors.append(item)
        return ""

    replace_casts("```genact-cast\n--seed '7\n```\n", placeholder)
    assert len(errors) == 1
    assert isinstance(errors[0], DocsOptionError)
    with pytest.raises(DocsOptionError, match="line 1 of the block"):
        read_block(["+seed: 7"], 1)


def test_the_cache_key_is_the_options_and_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    one = record_options(["--seed", "7", "--framework", "hf"])
    same = record_options(record_args([("framework", "hf"), ("seed", "7")]))
    assert casts.options_key(one) == casts.options_key(same)
    assert casts.options_key(one) != casts.options_key(one._replace(cols=80))
    before = casts.options_key(one)
    monkeypatch.setattr(casts, "__version__", "99.0")
    assert casts.options_key(one) != before


def test_a_player_s_markup_carries_outside_text_only_escaped() -> None:
    import html.parser

    from genact_cast.docs.markup import Still, player_html

    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    still = Still(f"</pre>{evil}", 80, 24)  # a cast's final screen is a stranger's text too
    markup = player_html(f"a {evil}.cast", {"x": evil}, caption=evil, title=evil, still=still)

    class Tags(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, list[str]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, [name for name, _ in attrs]))

    parser = Tags()
    parser.feed(markup)
    assert parser.tags == [
        ("div", ["class", "data-cast", "data-options", "role", "aria-label"]),
        ("div", ["class"]),
        ("pre", ["class"]),
        ("p", ["class"]),
    ]
    assert 'data-cast="a%20%22%3E%3Cscript%3Ealert%281%29' in markup


def test_sphinxcontrib_asciinema_s_options_are_checked_and_named_as_the_player_s() -> None:
    from genact_cast.docs.options import defaults_from, player_options

    player = player_options(
        [("markers", '[[1.5, "one"], 3]'), ("terminallineheight", "1.4"), ("pauseonmarkers", "")]
    )
    assert dict(player.extra) == {"markers": [[1.5, "one"], 3], "terminalLineHeight": 1.4}
    assert player.pause_on_markers
    old = defaults_from({"pauseOnMarkers": 1, "rows": 24}, "sphinxcontrib_asciinema_defaults")
    assert (old.pause_on_markers, dict(old.extra)) == (True, {"rows": 24})
    for name, value, words in (
        ("markers", '[["x", 1]]', "markers must be a JSON list"),
        ("markers", "[1,", "markers must be a JSON list"),
        ("cols", "0", "cols must be a whole number"),
        ("terminallineheight", "tall", "terminallineheight must be a number"),
        ("terminalfontsize", " ", "terminalfontsize needs a value"),
    ):
        with pytest.raises(DocsOptionError, match=words):
            player_options([(name, value)])


@pytest.mark.parametrize(
    "link",
    [
        '![a2](casts/evil.cast "x\\" onload=\\"alert(12)")',  # attack run 7, finding 8
        "![a](x.cast 'single')",
        '![a](x.cast "it\'s")',
        "![a](x.cast 'say \"hi\" (twice)')",
        '![a](x.cast "a "quoted" word" )',
        '![a](<my casts/x.cast> "t")',
        "![a](x.cast)",
    ],
)
def test_a_cast_link_has_the_path_and_title_mkdocs_reads(link: str) -> None:
    """The scanner reads a link as Python-Markdown (MkDocs' parser) does: a title with
    escaped or nested quotes was silently left a plain image, with no player or warning."""
    from html.parser import HTMLParser

    import markdown  # type: ignore[import-untyped]  # (MkDocs' parser, no stubs)

    images: list[dict[str, str | None]] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                images.append(dict(attrs))

    Images().feed(markdown.markdown(link))
    found: list[object] = []

    def placeholder(item: object, line: int) -> str:
        found.append(item)
        return "P"

    replace_casts(link, placeholder)
    assert len(found) == 1
    assert isinstance(found[0], Link)
    assert (found[0].path, found[0].title) == (images[0]["src"], images[0].get("title"))


def test_an_option_given_twice_in_a_block_is_a_docs_option_error() -> None:
    with pytest.raises(DocsOptionError, match=r"^--seed is given 2 times: give it once$"):
        record_options(["--seed", "1", "--seed", "2"])


_OTHER_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@given(digit=_OTHER_DIGITS, shape=st.sampled_from(["npt:{}", "npt:{}.5", "npt:1:0{}", "{}"]))
def test_other_scripts_digits_are_never_a_time_or_a_number(digit: str, shape: str) -> None:
    """review-attack12 F5: `npt:٣` and `npt:１` reached the page (the player's parseFloat
    cannot read them); a document's speed or start-at took them as numbers too."""
    from genact_cast.commands.embed import POSTER

    text = shape.format(digit)
    assert POSTER.fullmatch(text) is None
    with pytest.raises(DocsOptionError, match="--poster must be npt:"):
        player_options([("poster", text)])
    with pytest.raises(DocsOptionError, match="speed must be a number"):
        player_options([("speed", text)])
    assert player_options([("start-at", text)]).start_at == text  # a marker's label, not a time
