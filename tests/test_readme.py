"""The front page: at most 250 lines, two commands that CI runs verbatim, and links
that resolve."""

import re
import runpy
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The tool CI runs, loaded from its file (tools/ is not a package).
readme_commands = runpy.run_path(str(REPO / "tools" / "readme_commands.py"))["readme_commands"]


def test_readme_is_a_front_page_with_the_two_commands():
    text = (REPO / "README.md").read_text()
    assert len(text.splitlines()) <= 250
    install_demo, install_test = readme_commands(text)
    assert install_demo == 'pip install ".[cpu]" && tfgan-zoo demo --out runs/demo'
    assert install_test.startswith('pip install ".[cpu,test]" && python -m pytest ')
    assert "--no-deps" not in text  # no second install step


def test_ci_runs_the_readme_commands_in_a_fresh_venv():
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"python3? -m venv \"\$VENV\"\n", ci)
    assert "--system-site-packages" not in ci
    assert ci.count("run_readme_command 1") == 1 and ci.count("run_readme_command 2") == 1
    assert "tools/readme_commands.py" in ci


def test_relative_links_in_the_docs_resolve():
    pages = [REPO / "README.md", REPO / "export" / "README.md", *(REPO / "docs").glob("*.md")]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not re.match(r"[a-z]+:", target) and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)} -> {target}")
    assert not broken, broken
    assert len(pages) > 5
