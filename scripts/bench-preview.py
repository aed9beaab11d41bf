#!/usr/bin/env python3
"""Save-to-served latency of `zongjie preview`: edits the 丽水 report in a temp
folder EDITS times, alternating an editor's write-rename save (temp file
written, closed, renamed over the data file) and an in-place write, and
measures from the save to the reload event on /__events and to the new page
served on /. Prints each edit and the medians.

usage: scripts/bench-preview.py [ZONGJIE] [EDITS]   (default target/release/zongjie, 12)

EDIT=new-characters (default) puts characters the report does not have into
each save (every save needs new web-font subsets); EDIT=figure changes one
figure's digits, the commonest edit (the page's characters stay the same)."""
import os, re, shutil, socket, statistics, subprocess, sys, tempfile, time

zongjie = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/zongjie")
edits = int(sys.argv[2]) if len(sys.argv) > 2 else 12
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
tmp = tempfile.mkdtemp(prefix="zongjie-bench-preview-")
data = os.path.join(tmp, "report.yaml")
shutil.copy(os.path.join(root, "data", "lishui-2022.yaml"), data)
original = open(data, encoding="utf-8").read()
proc = subprocess.Popen([zongjie, "preview", data, "--port", "0"], cwd=tmp,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
try:
    port = None
    for line in proc.stderr:
        m = re.search(r" at http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("the preview did not start")
    host = f"127.0.0.1:{port}"

    def get(path):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        return b"".join(chunks).decode("utf-8", "replace")

    events = socket.create_connection(("127.0.0.1", port), timeout=10)
    events.sendall(f"GET /__events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    buf = b""

    def next_generation():
        global buf
        while True:
            m = re.search(rb"event: build\ndata: (\d+)\n\n", buf)
            if m:
                buf = buf[m.end():]
                return int(m.group(1))
            b = events.recv(4096)
            if not b:
                sys.exit("the event stream closed")
            buf += b

    generation = next_generation()
    to_event, to_page = [], []
    for i in range(1, edits + 1):
        if os.environ.get("EDIT", "new-characters") == "figure":
            marker = f"91.{10 + i}%"
            text = original.replace("91.59%", marker, 1)
            assert text != original, "the figure to edit is not in the report"
        else:
            marker = f"测量保存{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉'[i % 20]}{'一二三四五六七八九十'[i % 10]}号"
            text = original.replace("奋力交出卫生健康改革发展", f"{marker}奋力交出卫生健康改革发展", 1)
        time.sleep(0.4)  # the editor's user types between saves
        t0 = time.perf_counter()
        if i % 2:
            temp = os.path.join(tmp, ".report.yaml.swp")
            with open(temp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(temp, data)
        else:
            with open(data, "w", encoding="utf-8") as f:
                f.write(text)
        while True:
            g = next_generation()
            if g > generation:
                generation = g
                break
        t1 = time.perf_counter()
        page = get("/")
        t2 = time.perf_counter()
        if marker not in page:
            sys.exit(f"edit {i}: the page served is not the saved one")
        to_event.append((t1 - t0) * 1000)
        to_page.append((t2 - t0) * 1000)
        style = "write-rename" if i % 2 else "in place"
        print(f"edit {i:2} ({style:12}): reload event {to_event[-1]:6.1f} ms, page served {to_page[-1]:6.1f} ms")
    print(f"median over {edits} saves: reload event {statistics.median(to_event):.1f} ms, "
          f"new page served {statistics.median(to_page):.1f} ms (max {max(to_page):.1f} ms)")
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
