"""The Sphinx extension: `.. genact-cast::` generates a cast from `record`'s options at build
time, `.. asciicast:: file.cast` embeds one from the source tree.

HTML builders get asciinema-player (pinned, its files in `_static`, no CDN) and the cast
file beside the page; builders without JavaScript (LaTeX, epub, text, man, texinfo) get the
final screen as a still with a caption: SVG where the builder takes it, PNG where it takes
that and Pillow is installed (the `video` extra), else the screen as text. Casts and stills
live in the build's cache (the doctree folder), keyed by the options and genact-cast's
version. A bad option is a warning at its file and line, never a traceback.
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from genact_cast import __version__
from genact_cast.docs import assets
from genact_cast.docs.casts import CastCache, Prepared, copy_into
from genact_cast.docs.markup import Still, player_html, player_json, still_of
from genact_cast.docs.options import (
    FILE_PLAYER_OPTIONS,
    GENERATED_PLAYER_OPTIONS,
    OWN_OPTIONS,
    Player,
    defaults_from,
    for_generated,
    player_options,
    record_args,
    record_option_names,
    record_options,
)
from genact_cast.errors import GenactCastError

logger = logging.getLogger(__name__)
ENV_VERSION = 3  # 2: players carry their still; 3: the cast files of each page
_CAST_NAME = re.compile(r"genact-cast-[0-9a-f]+\.cast")


class genact_cast_player(nodes.General, nodes.Element):
    """A player: the cached cast, its name beside the page, the player's options."""


def _cache(env: BuildEnvironment) -> CastCache:
    return CastCache(Path(env.doctreedir) / "genact-cast")


def _spec(names: Any) -> dict[str, Any]:
    return dict.fromkeys(names, directives.unchanged)


class _CastDirective(SphinxDirective):
    def _pairs(self, names: Any) -> list[tuple[str, str]]:
        return [(k, str(v or "")) for k, v in self.options.items() if k in names]

    def _warn(self, message: str) -> list[nodes.Node]:
        logger.warning("genact-cast: %s", message, location=self.get_location(), type="genact-cast")
        return []

    def _player(self, prepared: Prepared, names: Any, source: list[str]) -> list[nodes.Node]:
        for warning in prepared.warnings:
            self._warn(warning)
        defaults = _defaults(self.config, old_too=self.name == "asciinema")
        if names is GENERATED_PLAYER_OPTIONS:
            defaults = for_generated(defaults)
        player = player_options(self._pairs(names), defaults=defaults)
        node = genact_cast_player()
        node["cast"] = str(prepared.path)
        node["source"] = source  # to make the cast again if the cache was removed
        node["key"] = prepared.key
        node["file"] = prepared.file_name
        node["title"] = prepared.title
        node["duration"] = prepared.duration
        node["caption"] = self.options.get("caption") or ""
        node["options"] = player_json(player, prepared)
        still = still_of(_cache(self.env), prepared)
        node["still"] = [still.text, still.cols, still.rows]
        self.set_source_info(node)
        docs: set[str] = _docs(self.env)
        docs.add(self.env.docname)
        _files(self.env).setdefault(self.env.docname, set()).add(prepared.file_name)
        return [node]


class GenactCastDirective(_CastDirective):
    """`.. genact-cast::` with `:seed: 7` and the other options of `record`."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}  # filled in by `setup`, from `record` itself

    def run(self) -> list[nodes.Node]:
        try:
            args = record_args(self._pairs(record_option_names()))
            options = record_options(args)
            prepared = _cache(self.env).generated(options)
            if prepared.made:
                logger.info("genact-cast: generated %s (seed %d)", prepared.file_name, options.seed)
            return self._player(prepared, GENERATED_PLAYER_OPTIONS, ["record", *args])
        except GenactCastError as exc:
            return self._warn(str(exc))


class AsciicastDirective(_CastDirective):
    """`.. asciicast:: path/to/file.cast` (relative to the page, or `/` to the source)."""

    has_content = False
    required_arguments = 1
    final_argument_whitespace = True
    # `path`: sphinxcontrib-asciinema's folder of the cast, put before a name that does
    # not start with `./` (from conf.py's sphinxcontrib_asciinema_defaults too, for its
    # `.. asciinema::`).
    option_spec: ClassVar[dict[str, Any]] = _spec(FILE_PLAYER_OPTIONS + OWN_OPTIONS + ("path",))

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        folder = self.options.get("path")
        if folder is None and self.name == "asciinema":
            folder = _old_defaults(self.config).get("path")
        if folder and not name.startswith("./"):
            name = f"{str(folder).rstrip('/')}/{name}"
        relative, absolute = self.env.relfn2path(name, self.env.docname)
        source = Path(absolute).resolve()
        srcdir = Path(self.env.srcdir).resolve()
        if not source.is_relative_to(srcdir):
            # Sphinx resolves links: the name as written, to tell a link from a `..`.
            folder = "" if name.startswith("/") else self.env.doc2path(self.env.docname, False)
            written = os.path.normpath(Path(srcdir, os.path.dirname(folder), name.lstrip("/")))
            if Path(written).is_relative_to(srcdir):
                return self._warn(f"{name!r} is a link to {str(source)!r}, outside the source tree")
            return self._warn(f"{name!r} is outside the source tree")
        if not source.is_file():
            return self._warn(f"no cast file {name!r}")
        self.env.note_dependency(str(relative))
        try:
            prepared = _cache(self.env).from_file(source)
            return self._player(prepared, FILE_PLAYER_OPTIONS, ["file", str(source)])
        except GenactCastError as exc:
            return self._warn(str(exc))


def _old_defaults(config: Any) -> dict[str, Any]:
    """sphinxcontrib-asciinema's `sphinxcontrib_asciinema_defaults`, when we stand in for it."""
    found = getattr(config, "sphinxcontrib_asciinema_defaults", None)
    if "sphinxcontrib.asciinema" in config.extensions or not isinstance(found, dict):
        return {}
    return found


