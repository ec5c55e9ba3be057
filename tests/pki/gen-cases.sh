#!/usr/bin/env bash
# Generates the certificate cases for tests/unit/test_pki.c into the directory given as
# $1 (the test calls it once per run, into a fresh temporary directory). Every certificate
# is issued by `openssl ca` with fixed dates, so the test validates at a pinned time:
# everything "good" is valid from 2025-01-01 to 2045-01-01 and the test uses 2030-01-01.
#
# Layout: <name>.key / <name>.crt per certificate, <case>.chain.pem with the leaf first and
# then whatever the peer would send (sometimes out of order, sometimes with extras).
set -euo pipefail
out=${1:?usage: gen-cases.sh OUTDIR}
mkdir -p "$out"
cd "$out"
ca_dir=$(mktemp -d)
trap 'rm -rf "$ca_dir"' EXIT
mkdir "$ca_dir/new"
: >"$ca_dir/index.txt"
echo 1000 >"$ca_dir/serial"
cat >"$ca_dir/ca.cnf" <<X
[ ca ]
default_ca = ca_default
[ ca_default ]
database = $ca_dir/index.txt
new_certs_dir = $ca_dir/new
serial = $ca_dir/serial
policy = policy_any
unique_subject = no
copy_extensions = none
default_md = default
[ policy_any ]
commonName = supplied
X

ext() { # name, then extension lines
  local name=$1; shift
  printf '%s\n' "$@" >"$ca_dir/$name.ext"
}
ext ca 'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign' \
  'subjectKeyIdentifier=hash'
ext ca_pl0 'basicConstraints=critical,CA:TRUE,pathlen:0' 'keyUsage=critical,keyCertSign,cRLSign'
ext ca_noca 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,keyCertSign,cRLSign'
ext ca_nokcs 'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,digitalSignature'
ext server 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
  'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:good.test,DNS:Mixed.Case.Test'
ext client 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
  'extendedKeyUsage=clientAuth' 'subjectAltName=DNS:good.test'
ext anyeku 'extendedKeyUsage=anyExtendedKeyUsage,emailProtection' 'subjectAltName=DNS:good.test'
ext ku_ke 'keyUsage=critical,keyEncipherment' 'subjectAltName=DNS:good.test'
ext wild 'subjectAltName=DNS:*.wild.test,DNS:f*.partial.test,DNS:*.test,DNS:a.*.inner.test'
ext ip 'subjectAltName=IP:192.0.2.1,IP:2001:db8::1,DNS:192.0.2.2'
ext crit 'subjectAltName=DNS:good.test' '1.3.6.1.4.1.55555.1=critical,ASN1:NULL'
ext noncrit 'subjectAltName=DNS:good.test' '1.3.6.1.4.1.55555.1=ASN1:NULL'

good_from=20250101000000Z good_to=20450101000000Z

key() { # name algorithm-options...
  local name=$1; shift
  openssl genpkey "$@" -out "$name.key" 2>/dev/null
}
ec256() { key "$1" -algorithm EC -pkeyopt ec_paramgen_curve:P-256; }

