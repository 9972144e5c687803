"""`embed` and `record -o picture`: GIF, Markdown snippets, formats by extension."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from genact_cast.errors import GenactCastError
from genact_cast.publish.gif import render_gif
from genact_cast.publish.markdown import recording_problem, snippets

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "finetune-70b-h200.cast"
GENACT = [sys.executable, "-m", "genact_cast"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GENACT, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_embed_gif_with_options(tmp_path: Path) -> None:
    gif = tmp_path / "demo.gif"
    result = run("embed", str(CAST), "--gif", str(gif), "--theme", "nord", "--fps-cap", "5",
                 "--speed", "8", "--font-size", "12", "--no-loop")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert gif.read_bytes()[:6] == b"GIF89a"


def test_a_gif_takes_the_themes_every_picture_takes() -> None:
    """agg's own github-dark was a GIF-only theme; the GIF is drawn as the PNG is now."""
    result = run("embed", str(CAST), "--gif", "x.gif", "--theme", "github-dark")
    assert result.returncode == 2
    assert "github-dark" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("theme", [None, "dracula"])
def test_a_cast_theme_in_short_hex_renders_in_a_gif(tmp_path: Path, theme: str | None) -> None:
    """`#rgb` colours are a theme the README accepts; agg refused them ("InvalidTheme"), read
    from the cast's copy or given as its --theme, even with --theme naming another
    (review-attack10 F7)."""
    header = (
        '{"version": 2, "width": 20, "height": 3, "theme": {"fg": "#fff", "bg": "#000", '
        '"palette": "#000:#a00:#0a0:#aa0:#00a:#a0a:#0aa:#aaa"}}'
    )
    cast = _hostile(tmp_path, "short.cast", header, ['[0.1, "o", "\\u001b[31mred"]'])
    gif = tmp_path / "short.gif"
    result = run("embed", str(cast), "--gif", str(gif), *(["--theme", theme] if theme else []))
    assert result.returncode == 0, result.stderr
    assert gif.read_bytes()[:6] == b"GIF89a"