def _defaults(config: Any, *, old_too: bool = True) -> Player:
    """genact-cast's defaults, over sphinxcontrib-asciinema's for its `.. asciinema::`
    (whose `path` is the directive's)."""
    old = {k: v for k, v in _old_defaults(config).items() if k != "path"} if old_too else {}
    base = defaults_from(old, "sphinxcontrib_asciinema_defaults")
    return defaults_from(
        config.genact_cast_player_defaults, "genact_cast_player_defaults", base=base
    )


def _check_config(app: Sphinx, config: Any) -> None:
    """Bad defaults are a warning (an error with -W), and are not used."""
    try:
        if not isinstance(config.genact_cast_player_defaults, dict):
            raise GenactCastError("genact_cast_player_defaults must be a dict of player options")
        _defaults(config)
    except GenactCastError as exc:
        logger.warning("genact-cast: conf.py: %s", exc, type="genact-cast")
        config.genact_cast_player_defaults = {}
        if "sphinxcontrib.asciinema" not in config.extensions:
            config.sphinxcontrib_asciinema_defaults = {}


def _docs(env: BuildEnvironment) -> set[str]:
    """The documents with players (kept in the environment, merged across processes)."""
    if not hasattr(env, "genact_cast_docs"):
        env.genact_cast_docs = set()  # type: ignore[attr-defined]
    found: set[str] = env.genact_cast_docs  # type: ignore[attr-defined]
    return found


