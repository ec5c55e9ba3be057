#!/usr/bin/env bash
# Generates the test PKI used by the tests, the interop scripts and `tlsm demo`:
# a root CA, an intermediate CA, server leaves for every key type tlsm signs with, and a
# client leaf. The output is committed under tests/data/pki so runs are reproducible;
# re-run this script only to refresh it (valid for 100 years from the day it is run;
# tests pin their clock inside that window). Refreshing the committed PKI also refreshes
# its embedded copies (scripts/embed-test-pki.sh).
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
out=${1:-$scripts/../tests/data/pki}
mkdir -p "$out"
cd "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

days=36500

cat >"$tmp/ca.ext" <<X
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
cat >"$tmp/server.ext" <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:server.tlsm.test,IP:127.0.0.1,IP:::1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
sed 's/^extendedKeyUsage=.*/extendedKeyUsage=serverAuth,clientAuth/' "$tmp/server.ext" \
  >"$tmp/both.ext"
# The RSA server also does TLS 1.2 RSA key transport, which needs keyEncipherment
# (RFC 5280 s.4.2.1.3; tlsm checks it, issue 16).
sed 's/^keyUsage=.*/keyUsage=critical,digitalSignature,keyEncipherment/' "$tmp/server.ext" \
  >"$tmp/rsa.ext"
cat >"$tmp/client.ext" <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:client.tlsm.test
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X

sign() { # name subject issuer ext
  openssl req -new -key "$1.key" -subj "$2" -out "$tmp/$1.csr"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$3.crt" -CAkey "$3.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days $days -sha256 -extfile "$tmp/$4.ext" -out "$1.crt"
}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
openssl req -x509 -new -key ca.key -subj "/CN=tlsm test root CA" -days $days -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out intermediate.key
sign intermediate "/CN=tlsm test intermediate CA" ca ca

openssl genpkey -algorithm ED25519 -out server-ed25519.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server-p256.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out server-p384.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server-rsa.key
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out server-rsapss.key
# An RSA-PSS key whose parameters restrict it to SHA-384 (RFC 4055 s.1.2), certified for
# both roles: the handshake tests hold servers and clients to rsa_pss_pss_sha384 with it.
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha384 \
  -pkeyopt rsa_pss_keygen_mgf1_md:sha384 -pkeyopt rsa_pss_keygen_saltlen:48 -out server-rsapss384.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.key
for k in ed25519 p256 p384 rsa rsapss; do
  sign server-$k "/CN=server.tlsm.test" intermediate "$([ $k = rsa ] && echo rsa || echo server)"
  cat server-$k.crt intermediate.crt > server-$k.chain.pem
done
sign server-rsapss384 "/CN=server.tlsm.test" intermediate both
cat server-rsapss384.crt intermediate.crt > server-rsapss384.chain.pem
sign client "/CN=client.tlsm.test" intermediate client
cat client.crt intermediate.crt > client.chain.pem
rm -f ./*.srl
echo "test PKI written to $(pwd)"
if [ "$(pwd -P)" = "$(cd "$scripts/../tests/data/pki" && pwd -P)" ]; then
  "$scripts/embed-test-pki.sh"
fi
