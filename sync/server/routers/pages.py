"""The pages a county officer opens (issues 24/25): `/` the sign-in, `/doubts` the 疑点 loop,
`/monthly` a township's month, the script and stylesheet they share (`/static/staff.js`, .css),
and the API's own documentation. FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN, which
a county's server room may not reach (a blank page): here they come from the files the
`fastapi-offline` package ships, served by this server, and ReDoc without Google's fonts."""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated, Literal

from fastapi import APIRouter, Header
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from sync.server import staff_static
from sync.server.doubts_page import DOUBTS_PAGE
from sync.server.monthly_page import MONTHLY_PAGE
from sync.server.routers.refusals import REFUSALS
from sync.server.signin_page import SIGNIN_PAGE

router = APIRouter(tags=["pages"], responses=REFUSALS)
ASSETS = "/docs-assets"
_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}
Asset = Literal["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"]


@router.get("/", response_class=HTMLResponse)
def signin_page() -> HTMLResponse:
    """Sign in, then the overview or the 疑点 page."""
    return HTMLResponse(SIGNIN_PAGE)


@router.get("/doubts", response_class=HTMLResponse)
def doubts_page() -> HTMLResponse:
    """疑点: pushed, answered within 15 days, drawn, inspected; special inspections; the report."""
    return HTMLResponse(DOUBTS_PAGE)


@router.get("/monthly", response_class=HTMLResponse)
def monthly_page() -> HTMLResponse:
    """月度统计: a township's month (tiers, subsidy, special groups, 到龄, 续费率) and its xlsx."""
    return HTMLResponse(MONTHLY_PAGE)


Shared = Literal["staff.js", "staff.css"]


@router.get("/static/{name}", include_in_schema=False)
def shared(name: Shared, if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """What every staff page loads; kept a day by the browser (the pages ask for ?v=<hash>)."""
    text, media = staff_static.FILES[name]
    etag = f'"{staff_static.VERSION}"'
    headers = {"Cache-Control": "public, max-age=86400", "ETag": etag}
    if if_none_match == etag:
        return Response(status_code=304, headers=headers)
    return Response(text, media_type=media, headers=headers)


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="代收县级服务器 — 接口文档",
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css", swagger_favicon_url=f"{ASSETS}/favicon.png",
                               oauth2_redirect_url=None)


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="代收县级服务器 — 接口文档",
                          redoc_js_url=f"{ASSETS}/redoc.standalone.js", redoc_favicon_url=f"{ASSETS}/favicon.png",
                          with_google_fonts=False)


@router.get(ASSETS + "/{name}", include_in_schema=False)
def asset(name: Asset) -> Response:
    data = (files("fastapi_offline") / "static" / name).read_bytes()
    return Response(data, media_type=_TYPES[name], headers={"Cache-Control": "max-age=86400"})