def test_the_gif_draws_the_cast_s_own_theme(tmp_path: Path) -> None:
    """The cast's own theme draws the GIF (agg, the GIF's drawing before, read a copy of
    the cast without it: b7cb0ac gave it as its --theme)."""
    from PIL import Image

    palette = ":".join(["#000000"] * 8)
    header = (
        '{"version": 2, "width": 20, "height": 3, "theme": {"fg": "#ffffff", '
        f'"bg": "#c02020", "palette": "{palette}"}}}}'
    )
    cast = _hostile(tmp_path, "red.cast", header, ['[0.1, "o", "x"]'])
    gif = tmp_path / "red.gif"
    result = run("embed", str(cast), "--gif", str(gif))
    assert result.returncode == 0, result.stderr
    with Image.open(gif) as picture:
        r, g, b = picture.convert("RGB").getpixel((picture.width // 2, picture.height - 2))
    assert abs(r - 0xC0) < 16, (r, g, b)
    assert g < 48, (r, g, b)
    assert b < 48, (r, g, b)


def test_a_gif_of_a_cast_without_a_theme_is_in_asciinema_s_colours(tmp_path: Path) -> None:
    """review-attack12 F10: agg's own default (dracula, background #282a36) drew it, where
    the SVG, PNG and video use the player's default, asciinema's (#121314)."""
    from PIL import Image

    cast = _hostile(tmp_path, "plain.cast", '{"version": 2, "width": 20, "height": 3}',
                    ['[0.1, "o", "x"]'])  # fmt: skip
    gif = tmp_path / "plain.gif"
    result = run("embed", str(cast), "--gif", str(gif))
    assert result.returncode == 0, result.stderr
    with Image.open(gif) as picture:
        rgb = picture.convert("RGB").getpixel((picture.width // 2, picture.height - 2))
    assert all(abs(got - want) < 6 for got, want in zip(rgb, (0x12, 0x13, 0x14), strict=True)), rgb


@pytest.mark.parametrize("colour", ["#abcd", "#aabbcc00"])
def test_a_cast_theme_that_is_no_colour_is_refused_by_the_gif_as_by_every_export(
    tmp_path: Path, colour: str
) -> None:
    """agg drew `#abcd` as something and the GIF was written, where the PNG and the HTML
    page refuse the cast's theme in one line (review-attack11 finding 4)."""
    palette = ":".join([colour] * 16)
    header = (
        f'{{"version": 2, "width": 20, "height": 3, "theme": {{"fg": "{colour}", '
        f'"bg": "#000", "palette": "{palette}"}}}}'
    )
    cast = _hostile(tmp_path, "bad.cast", header, ['[0.1, "o", "x"]'])
    gif = tmp_path / "bad.gif"
    result = run("embed", str(cast), "--gif", str(gif))
    assert result.returncode != 0
    assert "is not a colour" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not gif.exists()


def test_a_gif_without_the_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(GenactCastError, match=r"pip install 'genact-cast\[video\]'"):
        render_gif(str(CAST), tmp_path / "x.gif", overwrite=False)
    assert list(tmp_path.iterdir()) == []


def _hostile(tmp_path: Path, name: str, header: str, events: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *events]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("header", "events", "message"),
    [
        # review-attack9 finding 1 (a): 40 bytes that agg (before) drew with 7.6 GiB in 90 s
        ('{"version":2,"width":1000,"height":1000}', ['[0,"o","x"]'],
         "terminal size 1000x1000 is over the limit for drawing a cast"),
        # (b): a work bomb (REP of a billion), over the work budget in its first events
        # (400x200: a picture within the GIF's memory bound, 83506b7)
        ('{"version":2,"width":400,"height":200}',
         [f'[{i * 0.001:.3f},"o","a\\u001b[1000000000b"]' for i in range(200)],
         "more work than its output allows"),
        # (c): resizes between two screens of 200,000 cells, each a full reflow: the
        # picture of the largest size, 1000x1000, is refused before any is drawn
        ('{"version":2,"width":1000,"height":200}',
         ['[0,"o","' + "x" * 2000 + '"]']
         + [f'[{i * 0.01:.2f},"r","{"1000x200" if i % 2 else "200x1000"}"]' for i in range(1, 500)],
         "--font-size 14 makes a 8028x19028 picture"),
    ],
)  # fmt: skip
def test_gif_export_refuses_what_the_terminal_model_refuses(
    tmp_path: Path, header: str, events: list[str], message: str
) -> None:
    cast = _hostile(tmp_path, "hostile.cast", header, events)
    gif = tmp_path / "out.gif"
    result = run("embed", str(cast), "--gif", str(gif))
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.cast"]


def test_markdown_snippets_for_a_local_file_and_an_upload() -> None:
    local = snippets("docs/demo.cast")
    assert "[![asciicast](docs/demo.svg)](docs/demo.cast)" in local
    assert '<a href="docs/demo.cast"><img src="docs/demo.svg" alt="asciicast"></a>' in local
    remote = snippets("https://asciinema.org/a/abc123")
    assert (
        "[![asciicast](https://asciinema.org/a/abc123.svg)](https://asciinema.org/a/abc123)"
        in remote
    )
    assert 'id="asciicast-abc123"' in remote


def test_embed_markdown_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "snippet.md"
    assert run("embed", str(CAST), "--markdown", str(out)).returncode == 0
    assert "[![asciicast]" in out.read_text()


@pytest.mark.parametrize("suffix", ["svg", "gif", "html"])
def test_record_picks_the_format_by_extension(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"demo.{suffix}"
    result = run("record", "--seed", "2", "--duration", "8", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    if suffix == "svg":
        assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    elif suffix == "gif":
        assert data[:6] == b"GIF89a"
    else:
        assert b"AsciinemaPlayer.create" in data
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["embed", str(CAST)], "give exactly one of --svg, --gif, --html, --markdown, --mp4"),
        (["embed", str(CAST), "--svg", "a.svg", "--gif", "b.gif"], "give exactly one"),
        (["embed", "missing.cast", "--svg", "a.svg"], "missing.cast: no such file"),
        (["embed", str(CAST), "--svg", "/nonexistent-dir/a.svg"], "does not exist"),
        (["embed", str(CAST), "--svg", "a.svg", "--theme", "neon"], "unknown theme 'neon'"),
        (["embed", str(CAST), "--html", "a.html", "--fit", "huge"], "--fit must be"),
    ],
)
def test_embed_errors_are_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [*GENACT, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode in (1, 2)
    assert result.stderr.count("\n") == 1
    assert needle in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--speed", "0", "--speed must be from 0.001 to 1000 (got 0)"),
        ("--speed", "nan", "--speed must be from 0.001 to 1000 (got nan)"),
        ("--speed", "-1", "--speed must be from 0.001 to 1000 (got -1)"),
        ("--speed", "inf", "--speed must be from 0.001 to 1000 (got a number too large)"),
        ("--at", "-5", "--at must be a number of seconds from 0 to 1e+08 (got -5)"),
        ("--at", "nan", "--at must be a number of seconds from 0 to 1e+08 (got nan)"),
        (
            "--at",
            "inf",
            "--at must be a number of seconds from 0 to 1e+08 (got a number too large)",
        ),
        (
            "--idle-time-limit",
            "nan",
            "--idle-time-limit must be a number above 0, at most 1e+08 (got nan)",
        ),
        (
            "--idle-time-limit",
            "-2",
            "--idle-time-limit must be a number above 0, at most 1e+08 (got -2)",
        ),
        ("--poster", "javascript:alert(1)", "--poster must be npt:SECONDS"),
        ("--poster", "npt:1:2:3:4", "--poster must be npt:SECONDS"),
        ("--poster", "npt:99:99:99", "--poster must be npt:SECONDS"),  # attack3 item 12
        ("--poster", "npt:\u0663", "--poster must be npt:SECONDS"),  # attack12 F5: Arabic-Indic 3
        ("--theme", "neon", "unknown theme 'neon'"),
        ("--theme", "</script>", "unknown theme '</script>'"),
        ("--font-size", "0", "--font-size must be from 6 to 200 (got 0)"),
        ("--font-size", "5", "--font-size must be from 6 to 200 (got 5)"),
    ],
)
@pytest.mark.parametrize("kind", ["svg", "html", "markdown", "gif"])
def test_embed_options_that_cannot_work_are_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    needle: str,
    kind: str,
) -> None:
    from genact_cast import cli

    out = tmp_path / f"out.{kind}"
    argv = ["genact-cast", "embed", str(CAST), f"--{kind}", str(out), f"{option}={value}"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("genact-cast: ")
    assert needle in err
    assert list(tmp_path.iterdir()) == []


def test_embed_accepts_the_documented_option_values(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    result = run("embed", str(CAST), "--html", str(page), "--speed", "2.5", "--poster",
                 "npt:1:30", "--theme", "Solarized-Dark", "--idle-time-limit", "0.5")  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert '"theme": "solarized-dark"' in text
    assert '"poster": "npt:1:30"' in text


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("/nonexistent.cast", "/nonexistent.cast: no such file"),
        ("{dir}", "is a directory"),
        ("{bad}", "bad.cast:2:"),
        ("-", "not standard input"),
    ],
)
def test_embed_markdown_needs_a_readable_cast(tmp_path: Path, source: str, needle: str) -> None:
    bad = tmp_path / "bad.cast"
    bad.write_text('{"version": 2, "width": 80, "height": 24}\n[1, "o"]\n')
    source = source.format(dir=tmp_path, bad=bad)
    out = tmp_path / "snippet.md"
    result = run("embed", source, "--markdown", str(out))
    assert result.returncode in (1, 2)
    assert result.stderr.count("\n") == 1
    assert needle in result.stderr
    assert not out.exists()


