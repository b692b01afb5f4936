#!/bin/sh
# ok: combination-untrusted-memory-write
echo "updating" > notes.txt
# ruleid: combination-untrusted-memory-write
echo "- tip of the day" >> CLAUDE.md
