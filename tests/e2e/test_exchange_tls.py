"""A Haven facing the internet: HTTPS with the owner's certificate (--tls-cert/--tls-key), and a
public URL that its identity document and request signatures use."""

import datetime
import ipaddress
import os
import subprocess
import time

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import HAVEN_BIN, assert_one_line_error, free_port, make_home, run_haven


def self_signed(directory):
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "haven test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_a_server_with_a_certificate_answers_https_and_names_its_public_url(tmp_path):
    cert, key = self_signed(tmp_path)
    home = make_home(tmp_path / "home")
    port = free_port()
    public = "https://haven.example.org"
    log_path = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env["HAVEN_PUBLIC_URL"] = public
    with open(log_path, "w") as log:
        process = subprocess.Popen([HAVEN_BIN, "serve", "--home", str(home.path), "--port", str(port),
                                    "--tls-cert", str(cert), "--tls-key", str(key)],
                                   stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if requests.get(url + "/healthz", verify=str(cert), timeout=1).status_code == 200:
                    break
            except requests.exceptions.ConnectionError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.05)
        document = requests.get(url + "/.well-known/haven", verify=str(cert), timeout=30).json()
        assert document["url"] == public
        assert document["endpoints"]["exchange"] == public + "/exchange/v1/"
        # Plain HTTP on the same port is not served.
        try:
            plain = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            assert plain.status_code != 200
        except requests.exceptions.ConnectionError:
            pass
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_certificate_without_its_key_is_refused_in_one_line(tmp_path):
    cert, _ = self_signed(tmp_path)
    home = make_home(tmp_path / "home")
    result = run_haven("serve", "--home", str(home.path), "--port", str(free_port()), "--tls-cert", str(cert))
    assert_one_line_error(result, "tls")


def test_an_unreadable_certificate_is_refused_in_one_line(tmp_path):
    home = make_home(tmp_path / "home")
    missing = tmp_path / "missing.pem"
    result = run_haven("serve", "--home", str(home.path), "--port", str(free_port()),
                       "--tls-cert", str(missing), "--tls-key", str(missing))
    assert_one_line_error(result, "TLS certificate")