HOSTILE_NAME = 'x](javascript:alert(1)) <img src=x onerror=alert(2)> "a" &amp; *b*'


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def test_markdown_snippets_escape_file_names_and_urls() -> None:
    from markdown_it import MarkdownIt

    text = snippets(f"docs/{HOSTILE_NAME}.cast", title="[t](javascript:alert(3))")
    parser = _Elements()
    parser.feed(MarkdownIt("commonmark").render(text))  # raw HTML passes, as on GitHub
    tags = [tag for tag, _ in parser.elements]
    assert tags.count("a") == 2  # the Markdown link and the HTML one, nothing more
    assert tags.count("img") == 2
    for tag, attrs in parser.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert str(attrs[name]).startswith("docs/x%5D%28javascript%3Aalert")
            if tag == "img":
                assert attrs["alt"] == "[t](javascript:alert(3))"  # shown as text
    remote = snippets('https://asciinema.org/a/x")<script>alert(4)</script>')
    assert "<script>alert" not in remote


def test_the_html_page_adds_no_env_the_cast_never_had(tmp_path: Path) -> None:
    import json as json_module

    bare = tmp_path / "bare.cast"
    bare.write_text('{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hi"]\n')
    page = tmp_path / "bare.html"
    assert run("embed", str(bare), "--html", str(page)).returncode == 0
    match = re.search(r"const cast = (.*);\n", page.read_text())
    assert match
    header = json_module.loads(json_module.loads(match.group(1)).splitlines()[0])
    assert header == {"version": 2, "width": 80, "height": 24}
    with_env = tmp_path / "env.cast"
    with_env.write_text(
        '{"version": 2, "width": 80, "height": 24, "env": {"TERM": "xterm"}}\n[0.5, "o", "hi"]\n'
    )
    assert run("embed", str(with_env), "--html", str(page), "--overwrite").returncode == 0
    match = re.search(r"const cast = (.*);\n", page.read_text())
    assert match
    header = json_module.loads(json_module.loads(match.group(1)).splitlines()[0])
    assert header["env"] == {"TERM": "xterm"}


