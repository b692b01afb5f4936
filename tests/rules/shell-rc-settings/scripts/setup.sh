#!/bin/sh
# a script that writes the profile persists, whatever it writes
# ruleid: shell-persistence
echo 'export DEMO_API_KEY="your_api_key"' >> ~/.bashrc
