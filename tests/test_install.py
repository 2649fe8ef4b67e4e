"""`pip install .` as a deployment does it: build the wheel, install it into a fresh venv, and
run the `therapy-hub` command it puts on the PATH from a folder that is not the checkout.

The machine may be offline, so the fresh venv gets its dependencies from the shared .venv
(a .pth line to its site-packages) and the wheel is installed with --no-deps: what is proven
is the packaging (every module, migration and font in the wheel, the command, serving), not
PyPI. The lock's hashes are proven by `dev.py`, which installs with --require-hashes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

import httpx

from tests.conftest import TEST_ENV
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(".venv", ".git", "node_modules", "var", "__pycache__",
                                  "*.egg-info", "build", ".*_cache")


def _build_wheel(tmp: Path) -> Path:
    """From a copy: setuptools writes build/ and *.egg-info beside the sources."""
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp / "dist"), str(source)],
        check=True,
    )
    return next((tmp / "dist").glob("therapy_hub-*.whl"))


def _fresh_venv(tmp: Path) -> Path:
    target = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    site = next((target / "lib").glob("python3.*")) / "site-packages"
    (site / "shared_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return target


def test_the_wheel_holds_the_app_and_nothing_of_the_checkout(tmp_path: Path) -> None:
    wheel = zipfile.ZipFile(_build_wheel(tmp_path))
    names = set(wheel.namelist())
    for expected in ("app.py", "settings.py", "db.py", "seed.py", "sqlite_lock.py",
                     "schema/__init__.py", "resolvers/notes/__init__.py",
                     "migrations/accounts/0001_initial.py", "receipts/fonts/DejaVuSans.ttf",
                     "receipts/fonts/wqy-microhei.ttc", "emails/templates.py"):
        assert expected in names, f"{expected} is missing from the wheel"
    assert not [name for name in names if name.startswith(("tests/", "bench/", "dev.py"))]
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "therapy-hub = cli:cli" in wheel.read(entry_points).decode()


def test_the_installed_command_exports_migrates_and_serves(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    target = _fresh_venv(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(target / "bin" / "python"), "install",
         "--quiet", "--disable-pip-version-check", "--no-deps", str(wheel)],
        check=True,
    )
    command = str(target / "bin" / "therapy-hub")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, **TEST_ENV, "DATABASE_URL": f"sqlite://{elsewhere}/hub.sqlite3",
           "MAIL_DIR": str(elsewhere / "mail"), "PYTHONPATH": ""}

    installed = subprocess.run(
        [str(target / "bin" / "python"), "-c", "import app; print(app.__file__)"],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True).stdout
    assert installed.startswith(str(target)), f"app came from {installed}, not the wheel"

    subprocess.run([command, "export-schema", "--output", "schema.graphql"], cwd=elsewhere,
                   env=env, check=True, capture_output=True)
    assert (elsewhere / "schema.graphql").read_text() == (ROOT / "schema.graphql").read_text()

    subprocess.run([command, "migrate"], cwd=elsewhere, env=env, check=True,
                   capture_output=True)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([command, "serve", "--no-seed"], cwd=elsewhere,
                                  env={**env, "PORT": str(port)}, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        assert _healthy(f"http://127.0.0.1:{port}/health", server), log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _healthy(url: str, server: subprocess.Popen[bytes]) -> bool:
    """Polls until the server answers (it migrates first); a server that exits fails at once."""
    for _ in range(600):
        if server.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False
