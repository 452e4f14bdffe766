#!/usr/bin/env python3
"""Peak memory of a SPOT server while members send hostile uploads (issue 13, finding 1).

Starts the given binary on a fresh SQLite database, makes a member, then has N clients at
once stream an upload form of many 64 KiB text fields (16,000 by default: 1 GB each) with
no Content-Length, as the security review did. Prints the server's resident memory before,
its peak (VmHWM) after, and what each client was answered. Nothing here asserts a time;
the figure goes into docs/benchmarks.md.

    cargo build --release
    python3 bench/hostile_upload.py --binary target/release/spot
"""

import argparse
import glob
import http.client
import http.cookiejar
import os
import quopri
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

BOUNDARY = "----HostileUploadBoundary7Q"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024  # MiB
    return 0


class Member:
    """A browser: a cookie jar, redirects not followed."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def get(self, path):
        try:
            with self.opener.open(self.base + path) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path="/login"):
        _, page = self.get(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(self, path, fields):
        fields = dict(fields, csrf_token=self.token())
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def join(member, outbox):
    """Registers, and follows the confirmation link when SPOT sends one."""
    member.post(
        "/register",
        {
            "email": "hostile@nhs.net",
            "display_name": "Hostile Member",
            "password": "kettle river jigsaw",
            "role": "link_worker",
            "borough": "wigan",
            "organisation": "Test",
        },
    )
    for _ in range(100):
        for path in glob.glob(os.path.join(outbox, "*.eml")):
            text = quopri.decodestring(open(path, "rb").read()).decode("utf-8", "replace")
            found = re.search(r"https?://[^/\s]+(/confirm/[A-Za-z0-9_-]+)", text)
            if found:
                member.post(found.group(1), {})
                if member.get("/account")[0] == 200:
                    return
        if member.get("/account")[0] == 200:
            return
        time.sleep(0.1)
    sys.exit("could not sign the member in")


def hostile(port, cookie, token, fields, field_kb, answers, index):
    """Streams the form part by part (chunked); stops when the server stops listening."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("POST", "/resources/new")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Cookie", cookie)
    connection.endheaders()
    filler = b"x" * (field_kb * 1024)

    def chunk(data):
        connection.send(b"%x\r\n%s\r\n" % (len(data), data))

    sent = 0
    try:
        chunk(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'.encode()
        )
        for n in range(fields):
            head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\n'.encode()
            chunk(head + filler + b"\r\n")
            sent += 1
        chunk(f"--{BOUNDARY}--\r\n".encode())
        connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        response = connection.getresponse()
        answers[index] = f"{response.status} after {sent} fields sent"
    except Exception as error:  # the server closed without an answer
        answers[index] = f"no answer ({type(error).__name__}) after {sent} fields sent"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/spot")
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--fields", type=int, default=16000)
    parser.add_argument("--field-kb", type=int, default=64)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="spot-hostile-")
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{data}/spot.db",
        SPOT_BIND=f"127.0.0.1:{port}",
        SPOT_DATA_DIR=data,
        SPOT_UPLOADS=f"{data}/uploads",
        SPOT_MAIL_EVERY_SECONDS="1",
        RUST_LOG="warn",
    )
    server = subprocess.Popen([args.binary], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except Exception:
                time.sleep(0.1)
        member = Member(base)
        join(member, os.path.join(data, "outbox"))
        token = member.token("/resources/new")
        before = memory(server.pid, "VmRSS")
        answers = [None] * args.requests
        clients = [
            threading.Thread(
                target=hostile,
                args=(port, member.cookie_header(), token, args.fields, args.field_kb, answers, i),
            )
            for i in range(args.requests)
        ]
        started = time.time()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.time() - started
        status, _ = member.get("/healthz")
        print(f"clients: {args.requests}, each streaming {args.fields} fields of {args.field_kb} KiB")
        for i, answer in enumerate(answers):
            print(f"  client {i + 1}: {answer}")
        print(f"RSS before: {before} MiB")
        print(f"peak RSS (VmHWM): {memory(server.pid, 'VmHWM')} MiB")
        print(f"RSS after: {memory(server.pid, 'VmRSS')} MiB")
        print(f"all clients answered in {elapsed:.2f} s; /healthz afterwards: {status}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