def test_a_lone_surrogate_in_a_cast_is_no_traceback_in_any_export(tmp_path: Path) -> None:
    cast = tmp_path / "s.cast"
    cast.write_text(
        '{"version": 2, "width": 80, "height": 24, "title": "a\\udc80b"}\n'
        '[0.5, "o", "x\\ud800y"]\n[0.6, "m", "\\udc9d"]\n'
    )
    for kind in ("html", "markdown"):
        result = run("embed", str(cast), f"--{kind}", str(tmp_path / f"out.{kind}"))
        assert result.returncode == 0, result.stderr
    result = run("info", str(cast))
    assert result.returncode == 0, result.stderr
    assert "a\ufffdb" in result.stdout  # the reader's U+FFFD for a lone surrogate


@pytest.mark.parametrize(
    "url",
    [
        "https://asciinema.org/a/123?t=5", "https://asciinema.org/a/123#x",
        "https://asciinema.org/", "https://user:pw@asciinema.org/a/5",
        "http://127.0.0.1:18080/ok.cast", "https://asciinema.org/a/123?",
    ],
)  # fmt: skip
def test_markdown_snippets_take_only_a_recording_url(url: str) -> None:
    """review-attack3 item 3: `123?t=5.svg`, `asciinema.org.js`, credentials copied."""
    assert recording_problem(url) is not None
    assert recording_problem("https://asciinema.org/a/123") is None


def test_markdown_snippets_of_a_bad_url_are_one_line_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "u.md"
    result = run("embed", "https://user:s3cret@asciinema.org/a/123?t=5", "--markdown", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "s3cret" not in result.stderr
    assert not out.exists()
