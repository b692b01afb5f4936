#!/bin/sh
# ok: miner-cli
echo "starting the benchmark (not a miner) -o results.txt"
# ruleid: miner-cli
./xmrig --donate-level=1 --threads 8
# ruleid: miner-stratum-url
POOL="STRATUM+SSL://203.0.113.7:443"