def _files(env: BuildEnvironment) -> dict[str, set[str]]:
    """The cast files beside each document's page (to remove those no page shows now)."""
    if not hasattr(env, "genact_cast_files"):
        env.genact_cast_files = {}  # type: ignore[attr-defined]
    found: dict[str, set[str]] = env.genact_cast_files  # type: ignore[attr-defined]
    return found


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _docs(env).discard(docname)
    _files(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _docs(env).update(_docs(other) & docnames)
    _files(env).update({d: f for d, f in _files(other).items() if d in docnames})


def _page_folder(builder: Any, docname: str) -> str:
    """The folder of a document's page in the output, relative to it."""
    uri = builder.get_target_uri(docname)
    return "" if "#" in uri else uri.rstrip("/") if uri.endswith("/") else posixpath.dirname(uri)


def _prune_casts(app: Sphinx) -> None:
    """Cast files of earlier builds (options changed, genact-cast upgraded) that no page
    shows now are removed; only names of the form genact-cast-HEX.cast are touched."""
    outdir = Path(app.outdir).resolve()
    keep = {
        (outdir / _page_folder(app.builder, doc) / name).resolve()
        for doc, names in _files(app.env).items()
        for name in names
    }
    for path in outdir.rglob("genact-cast-*.cast"):
        if _CAST_NAME.fullmatch(path.name) and path.resolve() not in keep and path.is_file():
            path.unlink()


def _outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """A new genact-cast may draw a cast differently: read its pages again."""
    if getattr(env, "genact_cast_version", None) == __version__:
        return []
    env.genact_cast_version = __version__  # type: ignore[attr-defined]
    return sorted(_docs(env))


def _cached(env: BuildEnvironment, node: genact_cast_player) -> Path:
    """The node's cast in the cache, made again if the cache was removed since it was read."""
    path = Path(node["cast"])
    if not path.is_file():
        kind, *rest = node["source"]
        cache = _cache(env)
        made = cache.generated(record_options(rest)) if kind == "record" else None
        made = made or cache.from_file(Path(rest[0]))
        path = made.path
    return path


def _plays(app: Sphinx) -> bool:
    builder = app.builder
    return builder is not None and builder.format == "html" and not builder.name.startswith("epub")


def visit_player_html(self: SphinxTranslator, node: genact_cast_player) -> None:
    """The player, and the cast file copied beside the page."""
    builder: Any = self.builder
    folder = _page_folder(builder, builder.current_docname)
    copy_into(_cached(self.builder.env, node), Path(builder.outdir, folder, node["file"]))
    text, cols, rows = node["still"]
    markup = player_html(
        node["file"], node["options"], caption=node["caption"] or None, title=node["title"],
        still=Still(text, cols, rows),
    )  # fmt: skip
    body: list[str] = getattr(self, "body")  # noqa: B009 (HTML translators have one)
    body.append(markup + "\n")
    raise nodes.SkipNode


class StillsWithoutJavaScript(SphinxPostTransform):
    """For builders without JavaScript, each player becomes its final screen."""

    default_priority = 5  # before Sphinx's image converters and the builder's image pass
    _said_no_pillow: ClassVar[bool] = False

    def run(self, **kwargs: Any) -> None:
        if _plays(self.app):
            return
        for node in list(self.document.findall(genact_cast_player)):
            try:
                node.replace_self(self._still(node))
            except GenactCastError as exc:
                logger.warning("genact-cast: %s", exc, location=node, type="genact-cast")
                node.replace_self([])

    def _still(self, node: genact_cast_player) -> nodes.Element:
        cast = _cached(self.env, node)
        prepared = Prepared(node["key"], cast, node["title"], node["duration"], ())
        cache = _cache(self.env)
        caption = node["caption"] or node["title"]
        supported = self.app.builder.supported_image_types
        kind = "text"
        if "image/svg+xml" in supported:
            kind = "svg"
        elif "image/png" in supported:
            if importlib.util.find_spec("PIL") is not None:
                kind = "png"
            elif not StillsWithoutJavaScript._said_no_pillow:
                StillsWithoutJavaScript._said_no_pillow = True
                logger.info(
                    "genact-cast: PNG stills need Pillow (pip install 'genact-cast[video]'); "
                    "the %s builder gets the final screen as text",
                    self.app.builder.name,
                )
        path = cache.still(prepared, kind)
        if kind == "text":
            text = path.read_text("utf-8")
            literal = nodes.literal_block(text, text, language="none")  # a screen, not code
            wrapper = nodes.container("", literal_block=True, classes=["literal-block-wrapper"])
            wrapper += nodes.caption(caption, caption)
            wrapper += literal
            self.document.set_id(wrapper)
            return wrapper
        uri = str(path)
        image = nodes.image(uri=uri, alt=caption, candidates={"*": uri})
        self.env.images.add_file(self.env.docname, uri)
        figure = nodes.figure("", image)
        figure += nodes.caption(caption, caption)
        self.document.set_id(figure)  # epub's table of contents wants one
        return figure


def _assets_for_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None or not any(doctree.findall(genact_cast_player)):
        return
    for name in assets.JS_FILES:
        app.add_js_file(name)
    for name in assets.CSS_FILES:
        app.add_css_file(name)


def _copy_assets(app: Sphinx, exc: BaseException | None) -> None:
    if exc is not None or not _plays(app):
        return
    _prune_casts(app)
    if not _docs(app.env):
        return
    from genact_cast.publish.player_assets import PlayerAssetError

    try:
        assets.write_static(Path(app.outdir) / "_static")
    except PlayerAssetError as error:
        logger.warning("genact-cast: %s", assets.missing_player_hint(error), type="genact-cast")


def setup(app: Sphinx) -> dict[str, Any]:
    GenactCastDirective.option_spec = _spec(
        [*record_option_names(), *GENERATED_PLAYER_OPTIONS, *OWN_OPTIONS]
    )
    # Player options for every cast, as a page's options would give them (sphinxcontrib-
    # asciinema's `sphinxcontrib_asciinema_defaults`): {"autoplay": True, "loop": True}.
    app.add_config_value("genact_cast_player_defaults", {}, "env", types=[dict])
    app.connect("config-inited", _check_config)
    app.add_node(genact_cast_player, html=(visit_player_html, None))
    app.add_directive("genact-cast", GenactCastDirective)
    app.add_directive("asciicast", AsciicastDirective)
    if "sphinxcontrib.asciinema" not in app.config.extensions:
        # sphinxcontrib-asciinema's name for a cast file, for pages written for it.
        app.add_directive("asciinema", AsciicastDirective)
        app.add_config_value("sphinxcontrib_asciinema_defaults", {}, "env", types=[dict])
    app.add_post_transform(StillsWithoutJavaScript)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("html-page-context", _assets_for_page)
    app.connect("build-finished", _copy_assets)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
