"""Webhook URLs cannot reach inside the network (red-team #3): every spelling of a non-public
address is refused, and the request goes to the address that was checked."""

from __future__ import annotations

import socket

import pytest
import urllib3

from portal import netguard
from tests.webhook_receiver import Receiver

REFUSED = [
    "http://127.0.0.1/hook",
    "http://localhost:8080/hook",
    "http://127.1/hook",
    "http://0x7f.1/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://017700000001/hook",
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://[fd00::1]/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "https://127.0.0.1./hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_non_public_addresses_and_odd_spellings_are_refused(url: str) -> None:
    with pytest.raises(netguard.UnsafeURL) as err:
        netguard.check_url(url)
    assert "public" in str(err.value) or "dotted" in str(err.value)


def test_public_addresses_pass_and_are_pinned() -> None:
    target = netguard.check_url("https://93.184.215.14:8443/in?x=1")
    assert (target.ip, target.port, target.path) == ("93.184.215.14", 8443, "/in?x=1")
    assert target.host_header == "93.184.215.14:8443"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/", "http://10.1.2.3/", "http://[::1]:8080/", "http://[fd00::1]/"]
)
def test_the_opt_in_admits_loopback_and_private_ranges(url: str) -> None:
    assert netguard.check_url(url, allow_private=True).ip


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/", "http://0.0.0.0/", "http://224.0.0.1/", "http://0x7f.1/"],
)
def test_the_opt_in_never_admits_metadata_unspecified_multicast_or_odd_forms(url: str) -> None:
    with pytest.raises(netguard.UnsafeURL):
        netguard.check_url(url, allow_private=True)


def test_a_name_resolving_to_any_private_address_is_refused(monkeypatch) -> None:
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(netguard.UnsafeURL, match=r"hooks\.example\.com \(10\.0\.0\.7\)"):
        netguard.check_url("https://hooks.example.com/in")


def test_an_unresolvable_name_may_be_saved_but_not_called() -> None:
    netguard.check_for_save("https://does-not-exist.invalid/in")
    with pytest.raises(LookupError):
        netguard.check_url("https://does-not-exist.invalid/in")


def test_the_request_goes_to_the_checked_address_whatever_dns_says_later(monkeypatch) -> None:
    """DNS rebinding: the name is resolved once, checked, and the connection uses that IP."""
    with Receiver() as receiver:
        port = int(receiver.url.split(":")[2].split("/")[0])
        answers = iter(["127.0.0.1", "203.0.113.1"])  # then a different answer

        def resolve(host, p, *args, **kwargs):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), p))]

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        target = netguard.check_url(f"http://hooks.rebind.test:{port}/in", allow_private=True)
        monkeypatch.undo()
        answer = netguard.post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)

    assert answer.status == 200
    [got] = receiver.requests
    assert got.headers["Host"] == f"hooks.rebind.test:{port}"


def _tls_receiver(tmp_path, name: str):
    """An HTTPS endpoint on 127.0.0.1 whose certificate names ``name`` (self-signed)."""
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    sni: list[str | None] = []
    context.sni_callback = lambda sock, server_name, ctx: sni.append(server_name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, str(cert_file), sni


def test_https_goes_to_the_pinned_address_with_the_name_in_sni_and_the_check(
    tmp_path, monkeypatch
) -> None:
    server, cafile, sni = _tls_receiver(tmp_path, "hooks.pinned.test")
    port = server.server_address[1]
    try:

        def resolve(host, p, *args, **kwargs):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", p))]

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        target = netguard.check_url(f"https://hooks.pinned.test:{port}/in", allow_private=True)
        monkeypatch.undo()  # from here on the name resolves nowhere: only the pinned IP works
        answer = netguard.post(target, b"{}", {}, timeout=5, cafile=cafile)
        assert answer.status == 204 and sni == ["hooks.pinned.test"]

        # a certificate for another name is refused, whatever address it answers on
        other = netguard.Target("https", "evil.test", port, "127.0.0.1", "/in")
        with pytest.raises(urllib3.exceptions.SSLError):
            netguard.post(other, b"{}", {}, timeout=5, cafile=cafile)
    finally:
        server.shutdown()
        server.server_close()
