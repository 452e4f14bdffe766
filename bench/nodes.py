#!/usr/bin/env python3
"""Several SPOT nodes on one PostgreSQL behind haproxy, one of them killed mid-run.

    bench/nodes.py [--binary PATH] [--nodes 2] [--scale 0.05] [--seconds 30] [--kill-after 10]
                   [--clients 8] [--store local|s3] [--measure SECONDS] [--check]

What it does, all on loopback:
  1. a throwaway PostgreSQL database (postgres://postgres@127.0.0.1:5432), filled by `spot demo`;
  2. an SMTP sink of its own, which keeps every message it is given;
  3. the file store: a folder all nodes share (--store local), or an S3-compatible server
     (--store s3: `moto_server` from PyPI `moto[server]`, with SPOT_STORE_URL=s3://…);
  4. N SPOT nodes with one SPOT_SECRET_KEY, each sending mail every second;
  5. haproxy (Debian package) in front, round robin, health checks on /healthz, and retries of
     requests a dead node dropped (`retry-on all-retryable-errors`, `option redispatch`);
  6. a mixed load: signed-in members read threads, the forum and the library, reply, share
     files and book courses; after --kill-after seconds node 1 gets SIGKILL;
  7. then it checks, and prints a Markdown report:
       - every request answered (no connection error, no 5xx) and no member signed out
         while their requests went to both nodes;
       - every reply, upload and booking acknowledged to a client is in the database (and
         every upload downloads with the bytes sent);
       - every email the outbox marks sent reached the sink exactly once, and none is left
         unsent; no member got two digests for one period;
       - today's pruning ran once (retention_runs), each digest period once (digest_runs);
       - the sign-in limit holds across nodes: the 6th wrong password for one account gets
         429 although the attempts went to different nodes.
  --measure S adds wrk runs (S seconds each) through haproxy with one node and with all N:
  the thread page and the mixed load (5% replies), for docs/benchmarks.md.
  --check exits 1 when a check failed.

Needs: haproxy, wrk (for --measure), psql, and for --store s3 moto_server.
"""

import argparse
import hashlib
import http.client
import os
import random
import re
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict

