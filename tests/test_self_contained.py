"""The repository carries everything it runs and tests with: no file names a path above the
repository root (a user's clone has nothing beside it)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = (".py", ".sh", ".toml", ".cfg", ".ini", ".txt", ".yml", ".yaml", ".json", ".md")
# The shared folder beside the repository by relative path or by name, or /work/...
BESIDE = re.compile(r"""\.\./+shared\b|["']shared["']\s*/|/\s*["']shared["']\s*/\s*["']data|/work/""")
PARENTS = re.compile(r"__file__\)?(?:\.resolve\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"__file__\)?(?:\.resolve\(\))?((?:\.parent)+)\b")


def repository_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    return [ROOT / name for name in listed if name.endswith(CHECKED) or name in ("Makefile", ".ci/run")]


def escapes(path: Path, text: str) -> list[str]:
    """Where this file's text reaches above the repository root."""
    depth = len(path.relative_to(ROOT).parts) - 1  # folders between the root and the file
    found = [f"names a folder beside the repository: {m.group(0)!r}" for m in BESIDE.finditer(text)]
    found += [f"Path(__file__).parents[{m.group(1)}] is above the root"
              for m in PARENTS.finditer(text) if int(m.group(1)) > depth]
    found += [f"Path(__file__){m.group(1)} is above the root"
              for m in PARENT_CHAIN.finditer(text) if m.group(1).count(".parent") > depth + 1]
    return found


def test_no_file_reads_outside_the_repository():
    files = repository_files()
    assert len(files) > 100, "git ls-files found too few files: is this a clone?"
    problems = [f"{path.relative_to(ROOT)}: {problem}" for path in files if path.is_file()
                if path != Path(__file__).resolve()
                for problem in escapes(path, path.read_text(encoding="utf-8", errors="replace"))]
    assert not problems, "\n".join(problems)


def test_the_check_finds_each_kind_of_escape():
    deep = ROOT / "tests" / "agent" / "test_x.py"
    beside = "shared"  # the examples are built, so this file does not itself name the folder
    assert escapes(deep, f'TAU = Path(__file__).resolve().parents[3] / "{beside}" / "data"')  # both rules
    assert escapes(deep, "x = Path(__file__).resolve().parents[3]")
    assert escapes(deep, "x = Path(__file__).parent.parent.parent.parent")
    assert escapes(deep, f'open("../{beside}/data/tau_retail/db.json")')
    assert not escapes(deep, "ROOT = Path(__file__).resolve().parents[2]")
    assert not escapes(deep, "HERE = Path(__file__).parent.parent")
    assert not escapes(ROOT / "scripts" / "x.sh", 'cd "$(dirname "$0")/.."')