# issue name issuer(-|self) profile [from to] [extra openssl ca options...]
issue() {
  local name=$1 issuer=$2 profile=$3 from=${4:-$good_from} to=${5:-$good_to}
  shift 3; [ $# -ge 2 ] && shift 2 || set --
  openssl req -new -key "$name.key" -subj "/CN=$name" -out "$ca_dir/$name.csr"
  local signer=(-cert "$issuer.crt" -keyfile "$issuer.key")
  [ "$issuer" = self ] && signer=(-selfsign -keyfile "$name.key")
  openssl ca -batch -notext -config "$ca_dir/ca.cnf" -in "$ca_dir/$name.csr" "${signer[@]}" \
    -startdate "$from" -enddate "$to" -extfile "$ca_dir/$profile.ext" -out "$name.crt" "$@" \
    2>/dev/null
}
chain() { # case-name certs...
  local name=$1; shift
  for c in "$@"; do cat "$c.crt"; done >"$name.chain.pem"
}

# Roots and the main intermediate (ECDSA P-256, SHA-256).
ec256 rootA; issue rootA self ca
ec256 rootB; issue rootB self ca
ec256 intA; issue intA rootA ca

# Good leaves for each key type under intA, and intermediates for each signature family.
key leaf-ed25519 -algorithm ED25519; issue leaf-ed25519 intA server
ec256 leaf-p256; issue leaf-p256 intA server
key leaf-p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384; issue leaf-p384 intA server
key leaf-rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048; issue leaf-rsa intA server
key leaf-rsapss -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048; issue leaf-rsapss intA server
for k in ed25519 p256 p384 rsa rsapss; do chain good-$k leaf-$k intA; done

key intRSA -algorithm RSA -pkeyopt rsa_keygen_bits:2048; issue intRSA rootA ca
ec256 leaf-by-rsa; issue leaf-by-rsa intRSA server "" "" -md sha384
chain sig-rsa-pkcs1 leaf-by-rsa intRSA
ec256 leaf-by-pss; issue leaf-by-pss intRSA server "" "" -md sha256 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256
chain sig-rsa-pss leaf-by-pss intRSA
key intPSS -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 \
  -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32
issue intPSS rootA ca
ec256 leaf-by-psskey; issue leaf-by-psskey intPSS server "" "" -md sha256 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
chain sig-pss-key leaf-by-psskey intPSS
key intED -algorithm ED25519; issue intED rootA ca
ec256 leaf-by-ed; issue leaf-by-ed intED server
chain sig-ed25519 leaf-by-ed intED
key intP384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384; issue intP384 rootA ca "" "" -md sha384
ec256 leaf-by-p384; issue leaf-by-p384 intP384 server "" "" -md sha512
chain sig-ecdsa-p384 leaf-by-p384 intP384

# Validity.
ec256 leaf-expired; issue leaf-expired intA server 20200101000000Z 20241231235959Z
chain expired leaf-expired intA
ec256 leaf-future; issue leaf-future intA server 20400101000000Z 20440101000000Z
chain notyet leaf-future intA
ec256 intA-expired; issue intA-expired rootA ca 20200101000000Z 20241231235959Z
ec256 leaf-under-expired; issue leaf-under-expired intA-expired server
chain int-expired leaf-under-expired intA-expired
ec256 leaf-2060; issue leaf-2060 intA server 20250101000000Z 20600101000000Z
chain gentime leaf-2060 intA

# Names.
ec256 leaf-wild; issue leaf-wild intA wild; chain wild leaf-wild intA
ec256 leaf-ip; issue leaf-ip intA ip; chain ip leaf-ip intA

# CA and usage constraints.
ec256 intNoCA; issue intNoCA rootA ca_noca
ec256 leaf-noca; issue leaf-noca intNoCA server; chain noca leaf-noca intNoCA
ec256 intNoKCS; issue intNoKCS rootA ca_nokcs
ec256 leaf-nokcs; issue leaf-nokcs intNoKCS server; chain nokcs leaf-nokcs intNoKCS
ec256 intPL0; issue intPL0 rootA ca_pl0
ec256 intSub; issue intSub intPL0 ca
ec256 leaf-pathlen; issue leaf-pathlen intSub server; chain pathlen leaf-pathlen intSub intPL0
ec256 leaf-pl0ok; issue leaf-pl0ok intPL0 server; chain pathlen-ok leaf-pl0ok intPL0
ec256 leaf-client; issue leaf-client intA client; chain eku-client leaf-client intA
ec256 leaf-anyeku; issue leaf-anyeku intA anyeku; chain eku-any leaf-anyeku intA
ec256 leaf-kuke; issue leaf-kuke intA ku_ke; chain ku-nods leaf-kuke intA
ec256 leaf-crit; issue leaf-crit intA crit; chain critical leaf-crit intA
ec256 leaf-noncrit; issue leaf-noncrit intA noncrit; chain noncritical leaf-noncrit intA

# Weak and unsupported algorithms.
key leaf-rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024; issue leaf-rsa1024 intA server
chain weak leaf-rsa1024 intA
ec256 leaf-sha1; issue leaf-sha1 intRSA server "" "" -md sha1; chain sha1 leaf-sha1 intRSA

# Path building: a three-level path sent out of order with unrelated extras.
ec256 intA2; issue intA2 intA ca
ec256 leaf-deep; issue leaf-deep intA2 server
chain out-of-order leaf-deep intRSA intA rootB intA2

# Cross-signing: intX's key certified by rootA (one expired, one valid) and by rootB.
ec256 intX
issue intX rootA ca 20200101000000Z 20241231235959Z; mv intX.crt intX-byA-expired.crt
issue intX rootB ca; mv intX.crt intX-byB.crt; cp intX.key intX-byB.key
ec256 leaf-cross; issue leaf-cross intX-byB server
chain cross leaf-cross intX-byA-expired intX-byB

# A loop: L1 and L2 certify each other, with no anchor above them.
ec256 loopL2; ec256 loopL1
issue loopL2 self ca
issue loopL1 loopL2 ca
issue loopL2 loopL1 ca
ec256 leaf-loop; issue leaf-loop loopL1 server
chain loop leaf-loop loopL1 loopL2

# Private key encodings besides PKCS#8: SEC1 and PKCS#1 ("traditional" forms).
openssl ec -in leaf-p256.key -out leaf-p256.sec1.key 2>/dev/null
openssl pkey -in leaf-p384.key -traditional -out leaf-p384.sec1.key
openssl rsa -in leaf-rsa.key -traditional -out leaf-rsa.pkcs1.key 2>/dev/null
for f in *.crt; do openssl x509 -in "$f" -outform DER -out "${f%.crt}.der"; done
echo "cases written to $(pwd)"
