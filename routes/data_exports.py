"""HTTP route for downloading a data export (exportMyData) from the link emailed to its owner."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from resolvers.privacy import exports

_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_GONE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>This download link does not work</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1 style="font-size: 1.4rem">This download link does not work</h1><p>It has expired, or it
was never valid. Ask for a new export of your data in the app; we email you a new link.</p>
</body></html>"""


async def data_export_download(request: Request) -> Response:
    """GET /exports/{token}.zip (the link in the export's email). An expired link and one that
    never existed answer alike: a 404 page a person can read in a browser tab."""
    archive = await exports.download(request.path_params["token"])
    if archive is None:
        return HTMLResponse(_GONE, 404, headers={
            **_HEADERS, "Content-Security-Policy": "default-src 'none'; style-src "
                                                   "'unsafe-inline'"})
    return Response(archive, media_type="application/zip", headers={
        "Content-Disposition": 'attachment; filename="therapy-hub-data.zip"', **_HEADERS})
