"""Set up and run tierwise with nothing but Python: ``python3 tasks.py demo|test``.

It installs a pinned uv into ``.tools/`` (a private virtual environment), then uv
installs the locked dependencies into ``.venv/`` and runs the job there.

- ``demo``: ``tierwise demo``: every built-in standard on generated B2B data and the CDNow log.
- ``test``: ruff, mypy (strict) and the whole pytest suite, doctests included, in parallel
  (pytest-xdist), with the ten slowest tests and the total time printed at the end. The
  Debian packages the tests need (Chromium, the Noto CJK fonts, poppler-utils, PostgreSQL,
  Java) are installed with apt-get first when they are missing. Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Two test processes per machine (pytest-xdist); the conformance suite keeps to one of them, so one
# PostgreSQL server and one Spark session serve all of it. The ten slowest tests are listed at the end.
PYTEST = ["-n", "auto", "--dist", "loadgroup", "--durations=10"]
UV_VERSION = "0.13.8"
TOOLS = ROOT / ".tools"


def _uv() -> list[str]:
    """The pinned uv, installed on first use into ``.tools/`` (a private virtual environment)."""
    bindir = TOOLS / ("Scripts" if os.name == "nt" else "bin")
    python, uv = bindir / "python", bindir / ("uv.exe" if os.name == "nt" else "uv")
    if not python.exists():
        venv.create(TOOLS, with_pip=True, clear=True)
    check = subprocess.run([str(uv), "--version"], capture_output=True, text=True) if uv.exists() else None
    if check is None or check.returncode != 0 or UV_VERSION not in check.stdout:
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"uv=={UV_VERSION}"]
        )
    return [str(uv)]


# package: its command (None: asked of dpkg). The browser tests need Chromium, the CJK fonts and
# pdftoppm; the conformance suite (tests/backends) a PostgreSQL server and Java for Spark.
DEBIAN = {
    "chromium": "chromium",
    "fonts-noto-cjk": None,
    "poppler-utils": "pdftoppm",
    "postgresql": None,
    "default-jre-headless": "java",
}


def _missing_debian() -> list[str]:
    missing = []
    for package, command in DEBIAN.items():
        if command is not None:
            present = shutil.which(command) is not None
        else:
            present = (
                subprocess.call(["dpkg", "-s", package], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0
            )
        if not present:
            missing.append(package)
    return missing


def _debian() -> int:
    """Install the Debian packages the tests need when missing (a real Chromium, PostgreSQL and Java)."""
    if shutil.which("dpkg") is None:
        return 0  # not Debian: the browser tests say what they need
    missing = _missing_debian()
    if not missing:
        return 0
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("+ apt-get install", " ".join(missing), flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if code := subprocess.call([*sudo, "apt-get", "update", "-qq"], env=env):
        return code
    return subprocess.call([*sudo, "apt-get", "install", "-y", "-qq", *missing], env=env)


def _run(*args: str) -> int:
    print("+ uv", " ".join(args[1:]), flush=True)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.call(list(args), cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    job = argv[0] if argv else "help"
    if job not in ("demo", "test"):
        print(__doc__)
        return 0 if job == "help" else 2
    uv = _uv()
    env_python = os.environ.get("UV_PYTHON")
    sync = [*uv, "sync", "--locked", "--quiet", "--compile-bytecode", *(["--python", env_python] if env_python else [])]
    if code := subprocess.call(sync, cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}):
        return code
    run = [*uv, "run", "--locked", "--no-sync"]
    if job == "demo":
        return _run(*run, "tierwise", "demo", *argv[1:])
    if code := _debian():
        print(
            "Could not install " + ", ".join(_missing_debian()) + " with apt-get; "
            "the browser tests and the conformance suite (PostgreSQL, Spark) need them."
        )
        return code
    started = time.monotonic()
    os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")  # a fixed seed and no deadline: the same run on every machine
    code = 0
    for step in (
        ["ruff", "check", "src", "tests", "tasks.py", "scripts", "benchmarks"],
        ["ruff", "format", "--check", "src", "tests", "tasks.py", "scripts", "benchmarks"],
        ["mypy"],
        ["pytest", *PYTEST, *argv[1:]],
    ):
        if code := _run(*run, *step):
            break
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    print(f"tasks.py test: {'passed' if code == 0 else 'FAILED'} in {minutes} min {seconds:02d} s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
