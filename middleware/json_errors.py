"""The one shape of error every route answers with outside GraphQL execution: GraphQL's, so
the SPA reads `errors[0].extensions.code` the same way whichever route it called."""

from __future__ import annotations

from starlette.responses import JSONResponse


def json_error(status: int, code: str, message: str, *,
               headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status, headers=headers)
