"""Posts signed synapse requests to an axon the way bittensor's dendrite does.

bittensor's Dendrite.call sends each request with aiohttp:
session.post(url, headers=synapse.to_headers(), json=synapse.model_dump(), timeout=...).
This script does the same for the requests the Go test signed, on one ClientSession
with a single connection (so the second request reuses the first's keep-alive
connection), and prints each response as one JSON line: status, headers, body.

stdin: {"url": "...", "requests": [{"headers": {...}, "body": {...}}, ...]}
"""
import asyncio
import json
import sys

import aiohttp


async def main():
    spec = json.load(sys.stdin)
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for req in spec["requests"]:
            async with session.post(spec["url"], headers=req["headers"], json=req["body"]) as resp:
                body = await resp.text()
                print(json.dumps({
                    "status": resp.status,
                    "headers": {k: v for k, v in resp.headers.items()},
                    "body": body,
                }), flush=True)


asyncio.run(main())
