"""GraphiQL at GET /graphql outside production, with every script and stylesheet served here.

Strawberry's own GraphiQL page loads React and GraphiQL from a CDN: without internet it stays
a blank "Loading...". Ours takes the UMD builds from the pinned npm packages in
clients/package.json (`npm ci` in clients/ installs them), its start script from
clients/graphiql/, and opens with the example operations of docs/ as tabs. Its
Content-Security-Policy allows this server and nothing else.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "clients" / "node_modules"
START_SCRIPT = ROOT / "clients" / "graphiql" / "start.js"
OPERATION_FOLDERS = (ROOT / "docs" / "operations", ROOT / "docs")
ASSETS_PATH = "/graphiql/assets"

VENDORED = {
    "react.js": Path("react/umd/react.production.min.js"),
    "react-dom.js": Path("react-dom/umd/react-dom.production.min.js"),
    "graphiql.js": Path("graphiql/graphiql.min.js"),
    "graphiql.css": Path("graphiql/graphiql.min.css"),
}
"""What the page loads, by the name it asks for: the path under node_modules."""

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    # GraphiQL's popovers and dialogs (Radix UI) add <style> elements and style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    # 'self' covers ws:// and wss:// to this host, where subscriptions go.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))

START_TAB = """# GraphiQL for the therapy hub API (development only).
#
# Signed out, this query runs as it is. To act as someone, sign in with the
# `login` mutation (the demo sign-ins share the password demo-password-2026),
# then put its token in the Headers tab below:
#
#   {"authorization": "Bearer <token>"}
#
# Subscriptions send the same header in the websocket's connection_init.
# The other tabs hold the example operations of docs/.
query Start {
  cardPaymentsEnabled
  viewer {
    email
    roles
  }
}
"""
DEFAULT_HEADERS = '{\n  "authorization": ""\n}'


def vendored_file(name: str, node_modules: Path = NODE_MODULES) -> Path | None:
    relative = VENDORED.get(name)
    return node_modules / relative if relative else None


def missing_assets(node_modules: Path = NODE_MODULES) -> list[str]:
    return [str(path) for path in VENDORED.values() if not (node_modules / path).is_file()]


def example_operations(folders: tuple[Path, ...] = OPERATION_FOLDERS) -> list[dict[str, str]]:
    """One tab per .graphql file, from the first folder that has any."""
    for folder in folders:
        files = sorted(folder.glob("*.graphql"))
        if files:
            return [{"query": path.read_text()} for path in files]
    return []


def graphiql_page(endpoint: str, *, node_modules: Path = NODE_MODULES,
                  folders: tuple[Path, ...] = OPERATION_FOLDERS) -> HTMLResponse:
    """The page, or, before `npm ci`, a page that says how to install what it needs."""
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY,
               "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    missing = missing_assets(node_modules)
    if missing:
        return HTMLResponse(_MISSING.format(files="".join(
            f"<li><code>{html.escape(path)}</code></li>" for path in missing)),
            status_code=503, headers=headers)
    config = {
        "endpoint": endpoint,
        "tabs": [{"query": START_TAB}, *example_operations(folders)],
        "headers": DEFAULT_HEADERS,
    }
    # In a <script type="application/json"> block "</" would end the element early.
    data = json.dumps(config).replace("</", "<\\/")
    return HTMLResponse(_PAGE.format(assets=ASSETS_PATH, config=data), headers=headers)


def graphiql_routes(settings: Settings,
                    node_modules: Path = NODE_MODULES) -> list[BaseRoute]:
    if settings.production:
        return []

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        path = START_SCRIPT if name == "start.js" else vendored_file(name, node_modules)
        if path is None or not path.is_file():
            return PlainTextResponse(
                "Not found: GraphiQL's files come from clients/node_modules (run `npm ci` "
                "in clients/).", status_code=404)
        return FileResponse(path, headers={"Cache-Control": "no-cache",
                                           "X-Content-Type-Options": "nosniff"})

    return [Route(f"{ASSETS_PATH}/{{name}}", asset, methods=["GET"])]


_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>GraphiQL · Therapy hub API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{assets}/graphiql.css">
  <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
  <div id="graphiql">GraphiQL's scripts did not run: check the browser console, and that
    <code>npm ci</code> ran in clients/.</div>
  <script type="application/json" id="graphiql-config">{config}</script>
  <script src="{assets}/react.js"></script>
  <script src="{assets}/react-dom.js"></script>
  <script src="{assets}/graphiql.js"></script>
  <script src="{assets}/start.js"></script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body>
  <h1>GraphiQL is not installed</h1>
  <p>This page serves GraphiQL from the pinned npm packages of <code>clients/</code>, and these
    files are missing:</p>
  <ul>{files}</ul>
  <p>Run <code>npm ci</code> in <code>clients/</code>, then reload. The API itself works:
    POST GraphQL requests to this address.</p>
</body>
</html>
"""
