"""The commands that talk to an asciinema server: `upload` a cast, `auth` this machine.

Registered on the app by genact_cast.cli.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from genact_cast.cli_options import Server, Visibility
from genact_cast.errors import BadOption
from genact_cast.option_types import words


def upload(
    source: Annotated[Path, typer.Argument(help="Cast file to upload.")],
    server: Server = None,
    title: Annotated[str | None, typer.Option(parser=words, help="Title of the recording.")] = None,
    visibility: Annotated[
        Visibility | None, typer.Option(help="Who may see it (the server's default if absent).")
    ] = None,
) -> None:
    """Upload a cast to an asciinema server, into your asciinema account."""
    from genact_cast.escape import terminal_text
    from genact_cast.publish.install_id import install_id, server_url
    from genact_cast.publish.upload import upload as send
    from genact_cast.standard_output import write_stdout

    if str(source) == "-":
        raise BadOption("upload takes a cast file (not standard input)")
    if source.parts and source.parts[0] in ("http:", "https:") and not source.exists():
        # Path folds "http://h/x" into "http:/h/x": name the real problem instead.
        raise BadOption("upload takes a local cast file, not a URL: download the cast first")
    url = server_url(server)
    result = send(
        source,
        server=url,
        install_id=install_id(),
        title=title,
        visibility=None if visibility is None else visibility.value,
    )
    if result.message:
        print(terminal_text(result.message.strip(), keep_newlines=True), file=sys.stderr)
    write_stdout(
        f"{terminal_text(result.url)}\n\nMarkdown:\n  {terminal_text(result.markdown)}\n"
        f"HTML:\n  {terminal_text(result.html)}\n"
    )


def auth(server: Server = None) -> None:
    """Print the link that ties this machine's install ID to your asciinema account."""
    from genact_cast.escape import terminal_text
    from genact_cast.publish.install_id import install_id, server_url
    from genact_cast.standard_output import write_stdout

    url = terminal_text(server_url(server))
    write_stdout(
        f"Open this link to tie uploads from this machine to your {url} account:\n"
        f"  {url}/connect/{terminal_text(install_id())}\n"
    )