PG = "postgres://postgres@127.0.0.1:5432"
# The kill run kills one node, whose mail worker may have had one letter in flight.
KILLED_NODES = 1
BOROUGHS = ["bolton", "bury", "manchester", "oldham", "rochdale", "salford", "stockport",
            "tameside", "trafford", "wigan"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(db, sql):
    """Rows of one query, as lists of strings (psql's unaligned output)."""
    out = subprocess.run(
        ["psql", "-At", "-F", "\t", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def wait_until(what, test, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if test():
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not happen within {seconds} s")


# ------------------------------------------------------------------ the SMTP sink

class SmtpSink(socketserver.ThreadingTCPServer):
    """Keeps every message it is given (raw), as a mail relay would deliver it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.messages = []
        self.lock = threading.Lock()

    def keep(self, raw):
        with self.lock:
            self.messages.append(raw)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == b"DATA":
                self.reply("354 go ahead")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.keep(b"".join(lines).decode("utf-8", "replace"))
                self.reply("250 kept")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def cadence_of(subject):
    """Which digest a letter is, by its subject ("Your daily SPOT digest: …", "This week on SPOT")."""
    if "daily SPOT digest" in subject:
        return "daily"
    if subject.startswith("This week on SPOT"):
        return "weekly"
    return None


def header(raw, name):
    match = re.search(rf"^{name}:\s*(.*(?:\r?\n[ \t].*)*)", raw, re.M | re.I)
    return re.sub(r"\r?\n[ \t]+", " ", match.group(1)).strip() if match else None


# ------------------------------------------------------------------ a member's browser

class Browser:
    """One member's browser through the balancer: keep-alive, cookies, no redirects."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.conn = None
        self.token = None

    def request(self, method, path, body=None, content_type=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The balancer closed an idle keep-alive connection before this request went
                # out: like a browser, open a new one and send it again. A request on a fresh
                # connection that fails is a failure.
                self.conn.close()
                self.conn = None
                if not reused:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, response.headers, data

    def form(self, path, fields):
        body = urllib.parse.urlencode({"csrf_token": self.token, **fields})
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def sign_in(self, email, password):
        _, _, page = self.request("GET", "/login")
        self.token = csrf_in(page)
        status, headers, _ = self.form("/login", {"email": email, "password": password})
        if status != 303 or headers.get("Location", "").startswith("/login"):
            raise SystemExit(f"could not sign in as {email}: {status}")
        _, _, page = self.request("GET", "/account")
        self.token = csrf_in(page)


def csrf_in(page):
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.decode("utf-8", "replace"))
    if not match:
        raise SystemExit("no form token on the page")
    return match.group(1)


BOUNDARY = "----SpotNodesBoundary7Q"


def multipart(fields, file_field, file_name, content):
    parts = []
    for name, value in fields:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def pdf(marker):
    return (
        b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


# ------------------------------------------------------------------ the load

class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = Counter()  # by kind
        self.failures = []  # (kind, what)
        self.signed_out = 0
        self.replies = {}  # marker -> thread
        self.uploads = {}  # marker -> sha256
        self.bookings = set()  # (email, run)
        self.nodes_seen = defaultdict(set)  # client -> nodes
        self.cancellations = set()  # (email, run)

    def record(self, client, kind, status, headers, ok_statuses):
        with self.lock:
            self.requests[kind] += 1
            node = headers.get("X-Spot-Node") if headers else None
            if node:
                self.nodes_seen[client].add(node)
            if status not in ok_statuses:
                self.failures.append((kind, f"HTTP {status}"))
            if status == 303 and headers.get("Location", "").startswith("/login"):
                self.signed_out += 1


def member_load(index, browser, email, threads, held, nodes_run, run_id, stop, tally):
    rng = random.Random(index)
    n = 0
    booked = False
    while not stop.is_set():
        n += 1
        roll = rng.random()
        marker = f"nodes{run_id}x{index}x{n}"
        try:
            if roll < 0.55:
                status, headers, _ = browser.request("GET", f"/threads/{rng.choice(threads)}")
                tally.record(index, "thread page", status, headers, {200})
            elif roll < 0.65:
                status, headers, _ = browser.request("GET", "/forum")
                tally.record(index, "forum index", status, headers, {200})
            elif roll < 0.75:
                status, headers, _ = browser.request("GET", "/resources")
                tally.record(index, "library", status, headers, {200})
            elif roll < 0.88:
                thread = rng.choice(threads)
                status, headers, _ = browser.form(
                    f"/threads/{thread}/reply",
                    {"body": f"Thanks, that helps our team ({marker})."},
                )
                tally.record(index, "reply", status, headers, {303})
                if status == 303:
                    with tally.lock:
                        tally.replies[marker] = thread
            elif roll < 0.94:
                content = pdf(marker)
                body = multipart(
                    [("csrf_token", browser.token), ("title", f"Leaflet {marker}"), ("description", ""),
                     ("tags", "fatigue"), ("audience", "both"), ("borough", ""), ("url", "")],
                    "file", f"{marker}.pdf", content,
                )
                status, headers, _ = browser.request(
                    "POST", "/resources/new", body, f"multipart/form-data; boundary={BOUNDARY}")
                tally.record(index, "upload", status, headers, {303})
                if status == 303:
                    with tally.lock:
                        tally.uploads[marker] = hashlib.sha256(content).hexdigest()
            elif booked:
                status, headers, _ = browser.request("GET", "/courses")
                tally.record(index, "course list", status, headers, {200})
            else:
                # Once: give up the place held on another run, then book the new one.
                booked = True
                if held:
                    status, headers, _ = browser.form(f"/courses/{held}/cancel", {"reason": ""})
                    tally.record(index, "cancellation", status, headers, {303})
                    if status == 303:
                        with tally.lock:
                            tally.cancellations.add((email, held))
                status, headers, _ = browser.form(
                    f"/courses/{nodes_run}/book",
                    {"manager_agreed": "yes", "manager_name": "Pat Lead", "manager_email": "pat.lead@nhs.net"},
                )
                tally.record(index, "booking", status, headers, {303})
                if status == 303:
                    with tally.lock:
                        tally.bookings.add((email, nodes_run))
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.requests["connection"] += 1
                tally.failures.append(("connection", repr(error)))
            browser.conn = None


# ------------------------------------------------------------------ the parts

class Cluster:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.db = f"spot_nodes_{os.getpid()}"
        self.url = f"{PG}/{self.db}"
        self.processes = []
        self.nodes = {}
        self.haproxy = None
        self.sink = SmtpSink()
        threading.Thread(target=self.sink.serve_forever, daemon=True).start()
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "SPOT_DATA_DIR": work,
            "SPOT_SECRET_KEY": "nodes-" + "k" * 40,
            "SPOT_SMTP_URL": f"smtp://127.0.0.1:{self.sink.server_address[1]}",
            "SPOT_MAIL_EVERY_SECONDS": "1",
            "SPOT_TRUST_PROXY": "1",
            "SPOT_MEMBER_DOMAINS": "none",
            "RUST_LOG": "warn",
        }
        if args.store == "s3":
            self.start_s3()
        else:
            self.env["SPOT_UPLOADS"] = os.path.join(work, "uploads")

    def start_s3(self):
        port = free_port()
        moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(moto)
        endpoint = f"http://127.0.0.1:{port}"
        wait_until("moto_server start", lambda: ok(f"127.0.0.1:{port}", "/"), 30)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("PUT", "/spot-nodes")
        conn.getresponse().read()
        self.env.update({
            "SPOT_STORE_URL": "s3://spot-nodes/uploads",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "eu-west-2", "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT": endpoint,
            "AWS_ALLOW_HTTP": "true",
        })

    def demo(self):
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {self.db}"],
                       check=True)
        out = subprocess.run([self.args.binary, "demo", "--scale", str(self.args.scale), "--seed", "11"],
                             env=self.env, check=True, capture_output=True, text=True).stdout
        self.password = out.split("the password:")[1].split("\n")[1].strip()
        # Digests due the moment the nodes start, so that they race for them: members who
        # joined a month ago (this week's round-up) and yesterday's news for 40 of them.
        psql(self.db, "UPDATE members SET created_at = created_at - interval '30 days'")
        psql(self.db, """
            INSERT INTO notifications (member_id, kind, headline, detail, link, created_at, email)
            SELECT id, 'watching', 'New posts in a thread you watch', '', '/forum',
                   now() - interval '1 day', 'daily'
              FROM members WHERE approved_at IS NOT NULL ORDER BY id LIMIT 40""")

    def start_node(self, number):
        port = free_port()
        env = {**self.env, "SPOT_BIND": f"127.0.0.1:{port}"}
        log = open(os.path.join(self.work, f"node{number}.log"), "w")
        process = subprocess.Popen([self.args.binary], env=env, stdout=log, stderr=log)
        self.processes.append(process)
        self.nodes[number] = (port, process)
        wait_until(f"node {number} start", lambda: ok(f"127.0.0.1:{port}", "/healthz"), 60)

    def start_haproxy(self, numbers):
        if self.haproxy:
            self.haproxy.terminate()
            self.haproxy.wait()
        self.port = getattr(self, "port", None) or free_port()
        servers = "\n".join(
            f"    server node{n} 127.0.0.1:{self.nodes[n][0]} check inter 1s fall 3 rise 2" for n in numbers)
        config = f"""
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 3s
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    option http-buffer-request
frontend www
    bind 127.0.0.1:{self.port}
    option forwardfor
    default_backend spot
backend spot
    balance roundrobin
    option httpchk GET /healthz
    http-response set-header X-Spot-Node %s
{servers}
"""
        path = os.path.join(self.work, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(config)
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", path],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "haproxy.log"), "w"))
        self.processes.append(self.haproxy)
        wait_until("haproxy start", lambda: ok(f"127.0.0.1:{self.port}", "/healthz"), 30)

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.sink.shutdown()
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                        f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)"], capture_output=True)


def ok(address, path):
    host, port = address.split(":")
    try:
        conn = http.client.HTTPConnection(host, int(port), timeout=2)
        conn.request("GET", path)
        return conn.getresponse().status < 500
    except OSError:
        return False


# ------------------------------------------------------------------ the run

def kill_run(cluster, args, report):
    db = cluster.db
    # A run open to every borough, so that the members below have one to book.
    admin = Browser(cluster.port)
    admin.sign_in("admin@spot.example", cluster.password)
    starts = time.strftime("%Y-%m-%dT10:00", time.gmtime(time.time() + 30 * 86400))
    fields = [("csrf_token", admin.token), ("title", "Nodes run"), ("description", "Three online sessions."),
              ("capacity", "15"), ("starts_at", starts), ("session_count", "3"), ("weeks_between", "1"),
              ("duration_minutes", "120"), ("meeting_url", "https://meet.example.org/spot-nodes")]
    fields += [("boroughs", b) for b in BOROUGHS]
    status, _, _ = admin.request("POST", "/admin/courses/new", urllib.parse.urlencode(fields),
                                 "application/x-www-form-urlencoded")
    if status != 303:
        raise SystemExit(f"could not make a course run: HTTP {status}")

    nodes_run = int(psql(db, "SELECT max(id) FROM course_runs WHERE title = 'Nodes run'")[0][0])
    # Members, each with the run they have a place on (if any): their booking during the
    # load cancels that place and books the new run.
    members = psql(db, f"""
        SELECT m.email, (SELECT min(b.run_id) FROM bookings b WHERE b.member_id = m.id
                           AND b.status IN ('booked', 'waiting'))
          FROM members m
         WHERE m.approved_at IS NOT NULL AND m.suspended_at IS NULL AND m.erased_at IS NULL
           AND m.staff = 'member' ORDER BY m.id LIMIT {args.clients}""")
    threads = [int(row[0]) for row in psql(db, """
        SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id
         WHERE c.course_run_id IS NULL AND NOT t.locked AND t.held_at IS NULL
           AND NOT c.staff_threads_only AND NOT c.archived ORDER BY t.id LIMIT 40""")]
    browsers = []
    for email, _ in members:
        browser = Browser(cluster.port)
        browser.sign_in(email, cluster.password)
        browsers.append((email, browser))
    tally = Tally()
    stop = threading.Event()
    workers = [
        threading.Thread(target=member_load,
                         args=(i, b, email, threads, int(held) if held else None, nodes_run, os.getpid(), stop, tally), daemon=True)
        for i, ((email, b), (_, held)) in enumerate(zip(browsers, members))
    ]
    # The sign-in limit, through the balancer with every node up: the attempts go round them.
    limited = sign_in_limit(cluster)
    started = time.time()
    for w in workers:
        w.start()
    time.sleep(args.kill_after)
    victim = cluster.nodes[1][1]
    victim.send_signal(signal.SIGKILL)
    killed_at = time.time() - started
    time.sleep(max(0, args.seconds - args.kill_after))
    stop.set()
    for w in workers:
        w.join(60)
    elapsed = time.time() - started

    # Every acknowledged write is there.
    rows = psql(db, f"SELECT body_source FROM posts WHERE body_source LIKE '%nodes{os.getpid()}x%'")
    found = Counter(m for (body,) in rows for m in re.findall(rf"nodes{os.getpid()}x\d+x\d+", body))
    lost_replies = [m for m in tally.replies if found[m] == 0]
    duplicated_replies = [m for m, c in found.items() if c > 1]
    uploaded = {row[0].removeprefix("Leaflet "): (row[1], row[2]) for row in psql(db, f"""
        SELECT title, id, sha256 FROM resources WHERE title LIKE 'Leaflet nodes{os.getpid()}x%'""")}
    lost_uploads = [m for m in tally.uploads if m not in uploaded]
    bad_downloads = []
    checker = browsers[0][1]
    for marker, sha in tally.uploads.items():
        if marker not in uploaded:
            continue
        status, _, data = checker.request("GET", f"/resources/{uploaded[marker][0]}/download")
        if status != 200 or hashlib.sha256(data).hexdigest() != sha:
            bad_downloads.append((marker, status))
    booked = {(row[0], int(row[1])): row[2] for row in psql(db, """
        SELECT m.email, b.run_id, b.status FROM bookings b JOIN members m ON m.id = b.member_id""")}
    lost_bookings = [b for b in tally.bookings if booked.get(b) not in ("booked", "waiting")]
    lost_bookings += [b for b in tally.cancellations if booked.get(b) != "cancelled"]
    places = Counter(status for (email, run), status in booked.items() if run == nodes_run)

    # Email: wait for the outbox to empty (a batch the dead node had claimed is taken over
    # when its claim ends, two minutes later), then compare with what the sink got.
    deadline = time.time() + 180
    while time.time() < deadline:
        waiting = int(psql(db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")[0][0])
        if waiting == 0:
            break
        time.sleep(1)
    sent_ids = [row[0] for row in psql(db, "SELECT message_id FROM outbox WHERE sent_at IS NOT NULL")]
    # A letter handed to the mail server more times than it finished an attempt was in flight
    # when its node died: the server may have taken it, so it is sent again, same Message-ID.
    # That is the one copy SMTP cannot rule out (no two-phase commit); at most one letter
    # per killed node, and no other letter may arrive twice.
    in_doubt = {row[0].strip("<>"): int(row[1]) for row in psql(
        db, "SELECT message_id, handovers - attempts FROM outbox WHERE handovers > attempts")}
    with cluster.sink.lock:
        got = Counter(header(raw, "Message-ID") for raw in cluster.sink.messages)
        digests = Counter((header(raw, "To"), cadence_of(header(raw, "Subject") or ""))
                          for raw in {header(m, "Message-ID"): m for m in cluster.sink.messages}.values()
                          if cadence_of(header(raw, "Subject") or ""))
    def bare(message_id):
        return message_id.strip("<>")
    got_bare = Counter({bare(k or ""): v for k, v in got.items()})
    missing_emails = [m for m in sent_ids if got_bare[bare(m)] == 0]
    duplicate_emails = [m for m, c in got_bare.items() if c - 1 > in_doubt.get(m, 0)]
    resent_in_doubt = sum(c - 1 for m, c in got_bare.items() if c > 1 and m in in_doubt)
    duplicate_digests = [k for k, c in digests.items() if c > 1]
    retention = psql(db, "SELECT day, finished_at IS NOT NULL FROM retention_runs")
    digest_runs = psql(db, "SELECT cadence, period, count(*) FROM digest_runs GROUP BY cadence, period")

    failures = tally.failures
    nodes_per_client = [len(s) for s in tally.nodes_seen.values()]
    checks = [
        ("requests answered without error", not failures and sum(tally.requests.values()) > 0,
         f"{sum(tally.requests.values())} requests in {elapsed:.0f} s, {len(failures)} failed"
         + (f": {Counter(k + ' ' + w for k, w in failures).most_common(5)}" if failures else "")),
        ("members stayed signed in across nodes", tally.signed_out == 0 and min(nodes_per_client, default=0) >= 2,
         f"{tally.signed_out} sent to sign in; every member's requests reached "
         f"{min(nodes_per_client, default=0)}–{max(nodes_per_client, default=0)} nodes"),
        ("acknowledged replies kept", not lost_replies,
         f"{len(tally.replies)} acknowledged, {len(lost_replies)} lost, {len(duplicated_replies)} stored twice"),
        ("acknowledged uploads kept and downloadable", not lost_uploads and not bad_downloads,
         f"{len(tally.uploads)} acknowledged, {len(lost_uploads)} lost, {len(bad_downloads)} not downloadable"),
        ("acknowledged bookings and cancellations kept", not lost_bookings and places["booked"] <= 15,
         f"{len(tally.bookings)} bookings and {len(tally.cancellations)} cancellations acknowledged, "
         f"{len(lost_bookings)} lost; the new run has {places['booked']} booked (of 15) and "
         f"{places['waiting']} waiting"),
        ("each email sent once (only a letter in flight at the kill may repeat)",
         not missing_emails and not duplicate_emails and waiting == 0 and len(in_doubt) <= KILLED_NODES,
         f"{len(sent_ids)} marked sent, {sum(got_bare.values())} at the sink, {len(missing_emails)} missing, "
         f"{len(duplicate_emails)} duplicated, {waiting} still waiting; "
         f"{len(in_doubt)} in flight at the kill, {resent_in_doubt} of them arrived twice (same Message-ID)"),
        ("digests once per member and period", not duplicate_digests and len(digests) > 0,
         f"{dict(Counter(c for (_, c) in digests.elements()))} digests, {len(duplicate_digests)} duplicated; "
         f"digest_runs {digest_runs}"),
        ("today's pruning once", len(retention) == 1 and retention[0][1] == "t", f"retention_runs {retention}"),
        ("sign-in limit across nodes", limited[0], limited[1]),
    ]
    report.append(f"\n### Kill run: {len(cluster.nodes)} nodes, node 1 killed (SIGKILL) at {killed_at:.0f} s of "
                  f"{elapsed:.0f} s, {len(browsers)} members, store {args.store}\n")
    report.append(f"Requests by kind: {dict(tally.requests)}\n")
    report.append("| check | result | figures |\n|---|---|---|")
    for name, passed, figures in checks:
        report.append(f"| {name} | {'ok' if passed else '**FAILED**'} | {figures} |")
    return all(passed for _, passed, _ in checks)


def sign_in_limit(cluster):
    """Six wrong passwords for one account through the balancer: the sixth is refused (429)."""
    email = psql(cluster.db, "SELECT email FROM members WHERE staff = 'member' ORDER BY id LIMIT 1")[0][0]
    browser = Browser(cluster.port)
    _, _, page = browser.request("GET", "/login")
    browser.token = csrf_in(page)
    statuses, nodes = [], []
    for _ in range(6):
        status, headers, _ = browser.form("/login", {"email": email, "password": "not the password"})
        statuses.append(status)
        nodes.append(headers.get("X-Spot-Node"))
    passed = statuses[-1] == 429 and all(s != 429 for s in statuses[:-1])
    return passed, f"statuses {statuses} from nodes {nodes}"


def measure(cluster, args, report):
    """wrk through haproxy: the thread page and the mixed load, with one node and with all."""
    db = cluster.db
    email = psql(db, "SELECT email FROM members WHERE staff = 'member' AND approved_at IS NOT NULL ORDER BY id LIMIT 1 OFFSET 20")[0][0]
    thread = psql(db, "SELECT id FROM threads WHERE post_count BETWEEN 31 AND 60 ORDER BY id LIMIT 1")[0][0]
    report.append(f"\n### Through haproxy (wrk -t2 -c16, {args.measure} s each, PostgreSQL, one machine of {os.cpu_count()} cores)\n")
    report.append("| nodes | page | requests/s | p50 | p99 | errors |\n|---|---|---|---|---|---|")
    for numbers in ([1], sorted(cluster.nodes)):
        cluster.start_haproxy(numbers)
        browser = Browser(cluster.port)
        browser.sign_in(email, cluster.password)
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        get = os.path.join(cluster.work, "get.lua")
        mixed = os.path.join(cluster.work, "mixed.lua")
        with open(get, "w") as f:
            f.write(f'wrk.headers["Cookie"] = "{cookie}"\n')
        with open(mixed, "w") as f:
            f.write(f"""wrk.headers["Cookie"] = "{cookie}"
local n = 0
request = function()
  n = n + 1
  if n % 20 == 0 then
    local body = "csrf_token={browser.token}&body=Thanks%2C+this+is+useful+for+our+team."
    return wrk.format("POST", "/threads/{thread}/reply", {{["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "{cookie}"}}, body)
  end
  return wrk.format("GET", "/threads/{thread}")
end
""")
        for label, script in (("thread page", get), ("mixed, 5% replies", mixed)):
            out = subprocess.run(["wrk", "-t2", "-c16", f"-d{args.measure}s", "--latency", "-s", script,
                                  f"http://127.0.0.1:{cluster.port}/threads/{thread}"],
                                 capture_output=True, text=True).stdout
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
            p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
            p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            socket_errors = re.search(r"Socket errors: (.*)", out)
            report.append(f"| {len(numbers)} | {label} | {int(float(rps.group(1))) if rps else '?'} | "
                          f"{p50.group(1) if p50 else '?'} | {p99.group(1) if p99 else '?'} | "
                          f"{errors.group(1) if errors else 0} non-2xx/3xx"
                          f"{', ' + socket_errors.group(1) if socket_errors else ''} |")
    cluster.start_haproxy(sorted(cluster.nodes))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release/spot"))
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--kill-after", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--store", choices=["local", "s3"], default="local")
    parser.add_argument("--measure", type=int, default=0)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    if args.nodes < 2:
        parser.error("--nodes must be at least 2: one of them is killed")
    work = tempfile.mkdtemp(prefix="spot-nodes-")
    cluster = Cluster(args, work)
    report = []
    passed = True
    try:
        cluster.demo()
        for n in range(1, args.nodes + 1):
            cluster.start_node(n)
        cluster.start_haproxy(sorted(cluster.nodes))
        if args.measure:
            measure(cluster, args, report)
        passed = kill_run(cluster, args, report)
    finally:
        cluster.stop()
        if passed:
            subprocess.run(["rm", "-rf", work])
        else:
            print(f"(logs kept in {work})", file=sys.stderr)
    print(f"\n## SPOT on several nodes: {args.nodes} nodes behind haproxy on one PostgreSQL, demo scale {args.scale}")
    print("\n".join(report))
    if args.check and not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
