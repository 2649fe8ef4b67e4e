"""The reference web client for live sessions (clients/web/), served at /live/ outside production.

It is the example frontend developers copy and the page the two-browser test drives; production
serves the real SPA from its own host, so it gets no route there. graphql-ws's browser build is
served from the pinned npm package (clients/node_modules, installed by `npm ci`) because the
page may load nothing from a CDN.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from settings import Settings

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
WEB_CLIENT = CLIENTS / "web"
GRAPHQL_WS_BROWSER_BUILD = CLIENTS / "node_modules" / "graphql-ws" / "dist"


def live_client_routes(settings: Settings) -> list[BaseRoute]:
    """/live/vendor/graphql-ws/ comes first, or the /live mount would answer it. Before
    `npm ci` the vendor folder is missing: the app still starts, and the page says that its
    script did not load. An installed wheel has no clients/ (`pip install .`): no page."""
    if settings.production or not WEB_CLIENT.is_dir():
        return []
    routes: list[BaseRoute] = []
    if GRAPHQL_WS_BROWSER_BUILD.is_dir():
        routes.append(Mount("/live/vendor/graphql-ws",
                            app=StaticFiles(directory=GRAPHQL_WS_BROWSER_BUILD)))
    routes.append(Mount("/live", app=StaticFiles(directory=WEB_CLIENT, html=True)))
    return routes
