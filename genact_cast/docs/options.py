"""Options of a cast in a document: `record`'s own options, parsed by the `record` command's
own parser (typer/click), and the player options of `embed --html`.

Both the Sphinx directive (`:seed: 7`) and the MkDocs block (`seed: 7`, or `--seed 7`) come
here as (name, value) pairs, so the two tools check everything the same way, with the same
messages as the command line.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from genact_cast import limits
from genact_cast.errors import BadOption
from genact_cast.numbers import plain_float

if TYPE_CHECKING:
    from genact_cast.generator import RecordOptions


class DocsOptionError(BadOption):
    """An option of a cast in a document that cannot work; the message names the option."""


# What the documentation build decides itself: where the cast goes, in which format, and
# that it is generated, not recorded live.
NOT_IN_DOCS = frozenset({"output", "overwrite", "cast_format", "live", "help"})

# The player options of `embed --html` (and asciinema-player's `startAt`). For a generated
# cast, `speed`, `idle-time-limit` and `theme` are `record`'s: they go into the cast itself.
# `preload` and `controls` are asciinema-player's, as sphinxcontrib-asciinema and
# mkdocs-asciinema-player pass them on.
PLAYER_FLAGS = ("autoplay", "loop", "pause-on-markers", "preload")
PLAYER_VALUES = ("poster", "fit", "start-at", "speed", "idle-time-limit", "theme", "controls")
PLAYER_OPTIONS = PLAYER_FLAGS + PLAYER_VALUES
GENERATED_PLAYER_OPTIONS = tuple(
    o for o in PLAYER_OPTIONS if o not in ("speed", "idle-time-limit", "theme")
)
# sphinxcontrib-asciinema 0.4.3's other options (its asciinema.py, ASCIINemaDirective's
# option_spec), for pages written for it: asciinema-player's own options, passed on under
# the player's names. Docutils gives option names in lower case, so `pauseOnMarkers` is
# `pauseonmarkers`. Its `path` (the folder of the cast) is the Sphinx directive's.
COMPAT_OPTIONS = {
    "cols": "cols", "rows": "rows", "markers": "markers", "pauseonmarkers": "pauseOnMarkers",
    "terminalfontsize": "terminalFontSize", "terminalfontfamily": "terminalFontFamily",
    "terminallineheight": "terminalLineHeight", "audiourl": "audioUrl",
}  # fmt: skip
FILE_PLAYER_OPTIONS = PLAYER_OPTIONS + tuple(COMPAT_OPTIONS)
MAX_MARKERS = 10_000
# Options of the block itself, not of the cast or the player.
OWN_OPTIONS = ("caption",)

FITS = ("width", "height", "both", "none")
CONTROLS = ("auto", "true", "false")  # shown on mouse-over (auto), always, never
_TRUE = ("", "true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
# re.ASCII: `\d` alone takes every script's digits, which int() then reads (review-attack12 F5).
_CLOCK = re.compile(r"(?:(\d{1,6}):)?(\d{1,6}):(\d{2}(?:\.\d{1,6})?)", re.ASCII)


@functools.cache
def _record_command() -> Any:
    """`genact-cast record` as typer's click sees it: its options, types and defaults."""
    import typer.main

    from genact_cast.cli import app

    commands: dict[str, Any] = getattr(typer.main.get_command(app), "commands", {})
    return commands["record"]


@functools.cache
def record_option_names() -> dict[str, bool]:
    """Each option of `record` a document may use (`seed`, `no-color`, ...): is it a flag?"""
    names: dict[str, bool] = {}
    for param in _record_command().params:
        if getattr(param, "param_type_name", "") != "option" or param.name in NOT_IN_DOCS:
            continue
        for opt in [*param.opts, *param.secondary_opts]:
            if opt.startswith("--"):
                names[opt[2:]] = param.is_flag
    return names


