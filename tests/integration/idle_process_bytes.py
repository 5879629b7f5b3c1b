#!/usr/bin/env python3
"""What an idle process holds, against what the runtime charges for it.

Usage: idle_process_bytes.py LUNATIC IDLE_GUEST CHARGE_BYTES TIER...

Runs `lunatic run --tier T IDLE_GUEST -- N` (N processes parked in receive, then a 3 s
sleep) for N = 0 and N = 4,000 in each tier, polls /proc/PID/status for the peak VmRSS and
VmPTE (page tables), and fails if a process holds more than CHARGE_BYTES
(Environment::kProcessBytes): (peak(N) - peak(0)) / N, page tables included.
"""
import subprocess
import sys
import time

N = 4000


def peak(lunatic, guest, tier, n):
    p = subprocess.Popen([lunatic, "run", "--tier", tier, guest, "--", str(n)],
                         stdout=subprocess.DEVNULL)
    rss = pte = 0
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        rss = max(rss, int(line.split()[1]))
                    elif line.startswith("VmPTE:"):
                        pte = max(pte, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    if p.returncode != 0:
        sys.exit(f"{tier}, {n} processes: exit {p.returncode}")
    return rss * 1024, pte * 1024


def main():
    lunatic, guest, charge = sys.argv[1], sys.argv[2], int(sys.argv[3])
    failed = False
    for tier in sys.argv[4:]:
        rss0, pte0 = peak(lunatic, guest, tier, 0)
        rss, pte = peak(lunatic, guest, tier, N)
        per_process = ((rss - rss0) + (pte - pte0)) / N
        print(f"{tier}: {(rss - rss0) / N / 1024:.2f} KiB resident + {(pte - pte0) / N / 1024:.2f}"
              f" KiB of page tables per idle process; charged {charge / 1024:.1f} KiB")
        failed = failed or per_process > charge
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
