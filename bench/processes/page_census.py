#!/usr/bin/env python3
"""Which pages a running lunatic holds resident: per anonymous mapping, and for the memory
pool's reservations, which 4 KiB pages of each linear-memory slot (docs/benchmarks.md, "Where
the memory of an idle process goes").

    page_census.py PID [--slot-kib 128]

Reads /proc/PID/maps and /proc/PID/pagemap (the "present" bit needs no privileges). A pool
reservation is a read-write anonymous mapping of at least 1 GiB aligned to the slot size
(engine/memory_pool.cpp); the others are the host heap (glibc's main heap and its per-thread
arenas). --slot-kib is the slot size of the guest's memory (its initial size rounded up to a
power of two, at least 64 KiB).
"""
import argparse
import collections
import re
import struct

PAGE = 4096


def mappings(pid):
    for line in open(f"/proc/{pid}/maps"):
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)", line)
        yield int(m[1], 16), int(m[2], 16), m[3], m[5]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pid", type=int)
    ap.add_argument("--slot-kib", type=int, default=128)
    args = ap.parse_args()
    slot = args.slot_kib * 1024
    pagemap = open(f"/proc/{args.pid}/pagemap", "rb")

    def present(a, b):
        pagemap.seek(a // PAGE * 8)
        data = pagemap.read((b - a) // PAGE * 8)
        return [(v >> 63) & 1 for (v,) in struct.iter_unpack("<Q", data)]

    totals = collections.Counter()
    for a, b, perm, name in mappings(args.pid):
        if not perm.startswith("rw") or name not in ("", "[heap]") or b - a > (1 << 40):
            continue
        p = present(a, b)
        kind = "pool" if b - a >= (1 << 30) and a % slot == 0 else "heap"
        totals[kind] += sum(p) * 4
        if sum(p) < 16:
            continue
        print(f"{kind} {a:x}-{b:x} {(b - a) >> 20} MiB: {sum(p) * 4} KiB resident {name}")
        if kind == "pool":
            per = slot // PAGE
            slots = pages = 0
            by_index = collections.Counter()
            for s in range(0, len(p), per):
                touched = [i for i, x in enumerate(p[s:s + per]) if x]
                if touched:
                    slots += 1
                    pages += len(touched)
                    by_index.update(touched)
            print(f"  {slots} slots in use, {pages / slots:.2f} pages each; slots holding page i: "
                  + " ".join(f"{i}:{c}" for i, c in sorted(by_index.items())))
    print(f"resident anonymous memory: pool {totals['pool']} KiB, host heap {totals['heap']} KiB")


if __name__ == "__main__":
    main()
