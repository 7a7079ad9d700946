"""Zendesk's side of the sidebar app in tests: the app's host page, the request proxy, a stand-in SDK.

In Zendesk the app's files are served from Zendesk's CDN, the SDK comes from
``static.zdassets.com``, and ``client.request()`` goes through Zendesk's proxy, which fills
``{{setting.NAME}}`` of secure settings server-side (only with ``secure: true``, only for hosts in
the manifest's ``domainWhitelist``, only in the parameter's ``scopes``). ``ZafHost`` plays those
parts on 127.0.0.1 with the unzipped app, so the browser test talks to local servers only.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
STAND_IN = Path(__file__).with_name("zaf_stand_in.js")
PROXY_PATH = "/__zaf/request"
# What Zendesk's app page allows: the app's own files and the SDK, nothing inline.
CSP = "default-src 'self'; script-src 'self' https://static.zdassets.com; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'"
_PLACEHOLDER = re.compile(r"\{\{setting\.([A-Za-z0-9_]+)\}\}")


@dataclass
class Proxied:
    """One request the proxy sent on, as the kb-guides service received it."""

    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    status: int
    answer: str


@dataclass
class ZafHost:
    """The unzipped app on a local HTTP server, plus Zendesk's request proxy at ``PROXY_PATH``."""

    app_dir: Path
    secure_settings: dict[str, str]
    proxied: list[Proxied] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.manifest: dict[str, Any] = json.loads((self.app_dir / "manifest.json").read_text(encoding="utf-8"))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, host=self, directory=str(self.app_dir)))
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sdk_script(self, data: dict[str, Any], settings: dict[str, Any]) -> str:
        """The stand-in SDK with this ticket's data and the app's non-secure settings."""
        config = {"data": data, "settings": settings, "proxy": PROXY_PATH}
        return f"window.__ZAF_CONFIG = {json.dumps(config)};\n" + STAND_IN.read_text(encoding="utf-8")

    def _parameter(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.manifest.get("parameters", []) if p.get("name") == name), None)

    def _fill(self, options: dict[str, Any]) -> dict[str, str]:
        """The request's headers with secure settings filled, as Zendesk's proxy does; ValueError if it would refuse."""
        host = urlsplit(str(options.get("url", ""))).hostname or ""
        headers = {str(k): str(v) for k, v in (options.get("headers") or {}).items()}
        for where, text in (("url", str(options.get("url", ""))), ("body", str(options.get("data") or ""))):
            if _PLACEHOLDER.search(text):
                raise ValueError(f"a setting placeholder in the request {where}: the api_key parameter's scopes allow headers only")
        for key, value in headers.items():
            for name in _PLACEHOLDER.findall(value):
                parameter = self._parameter(name)
                if parameter is None or not parameter.get("secure"):
                    raise ValueError(f"{{{{setting.{name}}}}} is not a secure setting of the app")
                if options.get("secure") is not True:
                    raise ValueError("secure settings are filled only in requests with secure: true")
                if host not in self.manifest.get("domainWhitelist", []):
                    raise ValueError(f"{host} is not in the manifest's domainWhitelist")
                if "header" not in parameter.get("scopes", ["header"]):
                    raise ValueError(f"{name} may not be used in a header")
                headers[key] = value.replace(f"{{{{setting.{name}}}}}", self.secure_settings[name])
        if options.get("contentType"):
            headers["Content-Type"] = str(options["contentType"])
        return headers

    def proxy(self, options: dict[str, Any]) -> dict[str, Any]:
        try:
            headers = self._fill(options)
        except ValueError as exc:
            self.refused.append(str(exc))
            return {"status": 400, "reason": "Bad Request", "headers": {}, "body": json.dumps({"error": str(exc)})}
        method = str(options.get("type") or "GET").upper()
        body = options.get("data")
        answer = httpx.request(method, str(options["url"]), headers=headers, content=body.encode() if isinstance(body, str) else None, timeout=30)
        self.proxied.append(Proxied(method, str(options["url"]), headers, body if isinstance(body, str) else None, answer.status_code, answer.text))
        return {
            "status": answer.status_code,
            "reason": answer.reason_phrase,
            "headers": {"content-type": answer.headers.get("content-type", "")},
            "body": answer.text,
        }


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, host: ZafHost, **kwargs: Any) -> None:
        self.host = host
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def do_POST(self) -> None:
        if self.path != PROXY_PATH:
            self.send_error(404)
            return
        options = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        data = json.dumps(self.host.proxy(options)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class BrowserGuard:
    """Routes a browser context: the SDK URL answered by the stand-in, local requests through, the rest refused and recorded."""

    def __init__(self, host: ZafHost, data: dict[str, Any], settings: dict[str, Any]) -> None:
        self.host = host
        self.script = host.sdk_script(data, settings)
        self.foreign: list[str] = []
        self.sdk_loads = 0

    def handle(self, route: Any) -> None:
        url = route.request.url
        if url == SDK_URL:
            self.sdk_loads += 1
            route.fulfill(status=200, content_type="application/javascript", body=self.script)
        elif url.startswith(self.host.origin + "/"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def attach(self, context: Any) -> None:
        context.route("**/*", self.handle)
        # records Content-Security-Policy violations (init scripts are not subject to the page's CSP)
        context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
