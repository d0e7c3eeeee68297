"""A minimal Hugging Face Hub on loopback for dev checks (the Java tests have their own, FakeHub.java).

    python scripts/dev/fake_hub.py PORT REPO_DIR REPO_ID
Serves every file under REPO_DIR as REPO_ID at revision main (commit 0123...67) in the Hub's URL layout: HEAD/GET
/REPO_ID/resolve/main/PATH with X-Repo-Commit and ETag; files over 1 KB behave as LFS files (X-Linked-Etag = sha256,
302 to /cdn/SHA, Range honoured).
"""
import hashlib
import http.server
import os
import sys

COMMIT = "0123456789abcdef0123456789abcdef01234567"
port, root, repo = int(sys.argv[1]), sys.argv[2], sys.argv[3]
files = {}
for dirpath, _, names in os.walk(root):
    for n in names:
        p = os.path.join(dirpath, n)
        data = open(p, "rb").read()
        files[os.path.relpath(p, root)] = (data, hashlib.sha256(data).hexdigest())


class Hub(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def resolve(self, body):
        prefix = f"/{repo}/resolve/"
        if self.path.startswith("/cdn/"):
            sha = self.path[5:]
            data = next((d for d, s in files.values() if s == sha), None)
            start = int(self.headers.get("Range", "bytes=0-")[6:].split("-")[0])
            self.send_response(206 if start else 200)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if body:
                self.wfile.write(data[start:])
            return
        if not self.path.startswith(prefix):
            self.send_error(404)
            return
        rev, _, path = self.path[len(prefix):].partition("/")
        if path not in files or rev not in ("main", COMMIT):
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.end_headers()
            return
        data, sha = files[path]
        if len(data) > 1024:
            self.send_response(302)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("X-Linked-Etag", f'"{sha}"')
            self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("ETag", f'"{sha}"')
            self.send_header("Location", f"http://localhost:{port}/cdn/{sha}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{sha[:40]}"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

    def do_HEAD(self):
        self.resolve(False)

    def do_GET(self):
        self.resolve(True)


http.server.ThreadingHTTPServer(("127.0.0.1", port), Hub).serve_forever()
