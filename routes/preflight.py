"""A clear answer to a browser's CORS preflight when the SPA's origin is not configured.

Without CORS_ORIGINS the app has no CORS middleware, and a preflight (`OPTIONS /graphql` with
`Origin` and `Access-Control-Request-Method`) would get a bare 405 that says nothing about the
cause. When CORS_ORIGINS is set, Starlette's CORS middleware answers preflights before this
route is reached. The origin is not echoed back: no value from a request goes into an answer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

NOT_ALLOWED_ORIGIN = (
    "This API does not accept browser requests from other origins yet. List the SPA's origin "
    "(scheme, host and port, e.g. https://app.example.com) in the server's CORS_ORIGINS setting "
    "(comma-separated), then restart it."
)


async def graphql_options(request: Request) -> JSONResponse:
    headers = request.headers
    if "origin" in headers and "access-control-request-method" in headers:
        return JSONResponse(
            {"errors": [{"message": NOT_ALLOWED_ORIGIN,
                         "extensions": {"code": "ORIGIN_NOT_ALLOWED"}}]},
            status_code=403,
        )
    return JSONResponse(
        {"errors": [{"message": "Send GraphQL requests to /graphql with POST.",
                     "extensions": {"code": "METHOD_NOT_ALLOWED"}}]},
        status_code=405, headers={"Allow": "GET, POST"},
    )
