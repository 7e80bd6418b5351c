#!/bin/sh
# A self-signed certificate for local use of docker-compose.yml (https://localhost; the browser warns once).
# In production put your own certificate (full chain) and key in deploy/certs/ under the same names.
set -eu
cd "$(dirname "$0")"
mkdir -p certs
openssl req -x509 -newkey rsa:2048 -sha256 -days 365 -nodes \
    -keyout certs/dialoog.key -out certs/dialoog.crt \
    -subj "/CN=${1:-localhost}" \
    -addext "subjectAltName=DNS:${1:-localhost},IP:127.0.0.1"
chmod 600 certs/dialoog.key
echo "Wrote deploy/certs/dialoog.crt and deploy/certs/dialoog.key for ${1:-localhost}."
