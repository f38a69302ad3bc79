"""Prints a command of the README's "Two commands on a fresh machine", verbatim.

`.ci/run` runs what this prints, so CI runs exactly what a newcomer copies:
`python tools/readme_commands.py 1` is the install-and-demo command, `2` the
install-and-test command. Standard library only: it runs before any install.
"""

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Two commands on a fresh machine"


def readme_commands(text: str) -> list:
    """The command lines of the first bash block under SECTION, comments dropped."""
    if SECTION not in text:
        raise ValueError(f"README.md has no section {SECTION!r}")
    after = text.split(SECTION, 1)[1]
    block = re.search(r"```bash\n(.*?)```", after, re.S)
    if block is None:
        raise ValueError(f"no ```bash block under {SECTION!r}")
    return [
        line.strip()
        for line in block.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = readme_commands(README.read_text())
    if len(argv) != 1 or argv[0] not in {str(i + 1) for i in range(len(commands))}:
        print(f"usage: readme_commands.py N, N in 1..{len(commands)}", file=sys.stderr)
        return 2
    print(commands[int(argv[0]) - 1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
