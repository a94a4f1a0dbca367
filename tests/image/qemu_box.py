# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu_box: one segw box (board qemu-x86_64) in qemu-system-x86_64 (TCG),
driven over its serial console (ttyS0 on qemu's stdio).

    box = Box(disk, log_path)          # the disk file is the box's disk
    box.start(transfer=file)           # power on; file: a second disk (/dev/vdb)
    box.login()                        # root / the development password
    out, rc = box.run("segw-update status")
    box.wait_exit(timeout)             # the box reset or powered off (-no-reboot)
    box.kill()                         # pull the power cord

Every byte of the console is appended to log_path. Nothing here runs as a
daemon: each qemu is a child of this process, stopped by its PID.
"""
import os
import re
import subprocess
import threading
import time


class BoxError(Exception):
    pass


class Box:
    def __init__(self, disk, log_path, mem=512, write_bps=None, hostfwd=None):
        self.disk = disk
        self.log_path = log_path
        self.mem = mem
        self.write_bps = write_bps
        self.hostfwd = hostfwd or []
        self.proc = None
        self.buf = b""
        self.pos = 0
        self.lock = threading.Lock()
        self.boots = 0

    def start(self, transfer=None):
        drive = "file=%s,format=raw,if=virtio,cache=writeback" % self.disk
        if self.write_bps:
            drive += ",throttling.bps-write=%d" % self.write_bps
        cmd = ["qemu-system-x86_64", "-m", str(self.mem), "-smp", "1",
               "-display", "none", "-monitor", "none", "-serial", "stdio",
               "-no-reboot", "-drive", drive]
        if transfer:
            cmd += ["-drive", "file=%s,format=raw,if=virtio,readonly=on" % transfer]
        for i in range(3):
            fwd = ""
            if i == 2:
                for proto, host, guest in self.hostfwd:
                    fwd += ",hostfwd=%s:127.0.0.1:%d-:%d" % (proto, host, guest)
            # restrict=on: the guest reaches nothing outside. The mgmt NIC with
            # forwarded ports needs restrict=off (qemu drops the UDP replies of
            # a forwarded port otherwise); the box has no default route there,
            # so it reaches only 10.0.2.0/24: slirp's host alias (this
            # machine's loopback) and nothing beyond
            restrict = "off" if fwd else "on"
            cmd += ["-netdev", "user,id=n%d,restrict=%s%s" % (i, restrict, fwd),
                    "-device", "virtio-net-pci,netdev=n%d" % i]
        self.boots += 1
        with open(self.log_path, "ab") as f:
            f.write(("\n==== boot %d: %s\n" % (self.boots, " ".join(cmd))).encode())
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        with self.lock:
            self.buf = b""
            self.pos = 0
        t = threading.Thread(target=self._reader, args=(self.proc,), daemon=True)
        t.start()

    def _reader(self, proc):
        with open(self.log_path, "ab") as log:
            while True:
                b = proc.stdout.read(4096)
                if not b:
                    return
                log.write(b)
                log.flush()
                with self.lock:
                    self.buf += b

    def expect(self, pattern, timeout):
        """Wait for regex pattern (bytes) in the console after the last match."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            with self.lock:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
            if time.monotonic() > end:
                with self.lock:
                    tail = self.buf[-600:].decode(errors="replace")
                raise BoxError("timeout (%ds) waiting for %r; console tail:\n%s"
                               % (timeout, pattern, tail))
            if self.proc.poll() is not None:
                time.sleep(0.2)
                with self.lock:
                    m = rx.search(self.buf, self.pos)
                    if m:
                        self.pos = m.end()
                        return m
                    tail = self.buf[-600:].decode(errors="replace")
                raise BoxError("qemu exited (%s) waiting for %r; console tail:\n%s"
                               % (self.proc.returncode, pattern, tail))
            time.sleep(0.1)

    def send(self, s):
        self.proc.stdin.write(s.encode())
        self.proc.stdin.flush()

    def login(self, timeout=240, password="segw"):
        self.expect(rb"segw login: ", timeout)
        time.sleep(0.3)
        self.send("root\n")
        self.expect(rb"Password: ", 30)
        time.sleep(0.2)
        self.send(password + "\n")
        self.expect(rb"segw# ", 30)
        # no echo of long commands wrapping; plain output
        self.run("stty -echo cols 400 2>/dev/null; export PS1='segw# '")

    _n = 0

    def run(self, cmd, timeout=120):
        """Run a shell command on the box: (output, exit code)."""
        Box._n += 1
        tag = "__E%d_" % Box._n
        with self.lock:
            begin = self.pos
        self.send("%s; echo %s$?__\n" % (cmd, tag))
        m = self.expect(re.escape(tag.encode()) + rb"(\d+)__", timeout)
        with self.lock:
            out = self.buf[begin:m.start()].decode(errors="replace")
        self.expect(rb"segw# ", 10)
        out = out.replace("\r", "")
        # the echoed command line, when echo is still on
        if cmd in out:
            out = out[out.index(cmd) + len(cmd):]
            out = out[out.find("\n") + 1:] if "\n" in out else ""
        return out.strip("\n"), int(m.group(1))

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BoxError("the box did not reset within %ds" % timeout)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None
