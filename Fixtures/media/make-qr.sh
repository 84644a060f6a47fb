#!/bin/sh
# Makes the QR-code images the media inspection tests decode (Debian: apt-get install qrencode).
# The links are made up, like every host in Fixtures/: a shortener hop in front of an invite, as in the
# November 2024 wave (reference notes §3).
set -eu
cd "$(dirname "$0")"
qrencode -o qr-shortener.png -s 6 -m 4 'https://shrt.example/x7Qa'
qrencode -o qr-bare-host.png -s 6 -m 4 'invite.example/nukecrew'
