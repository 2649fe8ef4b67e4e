"""What a frontend team does first: generate typed operations from schema.graphql and
docs/operations/ with GraphQL Code Generator (clients/codegen.ts: client preset, strictScalars,
every custom scalar mapped) and type-check them with `tsc --strict`, using the pinned npm
packages of clients/. A schema change that breaks a documented operation, or a new custom
scalar without a mapping, fails here."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.node_clients import node_clients

TOOLS = ("graphql-codegen", "tsc")


def tool(name: str) -> str:
    clients = node_clients("the GraphQL Code Generator and tsc --strict check")
    path = clients / "node_modules" / ".bin" / name
    if not path.exists():
        message = (f"clients/node_modules has no {name}: run `npm ci` in clients/ "
                   "(the codegen check was SKIPPED).")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(path)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=node_clients("the codegen check"), capture_output=True,
                          text=True, timeout=300, check=False)


def test_codegen_with_strict_scalars_and_tsc_strict_pass():
    codegen, tsc = (tool(name) for name in TOOLS)
    generated = run(codegen, "--config", "codegen.ts")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    checked = run(tsc, "-p", "tsconfig.json", "--strict", "--noEmit")
    assert checked.returncode == 0, checked.stdout + checked.stderr
