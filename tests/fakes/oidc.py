"""A small OpenID Connect provider for tests: discovery, authorize (auto-consent), token, JWKS.

The test decides who "signs in" by setting ``provider.next_identity`` before following the
authorize redirect. ID tokens are really signed (RS256) and carry the nonce the app sent.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeOidcProvider:
    def __init__(self, client_id: str = "stoa-test", client_secret: str = "s3cret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.next_identity: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.server = make_server("127.0.0.1", 0, self._app)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _json(self, data: dict[str, Any], status: int = 200) -> Response:
        import json

        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/.well-known/openid-configuration":
            resp = self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )
        elif request.path == "/jwks":
            resp = self._json({"keys": [self.key.as_dict(private=False)]})
        elif request.path == "/authorize":
            args = request.args
            if args.get("client_id") != self.client_id:
                resp = self._json({"error": "unauthorized_client"}, 400)
            else:
                code = secrets.token_urlsafe(16)
                self.codes[code] = {
                    "nonce": args.get("nonce"),
                    "identity": dict(self.next_identity),
                }
                query = urlencode({"code": code, "state": args.get("state", "")})
                resp = Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})
        elif request.path == "/token" and request.method == "POST":
            resp = self._token(request)
        else:
            resp = self._json({"error": "not_found"}, 404)
        return resp(environ, start_response)

    def _token(self, request: Request) -> Response:
        auth = request.authorization
        client_id = auth.username if auth else request.form.get("client_id")
        secret = auth.password if auth else request.form.get("client_secret")
        if client_id != self.client_id or secret != self.client_secret:
            return self._json({"error": "invalid_client"}, 401)
        grant = self.codes.pop(request.form.get("code", ""), None)
        if grant is None:
            return self._json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": grant["identity"].get("email", "x"),
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **grant["identity"],
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        return self._json(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )
