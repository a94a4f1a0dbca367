# SPDX-License-Identifier: GPL-2.0-or-later
"""tlslab: what the segw-tlsd tests share.

- Certs: a test PKI made at test time with the openssl CLI (ECDSA P-256 and
  RSA-2048 servers, a CA and a foreign CA, good / expired / revoked / foreign
  client certificates, a CRL). Nothing private is committed.
- Backend: a small HTTP/1.1 server (plain or TLS) in a thread that answers
  every request with "backend=NAME METHOD TARGET host=HOST" and can stream
  slowly (/stream?bytes=N&ms=M) or fast (/bytes?n=N).
- Tlsd: writes a config and a policy, starts segw-tlsd, reads its stats file,
  stops it by PID.
- Client helpers around openssl s_client and curl.
"""
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)
    return cond


def finish():
    if FAILURES:
        print("%d check(s) failed:" % len(FAILURES))
        for f in FAILURES:
            print("  " + f)
        sys.exit(1)
    print("all checks passed")
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=kw.pop("timeout", 30), **kw)


# --- PKI -----------------------------------------------------------------------

CA_CNF = """
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 90
default_crl_days = 7
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
organizationalUnitName = optional
organizationName = optional
[ ext_client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[ ext_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""


class CA:
    def __init__(self, root, name, cn):
        self.dir = os.path.join(root, name)
        os.makedirs(os.path.join(self.dir, "newcerts"))
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(self.dir, "crlnumber"), "w") as f:
            f.write("01\n")
        self.cnf = os.path.join(self.dir, "ca.cnf")
        with open(self.cnf, "w") as f:
            f.write(CA_CNF.format(dir=self.dir))
        self.key = os.path.join(self.dir, "ca.key")
        self.pem = os.path.join(self.dir, "ca.pem")
        keygen(self.key, "ec")
        r = run(["openssl", "req", "-new", "-x509", "-key", self.key, "-out", self.pem,
                 "-days", "365", "-subj", "/O=segw test/CN=" + cn,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        assert r.returncode == 0, r.stderr

    def issue(self, name, subj, kind="ec", server_names=None, start=None, end=None,
              days=90):
        key = os.path.join(self.dir, name + ".key")
        csr = os.path.join(self.dir, name + ".csr")
        crt = os.path.join(self.dir, name + ".pem")
        keygen(key, kind)
        r = run(["openssl", "req", "-new", "-key", key, "-out", csr, "-subj", subj])
        assert r.returncode == 0, r.stderr
        cmd = ["openssl", "ca", "-batch", "-notext", "-config", self.cnf, "-in", csr,
               "-out", crt]
        if server_names:
            ext = os.path.join(self.dir, name + ".ext")
            with open(ext, "w") as f:
                f.write("[ext]\nbasicConstraints=critical,CA:FALSE\n"
                        "keyUsage=critical,digitalSignature%s\n"
                        "extendedKeyUsage=serverAuth\n"
                        "subjectAltName=%s\n"
                        "crlDistributionPoints=URI:http://crl.example.test/ca.crl\n"
                        % (",keyEncipherment" if kind == "rsa" else "",
                           ",".join("DNS:" + n for n in server_names)))
            cmd += ["-extfile", ext, "-extensions", "ext"]
        else:
            cmd += ["-extensions", "ext_client"]
        if start:
            cmd += ["-startdate", start, "-enddate", end]
        else:
            cmd += ["-days", str(days)]
        r = run(cmd)
        assert r.returncode == 0, r.stderr
        return crt, key

    def revoke(self, crt):
        r = run(["openssl", "ca", "-config", self.cnf, "-revoke", crt])
        assert r.returncode == 0, r.stderr

    def crl(self):
        out = os.path.join(self.dir, "ca.crl")
        r = run(["openssl", "ca", "-config", self.cnf, "-gencrl", "-out", out])
        assert r.returncode == 0, r.stderr
        return out


def keygen(path, kind):
    if kind == "rsa":
        cmd = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    else:
        cmd = ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    r = run(cmd + ["-out", path])
    assert r.returncode == 0, r.stderr
    os.chmod(path, 0o644)  # the test dir is private; tlsd may run as nobody


class PKI:
    """The whole test PKI in @root."""

    def __init__(self, root, clients=True):
        self.root = root
        self.ca = CA(root, "ca", "segw test CA")
        self.a_crt, self.a_key = self.ca.issue("site-a", "/CN=a.example.test", "ec",
                                               ["a.example.test", "*.a.example.test"])
        self.b_crt, self.b_key = self.ca.issue("site-b", "/CN=b.example.test", "rsa",
                                               ["b.example.test", "*.b.example.test"])
        self.be_crt, self.be_key = self.ca.issue("backend", "/CN=backend.test", "ec",
                                                 ["backend.test"])
        if not clients:
            return
        self.foreign = CA(root, "foreign", "someone else's CA")
        iss = self.ca.issue
        self.dev1 = iss("dev1", "/O=force/OU=BWV/CN=dock-0001")
        self.dev2 = iss("dev2", "/O=force/OU=Patrol/CN=phone-0002")
        self.expired = iss("expired", "/O=force/OU=BWV/CN=dock-old",
                           start="20200101000000Z", end="20200201000000Z")
        self.revoked = iss("revoked", "/O=force/OU=BWV/CN=dock-lost")
        self.ca.revoke(self.revoked[0])
        self.crl = self.ca.crl()
        self.stranger = self.foreign.issue("stranger", "/O=force/OU=BWV/CN=dock-fake")


# --- backend -------------------------------------------------------------------

class Backend:
    """HTTP/1.1 backend in a thread; one request per connection, then close."""

    def __init__(self, name, tls_cert=None, tls_key=None):
        self.name = name
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.ctx = None
        if tls_cert:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(tls_cert, tls_key)
        self.requests = []
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(20)
            if self.ctx:
                c = self.ctx.wrap_socket(c, server_side=True)
            buf = b""
            while b"\r\n\r\n" not in buf and len(buf) < 65536:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
            head = buf.split(b"\r\n\r\n")[0].decode("latin-1")
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) < 2:
                c.close()
                return
            host = ""
            for ln in lines[1:]:
                if ln.lower().startswith("host:"):
                    host = ln[5:].strip()
            self.requests.append((parts[0], parts[1], host))
            target = parts[1]
            m = re.match(r"/stream\?bytes=(\d+)&ms=(\d+)", target)
            m2 = re.match(r"/bytes\?n=(\d+)", target)
            if m:
                n, ms = int(m.group(1)), int(m.group(2))
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n)
                chunk = b"x" * 8192
                sent = 0
                while sent < n:
                    k = min(len(chunk), n - sent)
                    c.sendall(chunk[:k])
                    sent += k
                    time.sleep(ms / 1000.0)
            elif m2:
                n = int(m2.group(1))
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n)
                chunk = b"y" * 65536
                sent = 0
                while sent < n:
                    k = min(len(chunk), n - sent)
                    c.sendall(chunk[:k])
                    sent += k
            else:
                body = ("backend=%s %s %s host=%s\n" % (self.name, parts[0], target, host)).encode()
                # The headers a published service sends (testssl.sh -h looks for them).
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n"
                          b"Strict-Transport-Security: max-age=31536000\r\n"
                          b"X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
                          b"Content-Security-Policy: default-src 'none'\r\n"
                          b"Referrer-Policy: no-referrer\r\nCache-Control: no-store\r\n\r\n"
                          % len(body) + body)
            if self.ctx:
                try:
                    c.unwrap()
                except (OSError, ssl.SSLError):
                    pass
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.sock.close()


# --- segw-tlsd ----------------------------------------------------------------

class Tlsd:
    def __init__(self, binary, workdir, conf_text, policy_text, args=(), as_root_user=None):
        self.binary = binary
        self.dir = workdir
        self.conf = os.path.join(workdir, "tlsd.conf")
        self.policy = os.path.join(workdir, "policy.txt")
        self.stats = os.path.join(workdir, "tlsd.stats")
        self.log = os.path.join(workdir, "tlsd.log")
        self.write(conf_text, policy_text)
        self.args = list(args)
        self.proc = None

    def write(self, conf_text, policy_text=None):
        with open(self.conf, "w") as f:
            f.write(conf_text.replace("@POLICY@", self.policy).replace("@STATS@", self.stats))
        if policy_text is not None:
            with open(self.policy, "w") as f:
                f.write(policy_text)

    def start(self):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen([self.binary, "-c", self.conf] + self.args,
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("segw-tlsd exited: " + self.logtext())
            if "segw-tlsd: serving:" in self.logtext():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("segw-tlsd did not start: " + self.logtext())
        end = time.monotonic() + 5
        while time.monotonic() < end and not os.path.exists(self.stats):
            time.sleep(0.05)
        return self

    def logtext(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def counters(self, fresh=True):
        """Counters by name; SIGUSR1 asks for a fresh file first."""
        if fresh and self.proc and self.proc.poll() is None:
            before = os.stat(self.stats).st_mtime_ns if os.path.exists(self.stats) else 0
            self.proc.send_signal(signal.SIGUSR1)
            end = time.monotonic() + 3
            while time.monotonic() < end:
                if os.path.exists(self.stats) and os.stat(self.stats).st_mtime_ns != before:
                    break
                time.sleep(0.02)
        out = {}
        with open(self.stats) as f:
            for line in f:
                k, v = line.split()
                out[k] = int(v)
        return out

    def wait_counter(self, name, at_least, timeout=5.0):
        end = time.monotonic() + timeout
        v = None
        while time.monotonic() < end:
            v = self.counters().get(name, 0)
            if v >= at_least:
                return v
            time.sleep(0.1)
        return v

    def hup(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        return self.proc.returncode if self.proc else None


# --- clients -------------------------------------------------------------------

def s_client(port, sni=None, args=(), send=None, timeout=10):
    """openssl s_client; returns (rc, stdout+stderr)."""
    cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port]
    if sni:
        cmd += ["-servername", sni]
    else:
        cmd += ["-noservername"]
    cmd += list(args)
    if send:
        cmd += ["-ign_eof"]  # wait for the answer: the server closes after it
    try:
        r = subprocess.run(cmd, input=send if send is not None else "", stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        return r.returncode, r.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return -1, out


def curl(port, name, path="/", cacert=None, cert=None, key=None, extra=(), timeout=20):
    cmd = ["curl", "-sS", "--max-time", str(timeout), "--resolve",
           "%s:%d:127.0.0.1" % (name, port)]
    if cacert:
        cmd += ["--cacert", cacert]
    if cert:
        cmd += ["--cert", cert, "--key", key]
    cmd += list(extra) + ["https://%s:%d%s" % (name, port, path)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 5)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def workdir(tag):
    d = tempfile.mkdtemp(prefix="segw-tls-%s-" % tag)
    os.chmod(d, 0o777)  # segw-tlsd drops to nobody and writes its stats file here
    return d
