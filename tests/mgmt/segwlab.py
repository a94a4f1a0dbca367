# SPDX-License-Identifier: GPL-2.0-or-later
"""A small lab for the control-plane tests: a gateway network namespace
running the real segwd (--inline, store, console, management listener), an
`int` and a `dmz` namespace on veth pairs whose gateway ends are the board's
ports, an echo server in dmz and a long-lived TCP flow int -> dmz through
the gateway. Also the management PKI (openssl) and a pty terminal.

Everything made here is removed by Lab.close(): processes by PID, the
namespaces by name (ours only, tagged with our PID).
"""
import hashlib
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import tty

POLICY = """zone internal ports int0 prefixes 10.0.0.0/8
zone dmz      ports dmz0 prefixes 198.51.100.0/24
zone external ports ext0 default
default action deny
rule 40  from internal to dmz tcp dport 80 allow
rule 999 from any to any deny log
"""

ECHO_SERVER = r"""
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16)
def serve(c):
    while True:
        d = c.recv(4096)
        if not d: break
        c.sendall(d)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
"""

FLOW_CLIENT = r"""
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print("connected", flush=True)
c.settimeout(3)
for line in sys.stdin:
    try:
        c.sendall(line.encode()); d = c.recv(4096).decode()
    except OSError as e:
        d = "error %s\n" % e
    print(d.strip(), flush=True)
"""


def run(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)


def make_pki(d, ids=("gw1", "gw2")):
    """CA, appliances (CN = each id), management client, a second (unpinned)
    client of the same CA, a rogue CA's client, the bundle key and a rogue
    one. Each appliance's --mgmt-dir is d/appliance-ID."""
    os.makedirs(d, exist_ok=True)

    def key(name):
        run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
             "-out", f"{d}/{name}.key"])

    def cert(name, cn, ca, ext=None):
        key(name)
        run(["openssl", "req", "-new", "-key", f"{d}/{name}.key", "-subj", f"/CN={cn}",
             "-out", f"{d}/{name}.csr"])
        cmd = ["openssl", "x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/{ca}.crt",
               "-CAkey", f"{d}/{ca}.key", "-CAcreateserial", "-days", "2",
               "-out", f"{d}/{name}.crt"]
        if ext:
            open(f"{d}/{name}.ext", "w").write(ext)
            cmd += ["-extfile", f"{d}/{name}.ext"]
        run(cmd)

    for ca in ("ca", "rogue-ca"):
        key(ca)
        run(["openssl", "req", "-x509", "-new", "-key", f"{d}/{ca}.key", "-subj",
             f"/CN={ca}", "-days", "2", "-out", f"{d}/{ca}.crt"])
    for i in ids:
        cert("server-" + i, i, "ca", "subjectAltName=DNS:%s\n" % i)
    cert("client", "mgmt-plane", "ca")
    cert("other", "someone-else", "ca")
    cert("rogue", "mgmt-plane", "rogue-ca")
    for k in ("bundle", "rogue-bundle"):
        key(k)
    run(["openssl", "ec", "-in", f"{d}/bundle.key", "-pubout", "-out", f"{d}/bundle.pub"])
    for i in ids:
        app = f"{d}/appliance-{i}"
        os.makedirs(app, exist_ok=True)
        shutil.copy(f"{d}/server-{i}.crt", f"{app}/server.crt")
        shutil.copy(f"{d}/server-{i}.key", f"{app}/server.key")
        for f in ("ca.crt", "bundle.pub", "client.crt"):  # client.crt: the pin
            shutil.copy(f"{d}/{f}", app)
    return d


