#!/usr/bin/env python3
"""Pages a running lunatic touches (reads or writes) over a time window, per kind of mapping
(docs/benchmarks.md, "The ring's pages per process"): run a long ring, e.g.

    lunatic run --tier baseline --threads 2 bench_messages.wasm -- ring 10000 3000 &
    touched_pages.py $! --window 1

Clears the accessed bits of the process's page tables (/proc/PID/clear_refs: the process's
owner may write it) and after the window sums smaps'
"Referenced" per mapping. Divided by the ring's size, it is the pages each process touches per
turn. Mappings of 1 GiB or more are listed one by one: the stack pool's chunks (1 GiB each,
64 stacks of 16 MiB) merge into mappings of many GiB when adjacent; the memory pool's
reservations (64 slots each, at least 1 GiB) stay apart.
"""
import argparse
import collections
import re
import time

MAPPING = re.compile(r"([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)")


def kind(start, size, name):
    if name:
        return name
    if size >= 1 << 30:  # each pool mapping on its own line: the reader tells them apart
        return f"anonymous {size >> 30} GiB at {start:x}"
    return "anonymous, < 1 GiB (host heap)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pid", type=int)
    ap.add_argument("--window", type=float, default=1.0, help="seconds")
    args = ap.parse_args()
    with open(f"/proc/{args.pid}/clear_refs", "w") as f:
        f.write("1")
    time.sleep(args.window)
    pages = collections.Counter()
    current = None
    for line in open(f"/proc/{args.pid}/smaps"):
        m = MAPPING.match(line)
        if m:
            current = kind(int(m[1], 16), int(m[2], 16) - int(m[1], 16), m[3])
        elif line.startswith("Referenced:") and current is not None:
            pages[current] += int(line.split()[1]) // 4
    for name, n in pages.most_common(12):
        print(f"{n:10d} pages  {name}")
    print(f"{sum(pages.values()):10d} pages  in all")


if __name__ == "__main__":
    main()
