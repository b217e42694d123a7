#!/usr/bin/env python3
"""Time to start the kbsr-csharp kernel and run a first trivial cell, through a real Jupyter client.

    kbsr kernel install --dir /tmp/kbsr-jupyter/kernels
    JUPYTER_PATH=/tmp/kbsr-jupyter python3 lib/KbSr.Kernel/bench/startup.py [runs]

Prints each run and the median: until the kernel answers kernel_info, until the first cell's reply
(Roslyn's first compile), and a later trivial cell.
"""
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel


def one_run():
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="kbsr-csharp", startup_timeout=120)
    try:
        ready = time.perf_counter() - t0
        reply = kc.execute_interactive("1+1", timeout=120, output_hook=lambda _: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        kc.execute_interactive("2+2", timeout=60, output_hook=lambda _: None)
        later = time.perf_counter() - t1
        return ready, first, later
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = []
    for i in range(runs):
        ready, first, later = one_run()
        results.append((ready, first, later))
        print(f"run {i + 1}: kernel ready {ready:.2f} s, start + first cell {first:.2f} s, later cell {later * 1000:.0f} ms")
    med = [statistics.median(r[j] for r in results) for j in range(3)]
    print(f"median of {runs}: kernel ready {med[0]:.2f} s, start + first cell {med[1]:.2f} s, later cell {med[2] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
