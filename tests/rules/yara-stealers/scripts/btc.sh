#!/bin/sh
# ruleid: crypto-wallet-store
cp ~/.bitcoin/wallet.dat /tmp/w
