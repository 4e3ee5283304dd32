"""The floor's ideal client, as its own process: N posts over kept-alive connections, K in flight.

The bot runs as a child process on its own core; an ideal client in the benchmark's own
process would share the fake server's interpreter lock and core and look slower than it
is (the ratio would flatter the bot). So the floor runs like the bot: `python -m
bench.ideal_client` started from the project directory with the same interpreter. It
reads one JSON object on stdin:

    {"url": ..., "headers": {...}, "payload": {...}, "target_key": "channel_id",
     "targets": ["ch..", ...], "concurrency": 8}

posts `{**payload, target_key: target}` as JSON once per target with `concurrency`
requests in flight (aiohttp, one connection per slot), and prints the seconds from the
first request to the last answer on stdout. Any answer of 300 or more is an error
(exit status 1).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp


async def post_all(url: str, headers: dict[str, str], payload: dict[str, Any], target_key: str,
                   targets: list[str], concurrency: int) -> float:
    """Seconds to POST `payload` once per target with `concurrency` requests in flight."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        todo = iter(targets)

        async def worker() -> None:
            for target in todo:
                async with http.post(url, json={**payload, target_key: target}, headers=headers) as resp:
                    await resp.read()
                    if resp.status >= 300:
                        raise RuntimeError(f"the ideal client got HTTP {resp.status}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


async def in_child(url: str, headers: dict[str, str], payload: dict[str, Any], target_key: str,
                   targets: list[str], concurrency: int) -> float:
    """Run `post_all` in a child process (`python -m bench.ideal_client`); its seconds."""
    from bench.process import ROOT

    spec = json.dumps({"url": url, "headers": headers, "payload": payload, "target_key": target_key,
                       "targets": targets, "concurrency": concurrency}).encode()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.ideal_client", cwd=ROOT,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate(spec)
    if proc.returncode != 0:
        raise RuntimeError(f"the ideal client failed:\n{err.decode(errors='replace')[-2000:]}")
    return float(out.decode().strip())


def main() -> None:
    spec = json.load(sys.stdin)
    seconds = asyncio.run(post_all(spec["url"], spec["headers"], spec["payload"], spec["target_key"],
                                   spec["targets"], spec["concurrency"]))
    print(f"{seconds:.6f}")


if __name__ == "__main__":
    main()
