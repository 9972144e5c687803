"""The home folder the subtitle recordings run in (scripts/subtitle_recording.py): shell
configurations (zsh with `menu select`, two-line, transient and box prompts, fish's box
prompt, bash prompts that save the cursor or start with a newline), small programs (a
curses clock and menu, a node dashboard, a progress bar) and files to list and page."""

from __future__ import annotations

from pathlib import Path

ZSHRC = """PROMPT='%n:%~%# '
RPROMPT='[%T]'
autoload -U compinit; compinit -u
zstyle ':completion:*' menu select
"""
CLOCK = """import curses, time


def main(screen):
    for tick in range(6):
        screen.erase()
        screen.addstr(0, 0, "Clock " + time.strftime("%H:%M:%S"))
        screen.addstr(2, 2, f"tick {tick} of 6")
        screen.addstr(3, 2, "load " + open("/proc/loadavg").read().split()[0])
        screen.addstr(4, 2, "status " + ("ok" if tick % 2 else "busy"))
        screen.refresh()
        time.sleep(0.5)


curses.wrapper(main)
print("clock done")
"""
TWO_LINE_ZSHRC = """PROMPT=$'%~ on box\\n%# '
RPROMPT='[%T]'
"""
TRANSIENT_ZSHRC = """precmd() { PROMPT=$'\\n%~\\n%# ' }
_collapse() { PROMPT='> '; zle .reset-prompt; zle -R }
zle -N zle-line-finish _collapse
"""
MENU = """import curses


def main(screen):
    curses.curs_set(0)
    items = ["Network", "Storage", "Users", "Quit"]
    chosen = 0
    while True:
        screen.erase()
        screen.addstr(0, 2, "Setup menu", curses.A_BOLD)
        for i, item in enumerate(items):
            screen.addstr(2 + i, 4, item, curses.A_REVERSE if i == chosen else 0)
        screen.refresh()
        key = screen.getch()
        if key == curses.KEY_DOWN:
            chosen = (chosen + 1) % len(items)
        elif key in (10, 13):
            return items[chosen]


print("chose", curses.wrapper(main))
"""
DASH = """process.stdout.write("\\x1b[?1049h\\x1b[H\\x1b[2J");
process.stdout.write("Build dashboard\\r\\n\\r\\njobs: 3 running\\r\\n");
setTimeout(() => {
  process.stdout.write("\\x1b[?1049l");
  console.log("dashboard closed");
}, 1500);
"""
SCREENRC = """startup_message off
hardstatus alwayslastline
hardstatus string '%{= kG}[ %H ][%= %{= kw}%-w%{+b r}%n*%t%{-b r}%{w}%+w %=%{g}][ %m-%d %c ]'
"""
BAR = """import sys, time

for done in range(0, 65, 8):
    bar = "\\x1b[38;2;249;38;114m" + "\\u2501" * (done // 2)
    bar += "\\x1b[38;5;237m" + "\\u2501" * (32 - done // 2)
    sys.stdout.write(f"\\r   {bar}\\x1b[0m {done}/64 kB 1.2 MB/s")
    sys.stdout.flush()
    time.sleep(0.2)
print()
print("Successfully installed demo-1.0")
"""
BOX_ZSHRC = """PROMPT=$'%F{green}\\u250c[%n@box]\\u2500[%~]%f\\n%F{green}\\u2514\\u257c%f $ '
RPROMPT='%(?..%F{red}\\u2718 %?%f)'
"""
BOX_FISH = """function fish_prompt
    echo (prompt_pwd)
    echo -n '\\u279c '
end
function fish_right_prompt
    echo -n '[main] 12:00:00'
end
"""
SAVED_BASHRC = r"""PS1='\[\e7\]+- \u@box \w\[\e8\]\n+> '
"""
NEWLINE_BASHRC = r"""PS1='\n+- \u@box \w\n+> '
"""
ASK = """read -p "Your name? " name
echo "hello $name"
read -p "Continue? [y/N] " answer
echo "answered $answer"
"""


def make_home(folder: Path) -> Path:
    """The home folder, made in `folder`, with every file the sessions use."""
    home = folder / "home"
    notes = home / "notes"
    notes.mkdir(parents=True)
    for file in ("alpha.txt", "beta.txt", "gamma.txt", "delta.txt"):
        (notes / file).write_text(f"{file.split('.')[0]} line\n")
    (home / ".zshrc").write_text(ZSHRC)
    (home / "ask.sh").write_text(ASK)
    (home / "transient").mkdir()
    (home / "transient" / ".zshrc").write_text(TRANSIENT_ZSHRC)
    (home / "twoline").mkdir()
    (home / "twoline" / ".zshrc").write_text(TWO_LINE_ZSHRC)
    (home / "box" / "fish").mkdir(parents=True)
    (home / "box" / ".zshrc").write_text(BOX_ZSHRC)
    (home / "box" / "fish" / "config.fish").write_text(BOX_FISH)
    (home / "menu.py").write_text(MENU)
    (home / "dash.js").write_text(DASH)
    (home / "bar.py").write_text(BAR)
    (home / "clock.py").write_text(CLOCK)
    (home / "screenrc").write_text(SCREENRC)
    (home / "saved.bashrc").write_text(SAVED_BASHRC)
    (home / "newline.bashrc").write_text(NEWLINE_BASHRC)
    (home / "long.txt").write_text("".join(f"line {n} of a long file\n" for n in range(1, 41)))
    # (fish generates completions from man pages in the background on its first start,
    # holding the terminal open after `exit`: the folder says it was done)
    (home / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    return home
