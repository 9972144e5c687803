"""embed's low-severity edges from the attack run: clip bounds that name the same marker
or end before a labelled start, labels that read as numbers, cast paths starting with
`//`, and a cast theme that is not valid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def genact(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def write_cast(path: Path, **header: object) -> Path:
    lines = [
        json.dumps({"version": 2, "width": 40, "height": 5, **header}),
        json.dumps([0.5, "o", "before\r\n"]),
        json.dumps([1.0, "m", "5"]),
        json.dumps([1.5, "o", "five\r\n"]),
        json.dumps([10.0, "m", "late"]),
        json.dumps([10.5, "o", "after late\r\n"]),
        json.dumps([12.0, "m", "nan"]),
        json.dumps([12.5, "o", "the end\r\n"]),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_same_marker_for_start_and_end_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cast = write_cast(tmp_path / "c.cast")
    result = genact("embed", str(cast), "--text", "t.txt", "--start-at", "late", "--end-at",
                    "late", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "name the same marker" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "t.txt").exists()


def test_a_labelled_start_after_a_numeric_end_is_refused(tmp_path: Path) -> None:
    cast = write_cast(tmp_path / "c.cast")
    result = genact("embed", str(cast), "--vtt", "s.vtt", "--start-at", "late", "--end-at", "3",
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "--end-at (3 s) must come after --start-at" in result.stderr
    assert not (tmp_path / "s.vtt").exists()


def test_a_still_before_the_clips_start_names_the_options_given(tmp_path: Path) -> None:
    """review-exports20: `--start-at 68 --at 1` was refused naming --end-at, an option
    never given (the still is the end of a clip from --start-at)."""
    cast = write_cast(tmp_path / "c.cast")
    result = genact("embed", str(cast), "--text", "t.txt", "--start-at", "10", "--at", "1",
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "genact-cast: --at (1) must come after --start-at (10)\n"
    assert not (tmp_path / "t.txt").exists()


@pytest.mark.parametrize(
    ("label", "shown", "hidden"), [("5", "before", "five"), ("nan", "after late", "the end")]
)
def test_a_label_that_reads_as_a_number_can_be_chosen(
    tmp_path: Path, label: str, shown: str, hidden: str
) -> None:
    cast = write_cast(tmp_path / "c.cast")
    result = genact("embed", str(cast), "--text", "t.txt", "--end-at", f"label:{label}",
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "t.txt").read_text()
    assert shown in text
    assert hidden not in text
    played = genact("play", "--start-at", f"label:{label}", "-s", "1000", str(cast), cwd=tmp_path)
    assert played.returncode == 0, played.stderr
    assert "the end" in played.stdout


def test_a_cast_path_starting_with_two_slashes_is_never_a_link_to_another_host(
    tmp_path: Path,
) -> None:
    cast = write_cast(tmp_path / "c.cast")
    doubled = "/" + str(cast)  # //tmp/.../c.cast: the same file
    result = genact("embed", doubled, "--markdown", "s.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    snippet = (tmp_path / "s.md").read_text()
    assert "(//" not in snippet
    assert '"//' not in snippet
    assert "(c.cast)" in snippet  # relative to the snippet's folder (review-attack3 item 7)


def test_an_invalid_cast_theme_is_refused_by_embed_naming_the_field(tmp_path: Path) -> None:
    theme = {"fg": "#ffffff", "bg": "#000000", "palette": ":".join(["#123456"] * 7 + ["red"])}
    cast = write_cast(tmp_path / "c.cast", theme=theme)
    for option, output in (("--svg", "c.svg"), ("--html", "c.html")):
        result = genact("embed", str(cast), option, output, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.startswith("genact-cast: the cast's theme.palette[7]: ")
        assert result.stderr.count("\n") == 1
        assert not (tmp_path / output).exists()
    # Text and subtitles draw no colour: they tell the cast, as the player plays it in its
    # own colours (review-exports23 WARN 9: a 7-colour palette stopped --text and --vtt).
    for option, output in (("--text", "c.txt"), ("--vtt", "c.vtt")):
        result = genact("embed", str(cast), option, output, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / output).read_text(encoding="utf-8").strip()
    # --theme NAME renders it anyway, and play and info still ignore it.
    assert (
        genact("embed", str(cast), "--svg", "c.svg", "--theme", "nord", cwd=tmp_path).returncode
        == 0
    )
    assert genact("info", str(cast), cwd=tmp_path).returncode == 0


def test_a_short_hex_cast_theme_is_used_not_dropped(tmp_path: Path) -> None:
    theme = {"fg": "#fff", "bg": "#012", "palette": ":".join(["#abc"] * 8)}
    cast = write_cast(tmp_path / "c.cast", theme=theme)
    result = genact("embed", str(cast), "--svg", "c.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "#001122" in (tmp_path / "c.svg").read_text().lower()


HIDDEN_IN_TITLES = "\u202e\u2066\u200e\u200f\u061c\x85\x9b"


def test_bidi_and_c1_controls_never_reach_the_pages_title_and_heading(tmp_path: Path) -> None:
    cast = write_cast(tmp_path / "c.cast", title=f"safe{HIDDEN_IN_TITLES}<b>evil")
    result = genact("embed", str(cast), "--html", "c.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "c.html").read_text()
    assert "<title>safe&lt;b&gt;evil</title>" in page
    assert "<h1>safe&lt;b&gt;evil</h1>" in page


@pytest.mark.parametrize(
    ("kind", "start"), [("svg", "<svg "), ("text", "before"), ("vtt", "WEBVTT")]
)
def test_dash_is_standard_output_for_a_text_format(tmp_path: Path, kind: str, start: str) -> None:
    # Review-attack3 item 6: '-' was written as a file named '-'.
    cast = write_cast(tmp_path / "a.cast")
    done = genact("embed", str(cast), f"--{kind}", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(start)
    assert not (tmp_path / "-").exists()


def test_dash_is_refused_for_a_binary_format(tmp_path: Path) -> None:
    cast = write_cast(tmp_path / "a.cast")
    done = genact("embed", str(cast), "--png", "-", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "'-'" in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "-").exists()


def test_markdown_links_are_relative_to_the_snippets_folder(tmp_path: Path) -> None:
    # Review-attack3 item 7: they were relative to the working directory (or absolute).
    (tmp_path / "inj").mkdir()
    (tmp_path / "md1").mkdir()
    cast = write_cast(tmp_path / "inj" / "h.cast")
    for given in ("inj/h.cast", str(cast)):
        out = tmp_path / "md1" / f"{len(given)}.md"
        done = genact("embed", given, "--markdown", str(out), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "[![asciicast](../inj/h.svg)](../inj/h.cast)" in out.read_text()


@pytest.mark.parametrize("name", [".svg", ".TXT", ".vtt"])
def test_record_refuses_an_export_extension_without_a_name(name: str) -> None:
    # Review-attack3 item 12: `record -o .svg` wrote an asciicast named '.svg'.
    from genact_cast.commands.record import rendering_for
    from genact_cast.errors import BadOption

    with pytest.raises(BadOption, match="give the file a name"):
        rendering_for(Path(name))
    assert rendering_for(Path("demo" + name)) is not None


def test_the_html_page_streams_a_large_cast_under_a_memory_limit(tmp_path: Path) -> None:
    """Attack run 7, finding 3: `embed --html` held the cast 5-9 times over (events, v2
    text, JSON, escaped JSON, the page), so a 257 MB cast took 2.4 GB and a memory limit
    ended in a MemoryError traceback. The page is now written as the cast is read: a 40 MB
    cast fits in 120 MB of address space (the old page needed about 250 MB), and the cast
    in the page is the cast, whole."""
    import resource

    from genact_cast.publish.html import cast_v2
    from genact_cast.sources import open_cast

    cast = tmp_path / "big.cast"
    line = "x" * 7990 + "\r\n"
    with cast.open("w") as out:
        out.write(json.dumps({"version": 2, "width": 80, "height": 24, "title": "big"}) + "\n")
        for n in range(5000):
            out.write(json.dumps([n / 100, "o", line]) + "\n")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (120 * 10**6, 120 * 10**6))

    page = tmp_path / "big.html"
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", str(cast), "--html", str(page),
         "--poster", "end"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, preexec_fn=limited,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = page.read_text("utf-8")
    start = text.index("const cast = ") + len("const cast = ")
    embedded, end = json.JSONDecoder().raw_decode(text, start)
    assert text[end : end + 1] == ";"
    with open_cast(str(cast)) as read:
        assert embedded == cast_v2(read.header, read.events())
    assert '"poster":"npt:0:00:49.990"' in text.replace(" ", "")


def test_a_recording_url_whose_host_is_no_host_name_is_refused(tmp_path: Path) -> None:
    """Attack run 7, finding 9: these were taken as a recording's URL (the snippets were
    escaped, but the host is no host name, RFC 1123 2.1)."""
    from genact_cast.publish.markdown import recording_problem

    result = genact("embed", 'https://evil"onload=alert(1)/a/1', "--markdown", "-", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "has no valid host name" in result.stderr
    # A Cyrillic а (a look-alike of asciinema.org), an underscore, a label's end hyphen.
    for url in ("https://\u0430sciinema.org/a/1", "https://exa_mple.org/a/1", "https://-a.org/a/1"):
        problem = recording_problem(url)
        assert problem is not None
        assert problem.startswith("has no valid host name")


def test_a_recording_url_with_a_host_name_or_address_is_taken() -> None:
    from genact_cast.publish.markdown import recording_problem

    taken = ["https://asciinema.org/a/1", "https://xn--sciinema-0mg.org/a/1"]
    taken += ["http://127.0.0.1:8080/a/x", "http://[::1]/a/1", "http://localhost./a/1"]
    for url in taken:
        assert recording_problem(url) is None, url
