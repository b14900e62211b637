"""A secured Tansu for the benchmark, on loopback: a SCRAM-SHA-512 user kept in SQLite,
authentication on, and with `tls=True` stunnel's TLS in front (Tansu 0.6.0 cannot serve
TLS itself). The same set-up as tests/it/secured.rs; stopped when the context ends.

    with secured_tansu(tansu, stunnel, openssl, "events", tls=True) as broker:
        broker.address, broker.properties   # librdkafka properties for SASL_SSL
"""
import contextlib
import os
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

USER = "bench"
PASSWORD = "bench-password-1"


@dataclass
class Broker:
    address: str
    properties: dict


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}) before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port}")


def make_pki(openssl: str, d: str) -> None:
    def run(*args):
        subprocess.run([openssl, *args], cwd=d, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", "-days", "2", "-subj", "/CN=bench CA", *ec, "-keyout", "ca.key", "-out", "ca.pem")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("req", "-new", "-subj", "/CN=localhost", *ec, "-keyout", "server.key", "-out", "server.csr")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "server.ext", "-out", "server.pem")


@contextlib.contextmanager
def secured_tansu(tansu: str, stunnel: str, openssl: str, topic: str, tls: bool, partitions: int = 3):
    procs = []
    with tempfile.TemporaryDirectory() as d:
        try:
            plain = free_port()
            advertised = free_port() if tls else plain
            broker = [tansu, "broker", "--listener-url", f"tcp://127.0.0.1:{plain}",
                      "--advertised-listener-url", f"tcp://127.0.0.1:{advertised}",
                      "--storage-engine", "sqlite://tansu.db"]
            quiet = {"cwd": d, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            # Users and topics exist before authentication is switched on.
            first = subprocess.Popen(broker, **quiet)
            procs.append(first)
            wait_port(plain, first, "tansu")
            at = f"tcp://127.0.0.1:{plain}"
            subprocess.run([tansu, "user", "create", USER, PASSWORD, "--mechanism", "scram512", "--broker", at],
                           check=True, **quiet)
            subprocess.run([tansu, "topic", "create", topic, "--broker", at, "--partitions", str(partitions)],
                           check=True, **quiet)
            first.kill()
            first.wait()
            procs.remove(first)
            second = subprocess.Popen([*broker, "--authentication"], **quiet)
            procs.append(second)
            wait_port(plain, second, "tansu --authentication")
            properties = {"sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": USER, "sasl.password": PASSWORD}
            if tls:
                make_pki(openssl, d)
                with open(os.path.join(d, "stunnel.conf"), "w") as f:
                    f.write(f"foreground = yes\npid =\n[kafka]\naccept = 127.0.0.1:{advertised}\n"
                            f"connect = 127.0.0.1:{plain}\ncert = {d}/server.pem\nkey = {d}/server.key\n")
                tunnel = subprocess.Popen([stunnel, os.path.join(d, "stunnel.conf")], **quiet)
                procs.append(tunnel)
                wait_port(advertised, tunnel, "stunnel")
                properties |= {"security.protocol": "SASL_SSL", "ssl.ca.location": f"{d}/ca.pem"}
            else:
                properties |= {"security.protocol": "SASL_PLAINTEXT"}
            yield Broker(f"127.0.0.1:{advertised}", properties)
        finally:
            for p in procs:
                p.kill()
                p.wait()