def record_args(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """(`seed`, `7`), (`no-color`, ``) as the command line `--seed 7 --no-color`."""
    names = record_option_names()
    args: list[str] = []
    for name, value in pairs:
        if name not in names:
            raise DocsOptionError(f"unknown option {name!r}; {_choices(names)}")
        if not names[name]:
            args += [f"--{name}", value]
            continue
        on = _flag(name, value)
        # A flag with a value: `color: false` is `--no-color`, `no-color: false` is `--color`.
        positive, negative = (name[3:], name) if name.startswith("no-") else (name, f"no-{name}")
        args.append(f"--{positive}" if on == (name == positive) else f"--{negative}")
    return args


def split_command_line(text: str) -> list[str]:
    """`--seed 7 --framework hf` (or `genact-cast record --seed 7 ...`) as arguments."""
    try:
        args = shlex.split(text, comments=True)
    except ValueError as exc:
        raise DocsOptionError(f"cannot read the command line: {exc}") from None
    if args[:2] == ["genact-cast", "record"]:
        args = args[2:]
    return args


def record_options(args: Sequence[str], *, seed_required: bool = True) -> RecordOptions:
    """The options of `genact-cast record ARGS`, parsed and checked by `record`'s own parser
    and `RecordOptions.check`; a bad value is a `DocsOptionError` naming the option."""
    import typer

    from genact_cast import cli_options

    command = _record_command()
    try:
        context = command.make_context("record", list(args))
    except typer.Exit:
        raise DocsOptionError("--help is not an option of a cast") from None
    except DocsOptionError:
        raise
    except BadOption as exc:  # (an option given twice: cli_options.OnceCommand)
        raise DocsOptionError(str(exc)) from None
    except typer.TyperException as exc:
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        raise DocsOptionError(str(message).replace("\n", " ")) from None
    p: dict[str, Any] = context.params
    for name in NOT_IN_DOCS:
        source = context.get_parameter_source(name)
        if source is not None and source.name != "DEFAULT":
            raise DocsOptionError(f"--{name.replace('_', '-')} is decided by the docs build")
    if p["seed"] is None and seed_required:
        raise DocsOptionError("--seed is required, so that every build shows the same run")
    # The same two steps as the `record` command: the shared parser, then the rest.
    options = cli_options.record_options(
        p["seed"], p["duration"], p["speed"], p["cols"], p["rows"], p["model"], p["gpus"],
        p["gpu"], p["dataset"], p["color"], p["start"],
    )._replace(
        title=p["title"], idle_time_limit=p["idle_time_limit"], theme=p["theme"],
        kind=p["kind"], method=p["method"],
        failures=cli_options.parse_failures_option(p["failures"]), layout=p["layout"],
        framework=p["framework"],
    )  # fmt: skip
    options.check()
    return cli_options.runnable(options, seed_given=p["seed"] is not None)


@dataclass(frozen=True)
class Player:
    """The player options of one cast, checked; `start_at` may still be a marker label."""

    autoplay: bool = False
    loop: bool = False
    pause_on_markers: bool = False
    preload: bool = False
    controls: str = "auto"
    poster: str | None = None
    fit: str = "width"
    start_at: float | str | None = None
    speed: float = 1.0
    idle_time_limit: float | None = None
    theme: str | None = None
    # asciinema-player options under its own names (COMPAT_OPTIONS), for cast files only.
    extra: tuple[tuple[str, Any], ...] = ()


def player_options(pairs: Iterable[tuple[str, str]], *, defaults: Player | None = None) -> Player:
    """The player options among `pairs`, checked with `embed`'s own checks."""
    from genact_cast.commands.embed import check_options

    values: dict[str, Any] = {}
    base = defaults or Player()
    extra = dict(base.extra)
    problems: list[str] = []
    for name, value in pairs:
        try:
            _one_option(name, value, values, extra)
        except DocsOptionError as exc:
            problems.append(str(exc))  # every bad option at once, not the first only
    if problems:
        raise DocsOptionError("; ".join(problems))
    values["extra"] = tuple(sorted(extra.items()))
    player = Player(**{**base.__dict__, **values})
    try:
        theme = check_options(
            "html", theme=player.theme, speed=player.speed, fps_cap=30, font_size=14,
            idle_time_limit=player.idle_time_limit, at=None, poster=player.poster,
        )  # fmt: skip
    except BadOption as exc:
        # embed's messages name the command-line option: name the document's too.
        raise DocsOptionError(str(exc)) from None
    return Player(**{**player.__dict__, "theme": theme})


def _one_option(name: str, value: str, values: dict[str, Any], extra: dict[str, Any]) -> None:
    """One player option into `values` (Player's fields) or `extra` (the player's names)."""
    key = name.replace("-", "_")
    if name == "pauseonmarkers":
        values["pause_on_markers"] = _flag(name, value)
    elif name in COMPAT_OPTIONS:
        extra[COMPAT_OPTIONS[name]] = _compat(name, value)
    elif name in PLAYER_FLAGS:
        values[key] = _flag(name, value)
    elif name in ("speed", "idle-time-limit"):
        values[key] = _any_number(name, value)  # its range: embed's check_options, below
    elif name == "fit":
        if value.strip() not in FITS:
            raise DocsOptionError(f"fit must be one of {', '.join(FITS)} (got {value!r})")
        values[key] = value.strip()
    elif name == "controls":
        text = value.strip().lower()
        text = "true" if text in _TRUE[1:] else "false" if text in _FALSE else text
        if text not in CONTROLS:
            raise DocsOptionError(f"controls must be auto, true or false (got {value!r})")
        values[key] = text
    elif name == "start-at":
        values[key] = _start_at(value)
    elif name in ("poster", "theme"):
        values[key] = value.strip()
    else:
        raise DocsOptionError(f"unknown player option {name!r}; {_choices(FILE_PLAYER_OPTIONS)}")


def for_generated(defaults: Player) -> Player:
    """Defaults for a generated cast, which carries its own speed, idle limit and theme
    (`record`'s options)."""
    return Player(
        **{**defaults.__dict__, "speed": 1.0, "idle_time_limit": None, "theme": None, "extra": ()}
    )


def defaults_from(mapping: dict[str, object], where: str, *, base: Player | None = None) -> Player:
    """Player defaults from a tool's configuration (`autoplay: true`, `start_at: 5`, ...),
    over `base`."""
    pairs = []
    for key, value in mapping.items():
        name = str(key).replace("_", "-")
        if name.lower() in COMPAT_OPTIONS:
            name = name.lower()  # sphinxcontrib-asciinema's `pauseOnMarkers`
        if name == "markers" and isinstance(value, list | tuple):
            pairs.append((name, json.dumps(value)))
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    try:
        return player_options(pairs, defaults=base)
    except DocsOptionError as exc:
        raise DocsOptionError(f"{where}: {exc}") from None


def _compat(name: str, value: str) -> Any:
    """A COMPAT_OPTIONS value, checked as asciinema-player reads it."""
    text = value.strip()
    if name in ("cols", "rows"):
        if not (text.isdigit() and 0 < int(text) <= 10_000):
            raise DocsOptionError(f"{name} must be a whole number from 1 to 10000 (got {value!r})")
        return int(text)
    if name == "terminallineheight":
        return _number(name, text)
    if name == "markers":
        return _markers(text)
    if not text:
        raise DocsOptionError(f"{name} needs a value")
    return text


def _markers(text: str) -> list[Any]:
    """asciinema-player's `markers`: a JSON list of seconds, or of [seconds, label]."""
    problem = f'markers must be a JSON list of seconds or [seconds, "label"] (got {text!r})'
    try:
        found = json.loads(text)
    except ValueError:
        raise DocsOptionError(problem) from None
    if not isinstance(found, list) or len(found) > MAX_MARKERS:
        raise DocsOptionError(problem)
    markers: list[Any] = []
    for item in found:
        time, label = (
            (item[0], item[1]) if isinstance(item, list) and len(item) == 2 else (item, None)
        )
        ok = isinstance(time, int | float) and not isinstance(time, bool) and time >= 0
        if not (ok and math.isfinite(time) and (label is None or isinstance(label, str))):
            raise DocsOptionError(problem)
        markers.append(time if label is None else [time, label])
    return markers


def _flag(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DocsOptionError(f"{name} is a flag: give no value, or true or false (got {value!r})")


def _number(name: str, value: str) -> float:
    number = plain_float(value.strip())
    if number is None:
        raise DocsOptionError(f"{name} must be a number (got {value!r})")
    if not (math.isfinite(number) and number > 0):
        raise DocsOptionError(f"{name} must be a number above 0 (got {value!r})")
    return number


def _any_number(name: str, value: str) -> float:
    """A number, however large or small: its range is checked as the command line checks
    it, so that the message is the command line's (`:speed: 1e400` said "a number above
    0", not the upper bound: review-attack14 low 3)."""
    number = plain_float(value.strip())
    if number is None:
        raise DocsOptionError(f"{name} must be a number (got {value!r})")
    return number


def _start_at(value: str) -> float | str:
    """Seconds (`90`), a clock (`1:30`, `1:02:03`) as asciinema-player reads it, or a marker's
    label (resolved against the cast's markers once it is known)."""
    text = value.strip()
    if not text:
        raise DocsOptionError("start-at needs seconds, M:SS, H:MM:SS or a marker's label")
    number = plain_float(text)
    if number is not None:
        seconds = number
    else:
        clock = _CLOCK.fullmatch(text)
        if clock is None:
            return text
        hours, minutes, secs = clock.groups()
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    if not (math.isfinite(seconds) and 0 <= seconds <= limits.MAX_CAST_SECONDS):
        # (play's --start-at message, commands/play.py, with its bound)
        raise DocsOptionError(
            f"--start-at must be 0 to {limits.MAX_CAST_SECONDS:g} seconds, or a marker label"
            f" (got {value!r})"
        )
    return seconds


def _choices(names: Iterable[str]) -> str:
    return "choose from: " + ", ".join(sorted(names))
