"""A small UniFi-style controller for tests: sites, health, devices, WLANs, networks.

It serves the demo's controller data set (services/demo/network_controller.py) over real HTTP,
with an ``X-API-KEY`` check, and lets a test make it fail (``fail_next``), refuse a request
with its own message (``refuse_next``), slow (``delay``) or unreachable (``stop``).

``make run`` starts one for the demo (``python -m tests.fakes.network_controller --port 8766``)
and points ``NETWORK_CONTROLLER_URL`` at it, so the Network tab syncs from a controller.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from typing import Any

from werkzeug.wrappers import Request, Response

from services.demo.network_controller import FakeSite, demo_controller_sites
from tests.fakes.server import FakeServer

API_KEY = "fake-controller-key"


class FakeController(FakeServer):
    def __init__(
        self, sites: list[FakeSite] | None = None, api_key: str = API_KEY, port: int = 0
    ) -> None:
        super().__init__(port)
        self.sites = {s.name: s for s in (sites or demo_controller_sites())}
        self.api_key = api_key
        self.requests: list[str] = []
        self.refusals: list[tuple[int, str]] = []  # (4xx, the controller's msg) to answer next
        self.broken_sites: set[str] = set()  # every request about these answers 500

    def refuse_next(self, msg: str, status: int = 400) -> None:
        """Answer the next request as a controller refusing it: its envelope with ``msg``."""
        self.refusals.append((status, msg))

    # HTTP -------------------------------------------------------------------------------------

    def _json(self, data: Any, status: int = 200, rc: str = "ok", msg: str = "") -> Response:
        meta: dict[str, Any] = {"rc": rc}
        if msg:
            meta["msg"] = msg
        body = {"meta": meta, "data": data if isinstance(data, list) else [data]}
        return self.json_response(body, status)

    def respond(self, request: Request) -> Response:
        if self.refusals:
            status, msg = self.refusals.pop(0)
            return self._json([], status, rc="error", msg=msg)
        if request.headers.get("X-API-KEY") != self.api_key:
            return self._json([], 401, rc="error", msg="api.err.LoginRequired")
        return self._route(request)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path == "/api/self/sites" and request.method == "GET":
            return self._json(
                [{"_id": s.id, "name": s.name, "desc": s.desc} for s in self.sites.values()]
            )
        if path == "/api/s/default/cmd/sitemgr" and request.method == "POST":
            body = request.get_json(silent=True) or {}
            name = f"new{len(self.sites) + 1:04d}"
            site = FakeSite(name, str(body.get("desc", name)), None)
            self.sites[name] = site
            return self._json({"_id": site.id, "name": name, "desc": site.desc})
        v2 = re.fullmatch(r"/v2/api/site/([^/]+)/apgroups", path)
        if v2 is not None:
            if v2.group(1) in self.broken_sites:
                return Response("site store corrupt", status=500)
            group_site = self.sites.get(v2.group(1))
            if group_site is None:
                return self._json([], 404, rc="error", msg="api.err.NoSiteContext")
            return Response(json.dumps(group_site.ap_groups()), mimetype="application/json")
        m = re.fullmatch(r"/api/s/([^/]+)/(stat|rest)/(\w+)(?:/([^/]+))?", path)
        site = self.sites.get(m.group(1)) if m else None
        if m is not None and m.group(1) in self.broken_sites:
            return Response("site store corrupt", status=500)
        if m is None or site is None:
            return self._json([], 404, rc="error", msg="api.err.NoSiteContext")
        what, item = m.group(3), m.group(4)
        if what == "health":
            return self._json(site.health())
        if what == "sysinfo":
            return self._json(site.sysinfo())
        if what == "device":
            return self._json(site.devices)
        if what == "networkconf":
            return self._json(site.networks)
        body = request.get_json(silent=True) or {}
        if what == "wlangroup" and request.method == "POST":
            group = {"_id": f"{site.name}-wg{len(site.wlan_groups()) + 1}", "site_id": site.id}
            site.created_wlan_groups.append({**group, "name": body.get("name", "")})
            return self._json(site.created_wlan_groups[-1])
        if what == "usergroup" and request.method == "POST":
            profile = {"_id": f"{site.name}-ug{len(site.speed_profiles()) + 1}", "site_id": site.id}
            site.created_speed_profiles.append({**profile, **body})
            return self._json(site.created_speed_profiles[-1])
        if what == "wlangroup":
            return self._json(site.wlan_groups())
        if what == "usergroup":
            return self._json(site.speed_profiles())
        if what == "wlanconf" and item is None:
            return self._json(site.wlans)
        if what == "wlanconf" and request.method == "PUT":
            for wlan in site.wlans:
                if wlan["_id"] == item:
                    wlan.update(request.get_json(silent=True) or {})
                    return self._json(wlan)
        return self._json([], 404, rc="error", msg="api.err.NotFound")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake UniFi-style controller for Stoa's demo")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--api-key", default=API_KEY, help="the X-API-KEY it accepts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[fake controller] %(message)s")
    fake = FakeController(api_key=args.api_key, port=args.port)  # a busy port: says so, exits 1
    sys.stdout.write(f"Fake network controller on {fake.url}\n")  # a test reads the address
    sys.stdout.flush()
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()


if __name__ == "__main__":
    main()
