"""Debian's nginx as a TLS-terminating reverse proxy in front of our servers, for tests.

The certificate is self-signed and made by the test (for 127.0.0.1 and localhost); nginx
runs in the foreground from a config in the test's folder and is stopped afterwards.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.servers import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) files for 127.0.0.1 and localhost, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "proxy.crt", folder / "proxy.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def trusting(certificate: Path) -> ssl.SSLContext:
    """A TLS context that trusts exactly our self-signed certificate."""
    return ssl.create_default_context(cafile=str(certificate))


def _server_block(listen: int, upstream: str, cert: Path, key: Path) -> str:
    return f"""
    server {{
        listen 127.0.0.1:{listen} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}"""


@dataclass(frozen=True)
class TlsProxy:
    certificate: Path  # what clients verify the proxy with
    urls: dict[str, str]  # upstream name -> https URL of the proxy in front of it


@contextmanager
def tls_proxy(folder: Path, upstreams: dict[str, str]) -> Iterator[TlsProxy]:
    """nginx terminating TLS on a free port for each upstream (name -> http URL)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(folder)
    ports = {name: free_port() for name in upstreams}
    servers = "".join(_server_block(ports[name], url, cert, key) for name, url in upstreams.items())
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers reading our temp folder
    temp = (
        " ".join(
            f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
        )
        + f" uwsgi_temp_path {folder / 'uwsgi'}; scgi_temp_path {folder / 'scgi'};"
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temp}
    {servers}
}}
"""
    )
    log = (folder / "nginx.out").open("wb")
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        urls = {name: f"https://127.0.0.1:{port}" for name, port in ports.items()}
        deadline = time.monotonic() + 15
        for url in urls.values():
            while True:
                assert process.poll() is None, (folder / "nginx.out").read_text()
                try:
                    httpx.get(f"{url}/healthz", verify=trusting(cert), timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "nginx did not come up"
                    time.sleep(0.05)
        yield TlsProxy(cert, urls)
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
