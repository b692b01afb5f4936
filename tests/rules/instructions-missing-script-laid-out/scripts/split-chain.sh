#!/bin/sh
# splits a certificate chain
exit 0