class Term:
    """A person at the console: raw mode, send keys, wait for text."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = ""

    def send(self, s):
        os.write(self.fd, s.encode())

    def expect(self, pattern, timeout=10.0):
        end = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return out
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("timeout waiting for %r; got:\n%s" % (pattern, self.buf))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 4096).decode(errors="replace")

    def cmd(self, line, prompt=r"@gw1[>#] $", timeout=10.0):
        self.send(line + "\r")
        return self.expect(prompt, timeout)

    def close(self):
        os.close(self.fd)


class Lab:
    """One appliance: segwd in namespace gw with int and dmz behind it and its
    management port (segw-mgmt0, 10.255.INDEX.1) on the management network
    (namespace mgmt: the first lab makes it, a second one joins it)."""

    def __init__(self, segwd, appliance="gw1", index=1, peer=None):
        if os.geteuid() != 0:
            print("needs root (network namespaces)")
            sys.exit(77)
        self.tag = "segwm%d-%d" % (os.getpid(), index)
        self.appliance, self.index = appliance, index
        self.mgmt_addr = "10.255.%d.1:8443" % index
        self.tmp = tempfile.mkdtemp(prefix="segw-mgmt-")
        self.pids = []
        self.made = []
        self.segwd = None
        self.flow = None
        self.final_log = ""
        try:
            self.mgmt_ns = peer.mgmt_ns if peer else self.ns("mgmt")
            if not peer:
                run(["ip", "netns", "add", self.mgmt_ns])
                self.made.append(self.mgmt_ns)
            self._net()
            self.pkid = peer.pkid if peer else make_pki(os.path.join(self.tmp, "pki"))
            self.pki = os.path.join(self.pkid, "appliance-" + appliance)
            self._start(segwd)
            self._servers_ready()
        except BaseException:
            self.close()
            raise

    def ns(self, n):
        return "%s-%s" % (self.tag, n)

    def inns(self, n, argv, **kw):
        return run(["ip", "netns", "exec", self.ns(n)] + argv, **kw)

    def _net(self):
        for n in ("gw", "int", "dmz"):
            run(["ip", "netns", "add", self.ns(n)])
            self.made.append(self.ns(n))
            self.inns(n, ["ip", "link", "set", "lo", "up"])
        for z, net, host in (("int", "10.1.0", "10.1.0.2"), ("dmz", "198.51.100", "198.51.100.10")):
            run(["ip", "-n", self.ns("gw"), "link", "add", "segw-%s0" % z, "type", "veth",
                 "peer", "name", "eth0", "netns", self.ns(z)])
            self.inns("gw", ["ip", "addr", "add", net + ".1/24", "dev", "segw-%s0" % z])
            self.inns("gw", ["ip", "link", "set", "segw-%s0" % z, "up"])
            self.inns(z, ["ip", "addr", "add", host + "/24", "dev", "eth0"])
            self.inns(z, ["ip", "link", "set", "eth0", "up"])
            self.inns(z, ["ip", "route", "add", "default", "via", net + ".1"])
        self.inns("gw", ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        # the management network: segw-mgmt0 (board port mgmt0, zone mgmt)
        m = "m%d" % self.index
        run(["ip", "-n", self.ns("gw"), "link", "add", "segw-mgmt0", "type", "veth",
             "peer", "name", m, "netns", self.mgmt_ns])
        self.inns("gw", ["ip", "addr", "add", "10.255.%d.1/24" % self.index, "dev", "segw-mgmt0"])
        self.inns("gw", ["ip", "link", "set", "segw-mgmt0", "up"])
        run(["ip", "netns", "exec", self.mgmt_ns, "ip", "addr", "add",
             "10.255.%d.2/24" % self.index, "dev", m])
        run(["ip", "netns", "exec", self.mgmt_ns, "ip", "link", "set", m, "up"])
        run(["ip", "netns", "exec", self.mgmt_ns, "ip", "link", "set", "lo", "up"])
        for port in ("80", "8081"):
            p = subprocess.Popen(["ip", "netns", "exec", self.ns("dmz"), sys.executable, "-c",
                                  ECHO_SERVER, "198.51.100.10", port])
            self.pids.append(p)

    def _start(self, segwd):
        t = self.tmp
        self.policy = os.path.join(t, "boot.policy")
        open(self.policy, "w").write(POLICY)
        users = os.path.join(t, "users")
        with open(users, "w") as f:
            for name, role, pw in (("admin", "admin", "admin-pw"), ("oper", "operator", "oper-pw")):
                h = run(["openssl", "passwd", "-6", pw]).stdout.strip()
                f.write("%s %s %s\n" % (name, role, h))
        self.flash = os.path.join(t, "flash.bin")
        self.status = os.path.join(t, "status.json")
        self.link = os.path.join(t, "console")
        self.audit = os.path.join(t, "audit.log")
        self.err = open(os.path.join(t, "segwd.err"), "w")
        self.segwd_argv = [
            "ip", "netns", "exec", self.ns("gw"), segwd, "--inline", "--no-flows",
            "--policy", self.policy, "--status", self.status, "--console",
            "--console-users", users, "--console-link", self.link, "--audit", self.audit,
            "--mgmt-listen", self.mgmt_addr, "--mgmt-dir", self.pki,
            "--appliance-id", self.appliance]
        self.start_segwd()

    def start_segwd(self):
        for f in (self.status, self.link):
            if os.path.lexists(f):
                os.unlink(f)
        env = dict(os.environ, SEGW_SIM_FLASH=self.flash)
        self.segwd = subprocess.Popen(self.segwd_argv, env=env, stdout=subprocess.DEVNULL,
                                      stderr=self.err)
        self.pids.append(self.segwd)
        for _ in range(100):
            if os.path.exists(self.status) and os.path.exists(self.link):
                break
            if self.segwd.poll() is not None:
                break
            time.sleep(0.1)
        if not (os.path.exists(self.status) and os.path.exists(self.link)):
            raise AssertionError("segwd did not start:\n" + self.log())

    def stop_segwd(self):
        """SIGTERM, as a power-off of the control plane; returns its exit code."""
        self.segwd.terminate()
        rc = self.segwd.wait(timeout=15)
        self.pids.remove(self.segwd)
        self.segwd = None
        return rc

    def _servers_ready(self):
        for _ in range(50):  # the echo server listens
            r = subprocess.run(["ip", "netns", "exec", self.ns("dmz"), "bash", "-c",
                                "exec 3<>/dev/tcp/198.51.100.10/80"], stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                break
            time.sleep(0.1)

    def log(self):
        self.err.flush()
        return open(os.path.join(self.tmp, "segwd.err")).read()

    # --- the established flow -------------------------------------------------
    def open_flow(self, port=80):
        self.flow = subprocess.Popen(
            ["ip", "netns", "exec", self.ns("int"), sys.executable, "-c", FLOW_CLIENT,
             "198.51.100.10", str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        self.pids.append(self.flow)
        return self._line(8) == "connected"

    def _line(self, timeout):
        r, _, _ = select.select([self.flow.stdout], [], [], timeout)
        return self.flow.stdout.readline().strip() if r else ""

    def flow_alive(self, n=[0]):
        n[0] += 1
        msg = "ping %d" % n[0]
        try:
            self.flow.stdin.write(msg + "\n")
            self.flow.stdin.flush()
        except OSError:
            return False
        return self._line(6) == msg

    def new_connection(self, port=80):
        """A new TCP connection int -> dmz: True if it gets through."""
        r = subprocess.run(["ip", "netns", "exec", self.ns("int"), "timeout", "4", "bash",
                            "-c", "exec 3<>/dev/tcp/198.51.100.10/%d && echo hi >&3 && "
                            "read -t 3 l <&3 && [ \"$l\" = hi ]" % port],
                           stderr=subprocess.DEVNULL)
        return r.returncode == 0

    # --- what must not change ------------------------------------------------
    def generation(self):
        # the status file is rewritten every second: wait for a fresh one
        t0 = time.time()
        for _ in range(30):
            try:
                if os.stat(self.status).st_mtime > t0:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        for _ in range(30):
            try:
                m = re.search(r'"policy_generation":(\d+)', open(self.status).read())
                if m:
                    return int(m.group(1))
            except OSError:
                pass
            time.sleep(0.1)
        return -1

    def kernel_rules(self):
        out = self.inns("gw", ["nft", "list", "table", "inet", "segw"]).stdout
        # compare the rules: not their packet counters, nor the generation
        # number inside the marks (it changes with every publish)
        out = re.sub(r"counter packets \d+ bytes \d+", "counter", out)
        return re.sub(r"0x5e[0-9a-f]{4}([0-9a-f]{2})", r"0x5e....\1", out)

    def stored(self):
        return hashlib.sha256(open(self.flash, "rb").read()).hexdigest()

    def snapshot(self):
        return (self.generation(), self.kernel_rules(), self.stored())

    def close(self):
        # clients and servers first, segwd last (nothing left in its queue)
        order = [p for p in self.pids if p is not self.segwd] + \
            ([self.segwd] if self.segwd else [])
        for p in order:
            if p is self.segwd:
                time.sleep(0.3)
            if p.poll() is None:
                p.terminate()
            if p is not self.segwd:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        for p in self.pids:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.segwd_rc = self.segwd.returncode if self.segwd else None
        for n in self.made:
            subprocess.run(["ip", "netns", "del", n], stderr=subprocess.DEVNULL)
        if getattr(self, "err", None):
            self.err.close()
            self.final_log = open(os.path.join(self.tmp, "segwd.err")).read()
        shutil.rmtree(self.tmp, ignore_errors=True)


failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond
