"""An open-loop, fixed-rate HTTP client (what wrk2 does and Debian's wrk does not).

Requests are sent on a fixed schedule whatever the server's pace, and each latency is measured
from the moment the request was *due*, so a stalled server shows in the percentiles instead of
slowing the client down (no coordinated omission). One TCP connection per request, as gunicorn's
sync workers close each connection anyway.

Beside the client, a probe process sleeps 2 ms at a time and notes each wake-up that came more than
STALL_MS late: the moments this machine gave no CPU to anyone (a shared VM's host, or everything on the
box busy at once). Slow requests due at those moments are the machine's, not the server's.
"""
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

Request = tuple[str, str, dict, bytes | None]  # method, path, headers, body
SLOW_MS = 50  # requests slower than this are also counted by when they were due (to see stalls)
STALL_MS = 20  # a probe's 2 ms sleep that lasts this much longer is a stall of the machine
PROBE = """
import json, sys, time
end, late, stalls = time.monotonic() + float(sys.argv[1]), float(sys.argv[2]) / 1000, []
while (now := time.monotonic()) < end:
    time.sleep(0.002)
    if (over := time.monotonic() - now - 0.002) > late:
        stalls.append((now, over))
print(json.dumps(stalls))
"""


def start_probe(seconds: float) -> subprocess.Popen:
    """The stall probe (see above), for `seconds`; `probe_stalls` reads what it found."""
    return subprocess.Popen([sys.executable, "-c", PROBE, str(seconds), str(STALL_MS)], stdout=subprocess.PIPE,
                            text=True)


def probe_stalls(probe: subprocess.Popen, start: float) -> dict:
    """{second of the run (by half seconds): the longest stall in it, ms}: the machine's stalls."""
    found: dict[float, float] = {}
    for at, over in json.loads(probe.communicate(timeout=30)[0] or "[]"):
        key = int((at - start) * 2) / 2
        found[key] = max(found.get(key, 0), round(over * 1000, 1))
    return {str(k): v for k, v in sorted(found.items())}


async def _one(host: str, port: int, request: Request, timeout: float) -> int:
    method, path, headers, body = request
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(payload)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)  # the rest, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


async def _run(base_url: str, make_request: Callable[[int], Request], rate: float, duration: float,
               timeout: float, max_inflight: int) -> dict:
    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port or 80
    total = int(rate * duration)
    latencies: list[float] = []
    statuses: Counter = Counter()
    inflight = asyncio.Semaphore(max_inflight)
    loop = asyncio.get_running_loop()
    probe = start_probe(duration + 1)
    await asyncio.sleep(0.1)  # the probe's interpreter starts
    start = loop.time() + 0.05  # loop.time() is time.monotonic(), as the probe's clock
    dropped = 0
    slow: Counter = Counter()  # requests over SLOW_MS by the half second they were due in

    async def fire(i: int, due: float) -> None:
        try:
            status = await _one(host, port, make_request(i), timeout)
        except (OSError, asyncio.TimeoutError, IndexError, ValueError):
            status = 0
        finally:
            inflight.release()
        latency = (loop.time() - due) * 1000
        latencies.append(latency)
        statuses[status] += 1
        if latency > SLOW_MS:
            slow[int((due - start) * 2) / 2] += 1

    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if inflight.locked():
            dropped += 1  # the server is this far behind: count it, don't pile up
            statuses["dropped"] += 1
            continue
        await inflight.acquire()
        tasks.append(asyncio.ensure_future(fire(i, due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    stalls = probe_stalls(probe, start)
    latencies.sort()
    if not latencies:
        return {"rate": rate, "sent": 0, "errors": total}

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    ok = sum(n for s, n in statuses.items() if isinstance(s, int) and 200 <= s < 300)
    return {"rate": rate, "sent": len(latencies), "achieved_rps": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": round(latencies[-1], 2),
            "mean_ms": round(statistics.fmean(latencies), 2), "ok": ok,
            "errors": len(latencies) - ok + dropped, "statuses": {str(k): v for k, v in statuses.items()},
            f"over_{SLOW_MS}ms_at_s": {str(k): v for k, v in sorted(slow.items())},
            f"machine_stalls_over_{STALL_MS}ms_at_s": stalls,
            # Slow requests due in a half second with a stall of the machine, or in the one after it (the backlog).
            "slow_after_machine_stall": sum(n for at, n in slow.items()
                                            if str(at) in stalls or str(at - 0.5) in stalls)}


def fixed_rate(base_url: str, make_request: Callable[[int], Request], rate: float = 300, duration: float = 5,
               timeout: float = 10, max_inflight: int = 256) -> dict:
    """Send `rate` requests a second for `duration` seconds; latency percentiles in ms.

    The client's own garbage collector is off while it sends: in the bench's process (the app and its data
    loaded, some 10⁶ objects) a full collection stops the client for 50–90 ms, and every request due
    meanwhile would count as the server's slow one (the stall probe, another process, saw none of them)."""
    gc.collect()
    gc.disable()
    try:
        return asyncio.run(_run(base_url, make_request, rate, duration, timeout, max_inflight))
    finally:
        gc.enable()


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="e.g. http://127.0.0.1:8000/api/v1/health")
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--token")
    args = parser.parse_args()
    split = urlsplit(args.url)
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    path = split.path + (f"?{split.query}" if split.query else "")
    print(json.dumps(fixed_rate(f"{split.scheme}://{split.netloc}", lambda i: ("GET", path, headers, None),
                                args.rate, args.duration)))
