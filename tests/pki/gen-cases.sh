#!/usr/bin/env bash
# Generates the certificate corpus for tests/unit/test_pki.c and test_pki_corpus.c into the
# directory given as $1 (each test binary calls it once per run, into a fresh temporary
# directory). Every certificate is issued by `openssl ca` with fixed dates, so the tests
# validate at a pinned time: everything "good" is valid from 2025-01-01 to 2045-01-01 and
# the tests use 2030-01-01 (1893456000). Certificates whose bytes `openssl ca` cannot
# produce (non-DER encodings, bad serials and times) are built by editing the DER of a
# good certificate and signing the edited tbsCertificate again with the issuer's key, so
# that only the edit can explain a rejection.
#
# Layout: <name>.key / <name>.crt (+ .der) per certificate, <case>.chain.pem with the leaf
# first and then whatever the peer would send (sometimes out of order, with extras), and
# cases.txt, the manifest test_pki_corpus.c runs, one verification per line:
#
#   name chain anchors host purpose expect openssl [options]
#
#   chain     <chain>.chain.pem; anchors: comma-separated .crt files; host: "-" for none
#   purpose   server | client
#   expect    OK, or the TLSM_ERR_CERT_ suffix (EXPIRED, NAME_CONSTRAINT, ...), with
#             "@i" for the index of the certificate at fault (the first that fails to
#             parse, or pki_verify_chain's bad_index; the number of certificates = anchor)
#   openssl   what `openssl verify -x509_strict -partial_chain -auth_level 2 -purpose ssl...`
#             says: "same" (the same verdict as ours), or "accept"/"reject" where the
#             policies differ (the reason is the comment above the line), "-" not compared
#   options   at=<unix time> (default 2030-01-01), rsa=<min RSA bits>, depth=<max path>
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
emailAddress = optional
[ policy_empty ]
commonName = optional
X
: >cases.txt

# ext name lines...: an extension profile; key identifiers are added as RFC 5280 s.4.2.1.1
# and s.4.2.1.2 ask (and OpenSSL's -x509_strict checks), unless the profile is ext_bare.
ext() {
  local name=$1; shift
  printf '%s\n' "$@" 'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' \
    >"$ca_dir/$name.ext"
}
ext_bare() {
  local name=$1; shift
  printf '%s\n' "$@" >"$ca_dir/$name.ext"
}
CA_BC='basicConstraints=critical,CA:TRUE'
CA_KU='keyUsage=critical,keyCertSign,cRLSign'
SRV='basicConstraints=critical,CA:FALSE'
DS='keyUsage=critical,digitalSignature'
ext ca "$CA_BC" "$CA_KU"
ext ca_pl0 'basicConstraints=critical,CA:TRUE,pathlen:0' "$CA_KU"
ext ca_pl1 'basicConstraints=critical,CA:TRUE,pathlen:1' "$CA_KU"
ext ca_noca 'basicConstraints=critical,CA:FALSE' "$DS"
ext ca_nobc "$CA_KU"
ext ca_nokcs "$CA_BC" "$DS"
ext ca_noku "$CA_BC"
ext ca_bc_noncrit 'basicConstraints=CA:TRUE' "$CA_KU"
ext ca_eku_client "$CA_BC" "$CA_KU" 'extendedKeyUsage=clientAuth'
ext ca_eku_server "$CA_BC" "$CA_KU" 'extendedKeyUsage=serverAuth'
ext ca_eku_both "$CA_BC" "$CA_KU" 'extendedKeyUsage=serverAuth,clientAuth'
ext ca_crit "$CA_BC" "$CA_KU" '1.3.6.1.4.1.55555.1=critical,ASN1:NULL'
ext server "$SRV" "$DS" 'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:good.test,DNS:Mixed.Case.Test'
ext_bare server_nokid "$SRV" "$DS" 'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:good.test'
ext client "$SRV" "$DS" 'extendedKeyUsage=clientAuth' 'subjectAltName=DNS:good.test'
ext both "$SRV" "$DS" 'extendedKeyUsage=serverAuth,clientAuth' 'subjectAltName=DNS:good.test'
ext plain 'subjectAltName=DNS:good.test'
ext anyeku 'extendedKeyUsage=anyExtendedKeyUsage,emailProtection' 'subjectAltName=DNS:good.test'
ext emaileku 'extendedKeyUsage=emailProtection' 'subjectAltName=DNS:good.test'
ext ku_ke 'keyUsage=critical,keyEncipherment' 'subjectAltName=DNS:good.test'
ext ku_ka 'keyUsage=critical,keyAgreement' 'subjectAltName=DNS:good.test'
ext ku_kcs "$SRV" 'keyUsage=critical,digitalSignature,keyCertSign' 'subjectAltName=DNS:good.test'
ext leaf_ca "$CA_BC" 'keyUsage=critical,digitalSignature,keyCertSign' 'subjectAltName=DNS:good.test'
ext wild 'subjectAltName=DNS:*.wild.test,DNS:f*.partial.test,DNS:*.test,DNS:a.*.inner.test,DNS:*.xn--bcher-kva.test'
ext ip 'subjectAltName=IP:192.0.2.1,IP:2001:db8::1,DNS:192.0.2.2'
ext ipv4only 'subjectAltName=IP:198.51.100.7'
ext nosan "$SRV" "$DS" 'extendedKeyUsage=serverAuth'
ext crit 'subjectAltName=DNS:good.test' '1.3.6.1.4.1.55555.1=critical,ASN1:NULL'
ext noncrit 'subjectAltName=DNS:good.test' '1.3.6.1.4.1.55555.1=ASN1:NULL'
ext crit_policy 'subjectAltName=DNS:good.test' 'certificatePolicies=critical,2.23.140.1.2.1'
ext_bare crit_aki 'subjectAltName=DNS:good.test' 'subjectKeyIdentifier=hash' \
  'authorityKeyIdentifier=critical,keyid'
# Name constraints (RFC 5280 s.4.2.1.10), critical as the RFC requires of CAs.
ext nc_dns "$CA_BC" "$CA_KU" \
  'nameConstraints=critical,permitted;DNS:permitted.test,excluded;DNS:bad.permitted.test'
ext nc_dot "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;DNS:.dot.test'
ext nc_excl "$CA_BC" "$CA_KU" 'nameConstraints=critical,excluded;DNS:evil.test'
ext nc_ip "$CA_BC" "$CA_KU" \
  'nameConstraints=critical,permitted;IP:192.0.2.0/255.255.255.0,permitted;IP:2001:db8::/ffff:ffff::,excluded;IP:192.0.2.128/255.255.255.128'
ext nc_ip6 "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;IP:2001:db8::/ffff:ffff::'
ext nc_email "$CA_BC" "$CA_KU" \
  'nameConstraints=critical,permitted;email:example.test,permitted;email:.mail.test,excluded;email:boss@example.test'
ext nc_dir "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;dirName:nc_dir_sect'
ext nc_uri "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;URI:.example.test'
ext nc_uri_noncrit "$CA_BC" "$CA_KU" 'nameConstraints=permitted;URI:.example.test,permitted;DNS:permitted.test'
ext nc_badmask "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;IP:192.0.2.0/255.0.255.0'
ext nc_other "$CA_BC" "$CA_KU" 'nameConstraints=critical,excluded;otherName:1.3.6.1.4.1.55555.2;UTF8:x'
ext nc_dns_bad "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;DNS:permitted..test'
ext nc_dns_trail "$CA_BC" "$CA_KU" 'nameConstraints=critical,permitted;DNS:permitted.test.'
printf '[nc_dir_sect]\nCN=nc-dir-leaf\n' >>"$ca_dir/nc_dir.ext"
san() { # profile-name SAN-value: a server leaf profile with that subjectAltName
  ext "$1" "$SRV" "$DS" 'extendedKeyUsage=serverAuth' "subjectAltName=$2"
}
san s_permitted 'DNS:permitted.test'
san s_www_permitted 'DNS:www.permitted.test'
san s_bad_permitted 'DNS:bad.permitted.test'
san s_deep_bad 'DNS:x.bad.permitted.test'
san s_other 'DNS:other.test'
san s_suffix_trick 'DNS:xpermitted.test'
san s_mixed 'DNS:permitted.test,DNS:other.test'
san s_wild_permitted 'DNS:*.permitted.test'
san s_wild_bad 'DNS:*.bad.permitted.test'
san s_upper 'DNS:WWW.PERMITTED.TEST'
san s_ip_free 'DNS:permitted.test,IP:203.0.113.9'
san s_sub_dot 'DNS:a.dot.test'
san s_dot 'DNS:dot.test'
san s_evil 'DNS:evil.test'
san s_sub_evil 'DNS:www.evil.test'
san s_notevil 'DNS:notevil.test'
san s_ip_ok 'IP:192.0.2.5'
san s_ip_excl 'IP:192.0.2.200'
san s_ip_out 'IP:198.51.100.1'
san s_ip6_ok 'IP:2001:db8::5'
san s_ip6_out 'IP:2001:db9::1'
san s_ip_dns 'DNS:good.test'
san s_mail_ok 'email:alice@example.test,DNS:good.test'
san s_mail_boss 'email:boss@example.test,DNS:good.test'
san s_mail_sub 'email:x@sub.mail.test,DNS:good.test'
san s_mail_apex 'email:x@mail.test,DNS:good.test'
san s_mail_other 'email:x@other.test,DNS:good.test'
san s_uri 'URI:https://www.example.test/,DNS:permitted.test'
san s_othername 'otherName:1.3.6.1.4.1.55555.2;UTF8:x,DNS:good.test'
# dNSName syntax (RFC 5280 s.4.2.1.6 preferred name syntax, tlsm's rules in pki/dnsname.c)
san s_lead_dot 'DNS:.permitted.test'
san s_empty_label 'DNS:www..permitted.test'
san s_trail_dot 'DNS:www.permitted.test.'
san s_hyphen_edge 'DNS:-www.permitted.test'
san s_underscore 'DNS:_srv.permitted.test'
san s_lead_dot_evil 'DNS:.evil.test'
san s_bad_and_good 'DNS:.good.test,DNS:good.test'
san s_good_trail_dot 'DNS:good.test.'
# Empty subjects (s.4.1.2.6): the subjectAltName must then be critical.
ext e_san_crit "$SRV" "$DS" 'extendedKeyUsage=serverAuth' 'subjectAltName=critical,DNS:good.test'
ext e_san_noncrit "$SRV" "$DS" 'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:good.test'
ext e_nosan "$SRV" "$DS" 'extendedKeyUsage=serverAuth'
ext leaf_nc "$SRV" "$DS" 'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:good.test' \
  'nameConstraints=critical,permitted;DNS:good.test'
ext ca_nc_child_bad "$CA_BC" "$CA_KU" 'subjectAltName=DNS:x.other.test'

good_from=20250101000000Z good_to=20450101000000Z

key() { # name algorithm-options...
  local name=$1; shift
  openssl genpkey "$@" -out "$name.key" 2>/dev/null
}
ec256() { key "$1" -algorithm EC -pkeyopt ec_paramgen_curve:P-256; }

# issue name issuer(self) profile [from to] [extra openssl ca options...]
# SUBJ overrides the subject (default /CN=name).
issue() {
  local name=$1 issuer=$2 profile=$3 from=${4:-$good_from} to=${5:-$good_to}
  shift 3; [ $# -ge 2 ] && shift 2 || set --
  openssl req -new -key "$name.key" -subj "${SUBJ:-/CN=$name}" -out "$ca_dir/$name.csr"
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
n_cases=0
case_() { # name chain anchors host purpose expect openssl [options...]
  echo "$*" >>cases.txt
  n_cases=$((n_cases + 1))
}
# srv name chain expect openssl [options]: a server-purpose case for good.test under rootA
srv() {
  local name=$1 ch=$2 exp=$3 os=$4; shift 4
  case_ "$name" "$ch" rootA.crt good.test server "$exp" "$os" "$@"
}

# ------------------------------------------------------------------ roots, main intermediate
ec256 rootA; issue rootA self ca
ec256 rootB; issue rootB self ca
ec256 intA; issue intA rootA ca

# ------------------------------------------------------------------ algorithms
key leaf-ed25519 -algorithm ED25519; issue leaf-ed25519 intA server
ec256 leaf-p256; issue leaf-p256 intA server
key leaf-p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384; issue leaf-p384 intA server
key leaf-rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048; issue leaf-rsa intA server
key leaf-rsapss -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048; issue leaf-rsapss intA server
for k in ed25519 p256 p384 rsa rsapss; do chain good-$k leaf-$k intA; done
for k in ed25519 p256 p384 rsa rsapss; do srv good-$k good-$k OK same; done

key intRSA -algorithm RSA -pkeyopt rsa_keygen_bits:2048; issue intRSA rootA ca
ec256 leaf-by-rsa; issue leaf-by-rsa intRSA server "" "" -md sha384
chain sig-rsa-pkcs1 leaf-by-rsa intRSA
ec256 leaf-by-rsa512; issue leaf-by-rsa512 intRSA server "" "" -md sha512
chain sig-rsa-sha512 leaf-by-rsa512 intRSA
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
for c in sig-rsa-pkcs1 sig-rsa-sha512 sig-rsa-pss sig-pss-key sig-ed25519 sig-ecdsa-p384; do
  srv "$c" "$c" OK same
done
# SHA-1 and MD5 signatures are refused outright (not in the accepted algorithm set).
ec256 leaf-sha1; issue leaf-sha1 intRSA server "" "" -md sha1; chain sha1 leaf-sha1 intRSA
srv sha1 sha1 UNSUPPORTED_ALG@0 same
ec256 leaf-md5; issue leaf-md5 intRSA server "" "" -md md5; chain md5 leaf-md5 intRSA
srv md5 md5 UNSUPPORTED_ALG@0 same
ec256 intSHA1; issue intSHA1 rootA ca "" "" -md sha1
ec256 leaf-under-sha1; issue leaf-under-sha1 intSHA1 server
chain int-sha1 leaf-under-sha1 intSHA1
srv int-sha1 int-sha1 UNSUPPORTED_ALG@1 same
# A SHA-1 self-signed root is still usable as an anchor: its own signature is not checked.
key rootSHA1 -algorithm RSA -pkeyopt rsa_keygen_bits:2048; issue rootSHA1 self ca "" "" -md sha1
ec256 intUnderSHA1Root; issue intUnderSHA1Root rootSHA1 ca "" "" -md sha256
ec256 leaf-sha1root; issue leaf-sha1root intUnderSHA1Root server
chain sha1-root leaf-sha1root intUnderSHA1Root
case_ sha1-root sha1-root rootSHA1.crt good.test server OK same
# RSA below 2048 bits: refused by default (OpenSSL's auth_level 2 agrees), allowed at 1024.
key leaf-rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024; issue leaf-rsa1024 intA server
chain weak leaf-rsa1024 intA
srv weak weak WEAK_KEY@0 same
srv weak-allowed weak OK same rsa=1024
key intRSA1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024; issue intRSA1024 rootA ca
ec256 leaf-under-weak; issue leaf-under-weak intRSA1024 server
chain int-weak leaf-under-weak intRSA1024
srv int-weak int-weak WEAK_KEY@1 same
key leaf-rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072; issue leaf-rsa3072 intA server
chain rsa3072 leaf-rsa3072 intA
srv rsa3072 rsa3072 OK same
# P-521 keys are not implemented; OpenSSL accepts them.
key leaf-p521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521; issue leaf-p521 intA server
chain p521 leaf-p521 intA
srv p521 p521 UNSUPPORTED_ALG@0 accept

# ------------------------------------------------------------------ validity
ec256 leaf-expired; issue leaf-expired intA server 20200101000000Z 20241231235959Z
chain expired leaf-expired intA
srv expired expired EXPIRED@0 same
ec256 leaf-future; issue leaf-future intA server 20400101000000Z 20440101000000Z
chain notyet leaf-future intA
srv notyet notyet NOT_YET_VALID@0 same
srv notyet-later notyet OK same at=2208988800
ec256 intA-expired; issue intA-expired rootA ca 20200101000000Z 20241231235959Z
ec256 leaf-under-expired; issue leaf-under-expired intA-expired server
chain int-expired leaf-under-expired intA-expired
srv int-expired int-expired EXPIRED@1 same
ec256 intA-future; issue intA-future rootA ca 20350101000000Z 20450101000000Z
ec256 leaf-under-future; issue leaf-under-future intA-future server
chain int-notyet leaf-under-future intA-future
srv int-notyet int-notyet NOT_YET_VALID@1 same
ec256 rootOld; issue rootOld self ca 20200101000000Z 20291231235959Z
ec256 leaf-under-old; issue leaf-under-old rootOld server
chain root-expired leaf-under-old
case_ root-expired root-expired rootOld.crt good.test server EXPIRED@1 same
case_ root-expired-before root-expired rootOld.crt good.test server OK same at=1861920000
ec256 leaf-2060; issue leaf-2060 intA server 20250101000000Z 20600101000000Z
chain gentime leaf-2060 intA
srv gentime gentime OK same
srv gentime-2055 gentime EXPIRED@1 same at=2682374400
# Both ends of the validity period are inclusive (RFC 5280 s.4.1.2.5); OpenSSL treats
# notAfter as already expired at that very second.
ec256 leaf-short; issue leaf-short intA server 20300101000000Z 20300102000000Z
chain short leaf-short intA
srv edge-notbefore short OK same at=1893456000
srv edge-before short NOT_YET_VALID@0 same at=1893455999
srv edge-notafter short OK reject at=1893542400
srv edge-after short EXPIRED@0 same at=1893542401

# ------------------------------------------------------------------ CA constraints
ec256 intNoCA; issue intNoCA rootA ca_noca
ec256 leaf-noca; issue leaf-noca intNoCA server; chain noca leaf-noca intNoCA
srv noca noca NOT_CA@1 same
ec256 intNoBC; issue intNoBC rootA ca_nobc
ec256 leaf-nobc; issue leaf-nobc intNoBC server; chain nobc leaf-nobc intNoBC
srv nobc nobc NOT_CA@1 same
ec256 intNoKCS; issue intNoKCS rootA ca_nokcs
ec256 leaf-nokcs; issue leaf-nokcs intNoKCS server; chain nokcs leaf-nokcs intNoKCS
srv nokcs nokcs NOT_CA@1 same
# keyUsage is a MUST for CAs (s.4.2.1.3) that only OpenSSL's strict mode enforces; like Go
# and webpki, tlsm lets a CA without keyUsage sign.
ec256 intNoKU; issue intNoKU rootA ca_noku
ec256 leaf-noku; issue leaf-noku intNoKU server; chain int-noku leaf-noku intNoKU
srv int-noku int-noku OK reject
# A CA whose basicConstraints is not critical (s.4.2.1.9: "MUST mark the extension as
# critical") may not issue; a trust anchor is trusted as configured (Debian's store holds
# roots with a non-critical one), which OpenSSL's strict mode refuses.
ec256 intBCNC; issue intBCNC rootA ca_bc_noncrit
ec256 leaf-bcnc; issue leaf-bcnc intBCNC server; chain bc-noncrit leaf-bcnc intBCNC
srv bc-noncrit bc-noncrit BC_NOT_CRITICAL@1 same
case_ bc-noncrit-anchor bc-noncrit intBCNC.crt good.test server OK reject
ec256 rootBCNC; issue rootBCNC self ca_bc_noncrit
ec256 leaf-under-bcnc-root; issue leaf-under-bcnc-root rootBCNC server
chain bc-noncrit-root leaf-under-bcnc-root
case_ bc-noncrit-root bc-noncrit-root rootBCNC.crt good.test server OK reject
ec256 intPL0; issue intPL0 rootA ca_pl0
ec256 intSub; issue intSub intPL0 ca
ec256 leaf-pathlen; issue leaf-pathlen intSub server; chain pathlen leaf-pathlen intSub intPL0
srv pathlen pathlen PATH_LEN@2 same
ec256 leaf-pl0ok; issue leaf-pl0ok intPL0 server; chain pathlen-ok leaf-pl0ok intPL0
srv pathlen-ok pathlen-ok OK same
ec256 intPL1; issue intPL1 rootA ca_pl1
ec256 intPL1a; issue intPL1a intPL1 ca
ec256 intPL1b; issue intPL1b intPL1a ca
ec256 leaf-pl1ok; issue leaf-pl1ok intPL1a server; chain pathlen1-ok leaf-pl1ok intPL1a intPL1
srv pathlen1-ok pathlen1-ok OK same
ec256 leaf-pl1bad; issue leaf-pl1bad intPL1b server
chain pathlen1-bad leaf-pl1bad intPL1b intPL1a intPL1
srv pathlen1-bad pathlen1-bad PATH_LEN@3 same
# A self-issued intermediate (same name, new key: a renewed CA) does not count (s.6.1.4(l)).
ec256 intPL0r; SUBJ=/CN=intPL0 issue intPL0r intPL0 ca
ec256 leaf-pl0r; issue leaf-pl0r intPL0r server
chain pathlen-selfissued leaf-pl0r intPL0r intPL0
srv pathlen-selfissued pathlen-selfissued OK same
# A root with pathLen 0 may only sign leaves.
ec256 rootPL0; issue rootPL0 self ca_pl0
ec256 intUnderPL0Root; issue intUnderPL0Root rootPL0 ca
ec256 leaf-under-pl0root; issue leaf-under-pl0root intUnderPL0Root server
chain root-pathlen leaf-under-pl0root intUnderPL0Root
case_ root-pathlen root-pathlen rootPL0.crt good.test server PATH_LEN@2 same
# keyCertSign without cA in a leaf (s.4.2.1.3 MUST). A CA certificate as the leaf is refused
# for TLS (pyca/cryptography agrees; OpenSSL and Go accept it), unless it is itself the
# trust anchor (a pinned self-signed certificate, as `openssl req -x509` makes them).
ec256 leaf-kcs; issue leaf-kcs intA ku_kcs; chain leaf-kcs leaf-kcs intA
srv leaf-kcs leaf-kcs USAGE@0 same
ec256 leaf-isca; issue leaf-isca intA leaf_ca; chain leaf-ca leaf-isca intA
srv leaf-ca leaf-ca LEAF_IS_CA@0 accept
case_ leaf-ca-client leaf-ca rootA.crt - client LEAF_IS_CA@0 accept
case_ leaf-ca-pinned leaf-ca leaf-isca.crt good.test server OK same
ec256 leaf-selfca; issue leaf-selfca self leaf_ca; chain leaf-selfca leaf-selfca
case_ leaf-selfca-pinned leaf-selfca leaf-selfca.crt good.test server OK same
# nameConstraints "MUST be used only in a CA certificate" (s.4.2.1.10); OpenSSL does not
# look at it in a leaf.
ec256 leaf-nc; issue leaf-nc intA leaf_nc; chain leaf-nc leaf-nc intA
srv leaf-nc leaf-nc LEAF_NAME_CONSTRAINTS@0 accept
# A version 1 certificate cannot be an intermediate (no basicConstraints, s.6.1.4(k)).
ec256 intV1
openssl req -new -key intV1.key -subj /CN=intV1 -out "$ca_dir/intV1.csr"
openssl x509 -req -in "$ca_dir/intV1.csr" -CA rootA.crt -CAkey rootA.key -set_serial 4097 \
  -not_before 20250101000000Z -not_after 20450101000000Z -out intV1.crt 2>/dev/null ||
  openssl x509 -req -in "$ca_dir/intV1.csr" -CA rootA.crt -CAkey rootA.key -set_serial 4097 \
    -days 7300 -out intV1.crt 2>/dev/null
ec256 leaf-v1int; issue leaf-v1int intV1 server_nokid; chain v1-int leaf-v1int intV1
srv v1-int v1-int NOT_CA@1 same

# ------------------------------------------------------------------ key usage, EKU, roles
ec256 leaf-client; issue leaf-client intA client; chain eku-client leaf-client intA
srv eku-client eku-client USAGE@0 same
case_ eku-client-as-client eku-client rootA.crt - client OK same
case_ server-as-client good-p256 rootA.crt - client USAGE@0 same
ec256 leaf-both; issue leaf-both intA both; chain eku-both leaf-both intA
srv eku-both eku-both OK same
case_ eku-both-client eku-both rootA.crt - client OK same
ec256 leaf-plain; issue leaf-plain intA plain; chain no-ku-eku leaf-plain intA
srv no-ku-eku no-ku-eku OK same
case_ no-ku-eku-client no-ku-eku rootA.crt - client OK same
# anyExtendedKeyUsage stands for every purpose (s.4.2.1.12); OpenSSL wants the purpose named.
ec256 leaf-anyeku; issue leaf-anyeku intA anyeku; chain eku-any leaf-anyeku intA
srv eku-any eku-any OK reject
ec256 leaf-emaileku; issue leaf-emaileku intA emaileku; chain eku-email leaf-emaileku intA
srv eku-email eku-email USAGE@0 same
# TLS 1.3 signs with the leaf key, so digitalSignature is required; OpenSSL's sslserver
# purpose also takes keyEncipherment or keyAgreement alone (TLS 1.2 RSA/static DH).
ec256 leaf-kuke; issue leaf-kuke intA ku_ke; chain ku-nods leaf-kuke intA
srv ku-nods ku-nods USAGE@0 accept
ec256 leaf-kuka; issue leaf-kuka intA ku_ka; chain ku-ka leaf-kuka intA
srv ku-ka ku-ka USAGE@0 accept
case_ ku-ke-client ku-nods rootA.crt - client USAGE@0 same
# EKU on intermediates constrains what they may issue for.
ec256 intEKUc; issue intEKUc rootA ca_eku_client
ec256 leaf-under-ekuc; issue leaf-under-ekuc intEKUc server
chain int-eku-client leaf-under-ekuc intEKUc
srv int-eku-client int-eku-client USAGE@1 same
ec256 intEKUs; issue intEKUs rootA ca_eku_server
ec256 leaf-client-under-ekus; issue leaf-client-under-ekus intEKUs client
chain int-eku-server-client leaf-client-under-ekus intEKUs
case_ int-eku-server-client int-eku-server-client rootA.crt - client USAGE@1 same
ec256 leaf-under-ekus; issue leaf-under-ekus intEKUs server
chain int-eku-server leaf-under-ekus intEKUs
srv int-eku-server int-eku-server OK same
ec256 intEKUb; issue intEKUb rootA ca_eku_both
ec256 leaf-client-under-ekub; issue leaf-client-under-ekub intEKUb both
chain int-eku-both leaf-client-under-ekub intEKUb
case_ int-eku-both-client int-eku-both rootA.crt - client OK same
srv int-eku-both int-eku-both OK same

# ------------------------------------------------------------------ extensions
ec256 leaf-crit; issue leaf-crit intA crit; chain critical leaf-crit intA
srv critical critical CRITICAL_EXT@0 same
ec256 leaf-noncrit; issue leaf-noncrit intA noncrit; chain noncritical leaf-noncrit intA
srv noncritical noncritical OK same
ec256 intCrit; issue intCrit rootA ca_crit
ec256 leaf-under-crit; issue leaf-under-crit intCrit server; chain int-critical leaf-under-crit intCrit
srv int-critical int-critical CRITICAL_EXT@1 same
# certificatePolicies is not processed by tlsm, so a critical one is an unknown critical
# extension; OpenSSL processes policies.
ec256 leaf-critpol; issue leaf-critpol intA crit_policy; chain critical-policy leaf-critpol intA
srv critical-policy critical-policy CRITICAL_EXT@0 accept
# s.4.2.1.1: authorityKeyIdentifier "MUST be marked non-critical".
ec256 leaf-critaki; issue leaf-critaki intA crit_aki; chain critical-aki leaf-critaki intA
srv critical-aki critical-aki PARSE@0 same

# ------------------------------------------------------------------ host names and IPs
ec256 leaf-wild; issue leaf-wild intA wild; chain wild leaf-wild intA
ec256 leaf-ip; issue leaf-ip intA ip; chain ip leaf-ip intA
ec256 leaf-nosan; SUBJ=/CN=good.test issue leaf-nosan intA nosan; chain nosan leaf-nosan intA
ec256 leaf-ipv4; issue leaf-ipv4 intA ipv4only; chain ipv4only leaf-ipv4 intA
h() { # name chain host expect openssl
  case_ "$1" "$2" rootA.crt "$3" server "$4" "$5"
}
h host-exact good-p256 good.test OK same
h host-case good-p256 GOOD.Test OK same
h host-mixed good-p256 mixed.case.TEST OK same
h host-other good-p256 other.test NAME_MISMATCH@0 same
h host-parent good-p256 test NAME_MISMATCH@0 same
h host-child good-p256 a.good.test NAME_MISMATCH@0 same
h host-none good-p256 - OK same
h wild-one wild a.wild.test OK same
h wild-upper wild A.WILD.TEST OK same
h wild-bare wild wild.test NAME_MISMATCH@0 same
h wild-two wild a.b.wild.test NAME_MISMATCH@0 same
h wild-idn wild x.xn--bcher-kva.test OK same
# Partial-label wildcards never match (RFC 6125 s.6.4.3 allows refusing them, RFC 9525
# forbids them); OpenSSL matches "f*.partial.test" against "foo" and "f" (empty star).
h wild-partial wild foo.partial.test NAME_MISMATCH@0 accept
h wild-partial-f wild f.partial.test NAME_MISMATCH@0 accept
h wild-tld wild x.test NAME_MISMATCH@0 same
h wild-inner wild a.x.inner.test NAME_MISMATCH@0 same
h wild-literal wild '*.wild.test' NAME_MISMATCH@0 -
h ip4 ip 192.0.2.1 OK same
h ip6 ip 2001:db8::1 OK same
h ip6-long ip 2001:0db8:0:0:0:0:0:1 OK same
h ip4-in-dns ip 192.0.2.2 NAME_MISMATCH@0 same
h ip6-other ip 2001:db8::2 NAME_MISMATCH@0 same
h ip4-mapped ip ::ffff:192.0.2.1 NAME_MISMATCH@0 same
h ip4-only ipv4only 198.51.100.7 OK same
h ip4-only-dns ipv4only good.test NAME_MISMATCH@0 same
h ip4-dnsonly good-p256 192.0.2.1 NAME_MISMATCH@0 same
# No subjectAltName: the CN is never used (RFC 9525 s.6.3); OpenSSL falls back to it.
h nosan nosan good.test NAME_MISMATCH@0 accept
h nosan-nohost nosan - OK same

# ------------------------------------------------------------------ name constraints
nc_ca() { # name profile [issuer]
  ec256 "$1"; issue "$1" "${3:-rootA}" "$2"
}
nc_leaf() { # case issuer profile expect openssl [host]
  ec256 "leaf-$1"; issue "leaf-$1" "$2" "$3"; chain "$1" "leaf-$1" "$2"
  case_ "$1" "$1" rootA.crt "${6:--}" server "$4" "$5"
}
nc_ca ncDNS nc_dns
nc_leaf nc-dns-ok ncDNS s_permitted OK same permitted.test
nc_leaf nc-dns-sub ncDNS s_www_permitted OK same www.permitted.test
nc_leaf nc-dns-upper ncDNS s_upper OK same www.permitted.test
nc_leaf nc-dns-excluded ncDNS s_bad_permitted NAME_CONSTRAINT@0 same
nc_leaf nc-dns-excluded-deep ncDNS s_deep_bad NAME_CONSTRAINT@0 same
nc_leaf nc-dns-outside ncDNS s_other NAME_CONSTRAINT@0 same
nc_leaf nc-dns-suffix-trick ncDNS s_suffix_trick NAME_CONSTRAINT@0 same
nc_leaf nc-dns-one-bad ncDNS s_mixed NAME_CONSTRAINT@0 same permitted.test
nc_leaf nc-dns-wild ncDNS s_wild_permitted NAME_CONSTRAINT@0 accept a.permitted.test
nc_leaf nc-dns-wild-excluded ncDNS s_wild_bad NAME_CONSTRAINT@0 same
nc_leaf nc-dns-ip-free ncDNS s_ip_free OK same permitted.test
# s_mail_ok carries DNS:good.test besides the mailbox: outside permitted.test.
nc_leaf nc-dns-with-mail ncDNS s_mail_ok NAME_CONSTRAINT@0 same
nc_ca ncDot nc_dot
nc_leaf nc-dot-sub ncDot s_sub_dot OK same a.dot.test
nc_leaf nc-dot-apex ncDot s_dot NAME_CONSTRAINT@0 same
nc_ca ncExcl nc_excl
nc_leaf nc-excl-hit ncExcl s_evil NAME_CONSTRAINT@0 same
nc_leaf nc-excl-sub ncExcl s_sub_evil NAME_CONSTRAINT@0 same
nc_leaf nc-excl-lookalike ncExcl s_notevil OK same notevil.test
nc_leaf nc-excl-other ncExcl s_ip_dns OK same good.test
nc_ca ncIP nc_ip
nc_leaf nc-ip-ok ncIP s_ip_ok OK same 192.0.2.5
nc_leaf nc-ip-excluded ncIP s_ip_excl NAME_CONSTRAINT@0 same
nc_leaf nc-ip-outside ncIP s_ip_out NAME_CONSTRAINT@0 same
nc_leaf nc-ip6-ok ncIP s_ip6_ok OK same 2001:db8::5
nc_leaf nc-ip6-outside ncIP s_ip6_out NAME_CONSTRAINT@0 same
nc_leaf nc-ip-dns-free ncIP s_ip_dns OK same good.test
nc_ca ncIP6 nc_ip6
nc_leaf nc-ip6only-v4 ncIP6 s_ip_ok NAME_CONSTRAINT@0 same
nc_leaf nc-ip6only-v6 ncIP6 s_ip6_ok OK same 2001:db8::5
nc_ca ncMail nc_email
nc_leaf nc-mail-ok ncMail s_mail_ok OK same good.test
nc_leaf nc-mail-excluded ncMail s_mail_boss NAME_CONSTRAINT@0 same
nc_leaf nc-mail-subdomain ncMail s_mail_sub OK same good.test
nc_leaf nc-mail-apex ncMail s_mail_apex NAME_CONSTRAINT@0 same
nc_leaf nc-mail-other ncMail s_mail_other NAME_CONSTRAINT@0 same
# emailAddress in the subject is held to rfc822Name constraints (s.4.2.1.10).
ec256 leaf-nc-subject-mail
SUBJ="/CN=leaf-nc-subject-mail/emailAddress=x@other.test" issue leaf-nc-subject-mail ncMail s_ip_dns
chain nc-subject-mail leaf-nc-subject-mail ncMail
case_ nc-subject-mail nc-subject-mail rootA.crt good.test server NAME_CONSTRAINT@0 same
ec256 leaf-nc-subject-mail-ok
SUBJ="/CN=leaf-nc-subject-mail-ok/emailAddress=y@example.test" issue leaf-nc-subject-mail-ok ncMail s_ip_dns
chain nc-subject-mail-ok leaf-nc-subject-mail-ok ncMail
case_ nc-subject-mail-ok nc-subject-mail-ok rootA.crt good.test server OK same
# Constraints reach every certificate below the CA, not just the next one.
ec256 ncSub; issue ncSub ncDNS ca
ec256 leaf-nc-deep-ok; issue leaf-nc-deep-ok ncSub s_www_permitted
chain nc-two-levels-ok leaf-nc-deep-ok ncSub ncDNS
case_ nc-two-levels-ok nc-two-levels-ok rootA.crt www.permitted.test server OK same
ec256 leaf-nc-deep-bad; issue leaf-nc-deep-bad ncSub s_other
chain nc-two-levels-bad leaf-nc-deep-bad ncSub ncDNS
case_ nc-two-levels-bad nc-two-levels-bad rootA.crt - server NAME_CONSTRAINT@0 same
ec256 ncSubBad; issue ncSubBad ncDNS ca_nc_child_bad
ec256 leaf-nc-under-bad-int; issue leaf-nc-under-bad-int ncSubBad s_permitted
chain nc-intermediate-san leaf-nc-under-bad-int ncSubBad ncDNS
case_ nc-intermediate-san nc-intermediate-san rootA.crt - server NAME_CONSTRAINT@1 same
# A trust anchor's constraints apply as well.
ec256 rootNC; issue rootNC self nc_dns
ec256 intUnderNCRoot; issue intUnderNCRoot rootNC ca
ec256 leaf-root-nc-ok; issue leaf-root-nc-ok intUnderNCRoot s_permitted
chain nc-root-ok leaf-root-nc-ok intUnderNCRoot
case_ nc-root-ok nc-root-ok rootNC.crt permitted.test server OK same
ec256 leaf-root-nc-bad; issue leaf-root-nc-bad intUnderNCRoot s_other
chain nc-root-bad leaf-root-nc-bad intUnderNCRoot
case_ nc-root-bad nc-root-bad rootNC.crt - server NAME_CONSTRAINT@0 same
# Forms tlsm does not implement in a critical extension: a name of that form below the CA
# is refused (s.4.2.1.10 "MUST either process the constraint or reject the certificate"),
# a certificate without one passes. A non-empty subject is a directoryName. OpenSSL
# implements directoryName and URI constraints (and rejects nc-dirname for its subject).
nc_ca ncDir nc_dir
nc_leaf nc-dirname ncDir s_permitted NC_UNSUPPORTED_NAME@0 reject
ec256 leaf-nc-dir-empty
SUBJ=/ issue leaf-nc-dir-empty ncDir e_san_crit "" "" -policy policy_empty
chain nc-dirname-empty-subject leaf-nc-dir-empty ncDir
case_ nc-dirname-empty-subject nc-dirname-empty-subject rootA.crt good.test server OK same
nc_ca ncURI nc_uri
nc_leaf nc-uri ncURI s_uri NC_UNSUPPORTED_NAME@0 accept
nc_leaf nc-uri-no-uri ncURI s_permitted OK same permitted.test
nc_ca ncOther nc_other
nc_leaf nc-othername ncOther s_othername NC_UNSUPPORTED_NAME@0 same
nc_leaf nc-othername-absent ncOther s_ip_dns OK same good.test
# Non-critical: the known forms apply, the rest is ignored.
nc_ca ncURINC nc_uri_noncrit
nc_leaf nc-uri-noncrit-ok ncURINC s_uri OK same permitted.test
nc_leaf nc-uri-noncrit-dns ncURINC s_other NAME_CONSTRAINT@0 same
# An iPAddress constraint whose mask is not a prefix is malformed here.
nc_ca ncBadMask nc_badmask
nc_leaf nc-bad-mask ncBadMask s_ip_ok PARSE@1 accept
# dNSName syntax (pki/dnsname.c). Under a CA that constrains DNS names a malformed dNSName
# is refused: no constraint applies to it. OpenSSL compares suffixes, so ".permitted.test"
# and "www..permitted.test" pass its "permitted.test"; a trailing dot does not.
nc_leaf nc-san-leading-dot ncDNS s_lead_dot BAD_DNS_NAME@0 accept
nc_leaf nc-san-empty-label ncDNS s_empty_label BAD_DNS_NAME@0 accept
nc_leaf nc-san-trailing-dot ncDNS s_trail_dot BAD_DNS_NAME@0 same
nc_leaf nc-san-hyphen-edge ncDNS s_hyphen_edge BAD_DNS_NAME@0 accept
nc_leaf nc-san-underscore ncDNS s_underscore OK same _srv.permitted.test
nc_leaf nc-excl-leading-dot ncExcl s_lead_dot_evil BAD_DNS_NAME@0 same
# A malformed constraint makes its CA unusable.
nc_ca ncDNSBad nc_dns_bad
nc_leaf nc-constraint-empty-label ncDNSBad s_www_permitted BAD_DNS_NAME@1 same
nc_ca ncDNSTrail nc_dns_trail
nc_leaf nc-constraint-trailing-dot ncDNSTrail s_www_permitted BAD_DNS_NAME@1 same
# Without name constraints a malformed dNSName only never matches.
ec256 leaf-bad-and-good; issue leaf-bad-and-good intA s_bad_and_good
chain san-bad-and-good leaf-bad-and-good intA
srv san-bad-and-good san-bad-and-good OK same
ec256 leaf-good-trail; issue leaf-good-trail intA s_good_trail_dot
chain san-trailing-dot leaf-good-trail intA
srv san-trailing-dot san-trailing-dot NAME_MISMATCH@0 same

# ------------------------------------------------------------------ empty subjects
# s.4.1.2.6: an empty subject needs a critical subjectAltName; a critical one beside a
# non-empty subject is allowed (s.4.2.1.6 only says SHOULD be non-critical); a CA's subject
# MUST NOT be empty (its certificates would have an empty issuer, s.4.1.2.4).
ec256 leaf-empty-crit; SUBJ=/ issue leaf-empty-crit intA e_san_crit "" "" -policy policy_empty
chain empty-subject-critical-san leaf-empty-crit intA
srv empty-subject-critical-san empty-subject-critical-san OK same
ec256 leaf-empty-noncrit; SUBJ=/ issue leaf-empty-noncrit intA e_san_noncrit "" "" -policy policy_empty
chain empty-subject-noncritical-san leaf-empty-noncrit intA
srv empty-subject-noncritical-san empty-subject-noncritical-san EMPTY_SUBJECT@0 same
ec256 leaf-empty-nosan; SUBJ=/ issue leaf-empty-nosan intA e_nosan "" "" -policy policy_empty
chain empty-subject-no-san leaf-empty-nosan intA
case_ empty-subject-no-san empty-subject-no-san rootA.crt - server EMPTY_SUBJECT@0 same
ec256 leaf-crit-san; issue leaf-crit-san intA e_san_crit
chain critical-san leaf-crit-san intA
srv critical-san critical-san OK same
ec256 intEmpty; SUBJ=/ issue intEmpty rootA ca "" "" -policy policy_empty
ec256 leaf-under-empty; issue leaf-under-empty intEmpty server
chain ca-empty-subject leaf-under-empty intEmpty
srv ca-empty-subject ca-empty-subject EMPTY_SUBJECT@1 same

# ------------------------------------------------------------------ path building
ec256 intA2; issue intA2 intA ca
ec256 leaf-deep; issue leaf-deep intA2 server
chain out-of-order leaf-deep intRSA intA rootB intA2
srv out-of-order out-of-order OK same
chain in-order leaf-deep intA2 intA
srv in-order in-order OK same
chain with-root leaf-deep intA2 intA rootA
srv with-root with-root OK same
chain duplicates leaf-deep intA2 intA2 intA intA leaf-deep
srv duplicates duplicates OK same
chain missing-int leaf-deep intA
srv missing-int missing-int UNKNOWN_ISSUER@0 same
case_ wrong-root good-p256 rootB.crt good.test server UNKNOWN_ISSUER@1 same
case_ two-roots good-p256 rootB.crt,rootA.crt good.test server OK same
case_ anchor-intermediate good-p256 intA.crt good.test server OK same
case_ anchor-leaf good-p256 leaf-p256.crt good.test server OK same
case_ anchor-int2 out-of-order intA2.crt good.test server OK same
# Cross-signing: intX's key certified by rootA (one expired, one valid) and by rootB.
ec256 intX
issue intX rootA ca 20200101000000Z 20241231235959Z; mv intX.crt intX-byA-expired.crt
issue intX rootB ca; mv intX.crt intX-byB.crt; cp intX.key intX-byB.key
issue intX rootA ca; mv intX.crt intX-byA.crt
ec256 leaf-cross; issue leaf-cross intX-byB server
chain cross leaf-cross intX-byA-expired intX-byB
case_ cross-b cross rootB.crt good.test server OK same
case_ cross-ab cross rootA.crt,rootB.crt good.test server OK same
case_ cross-a-expired cross rootA.crt good.test server EXPIRED@1 same
chain cross-both leaf-cross intX-byA intX-byB
case_ cross-both-a cross-both rootA.crt good.test server OK same
# OpenSSL takes the first untrusted candidate issuer and does not backtrack to the next
# when it leads nowhere (here intX-byA, whose root is not trusted); tlsm's search does.
case_ cross-both-b cross-both rootB.crt good.test server OK reject
case_ cross-both-none cross-both rootOld.crt good.test server UNKNOWN_ISSUER@1 same
# Renewed intermediate: same name, new key; the bag carries the old one first.
ec256 intA-renewed; SUBJ=/CN=intA issue intA-renewed rootA ca
ec256 leaf-renewed; issue leaf-renewed intA-renewed server
chain renewed leaf-renewed intA intA-renewed
srv renewed renewed OK same
chain renewed-old-only leaf-renewed intA
srv renewed-old-only renewed-old-only UNKNOWN_ISSUER@0 same
# A loop: L1 and L2 certify each other, with no anchor above them.
ec256 loopL2; ec256 loopL1
issue loopL2 self ca
issue loopL1 loopL2 ca
issue loopL2 loopL1 ca
ec256 leaf-loop; issue leaf-loop loopL1 server
chain loop leaf-loop loopL1 loopL2
srv loop loop UNKNOWN_ISSUER@2 same
# A loop on the way to a real anchor: the search must leave it and find the way out
# (OpenSSL again follows the first candidate, into the loop, and gives up).
ec256 loopM1; issue loopM1 rootA ca; cp loopM1.crt loopM1-byA.crt
ec256 loopM2; issue loopM2 loopM1 ca
issue loopM1 loopM2 ca; mv loopM1.crt loopM1-byM2.crt
ec256 leaf-loopout; issue leaf-loopout loopM2 server
chain loop-exit leaf-loopout loopM2 loopM1-byM2 loopM1-byA
srv loop-exit loop-exit OK reject
# Depth: rootD -> d1 .. d8 -> leaf is 10 certificates with the anchor.
ec256 rootD; issue rootD self ca
prev=rootD
for i in 1 2 3 4 5 6 7 8 9 10; do ec256 "d$i"; issue "d$i" "$prev" ca; prev=d$i; done
ec256 leaf-d8; issue leaf-d8 d8 server
ec256 leaf-d10; issue leaf-d10 d10 server
chain depth10 leaf-d8 d8 d7 d6 d5 d4 d3 d2 d1
chain depth12 leaf-d10 d10 d9 d8 d7 d6 d5 d4 d3 d2 d1
case_ depth10 depth10 rootD.crt good.test server OK same depth=10
case_ depth10-max9 depth10 rootD.crt good.test server PATH_LEN@9 same depth=9
case_ depth12 depth12 rootD.crt good.test server PATH_LEN@10 same depth=10
case_ depth12-max12 depth12 rootD.crt good.test server OK same depth=12

# ------------------------------------------------------------------ strict DER
# hexb FILE: the bytes of FILE as " xx xx ... " (space-separated, one leading and one
# trailing space, so that every edit matches on byte boundaries).
hexb() { printf ' %s ' "$(od -An -v -tx1 "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"; }
unhex() { tr -d ' ' | xxd -r -p; }
der_len() { # byte count -> DER length octets
  local n=$1
  if [ "$n" -lt 128 ]; then printf ' %02x' "$n"
  elif [ "$n" -lt 256 ]; then printf ' 81 %02x' "$n"
  else printf ' 82 %02x %02x' $((n >> 8)) $((n & 255)); fi
}
nbytes() { local s=${1// /}; echo $((${#s} / 2)); }
wrap() { # tag hex-body -> " tag len body "
  printf ' %s%s %s ' "$1" "$(der_len "$(nbytes "$2")")" "$(echo $2)"
}
ECDSA_SHA256=' 30 0a 06 08 2a 86 48 ce 3d 04 03 02 '
ECDSA_SHA384=' 30 0a 06 08 2a 86 48 ce 3d 04 03 03 '
# The base: a good leaf with serial 0x7a5c; its tbsCertificate body (after the header).
echo 7A5C >"$ca_dir/serial"
ec256 leaf-craft; issue leaf-craft intA server
openssl x509 -in leaf-craft.crt -outform DER -out "$ca_dir/craft.der"
line=$(openssl asn1parse -inform DER -in "$ca_dir/craft.der" | sed -n 2p)
tbs_off=$(echo "$line" | sed 's/^ *\([0-9]*\):.*/\1/')
tbs_hl=$(echo "$line" | sed 's/.*hl=\([0-9]*\).*/\1/')
tbs_l=$(echo "$line" | sed 's/.*l= *\([0-9]*\) .*/\1/')
tail -c +$((tbs_off + tbs_hl + 1)) "$ca_dir/craft.der" | head -c "$tbs_l" >"$ca_dir/tbs.body"
BODY=$(hexb "$ca_dir/tbs.body")
# sub old new: the base body with one edit (which must apply)
sub() {
  [[ "$BODY" == *"$1"* ]] ||
    { echo "gen-cases: edit '$1' does not apply" >&2; touch "$ca_dir/edit-failed"; exit 1; }
  printf '%s' "${BODY/"$1"/"$2"}"
}
# craft name expect openssl new-body [outer-algid] [tbs-hex-override] [suffix-hex]
craft() {
  local name=$1 exp=$2 os=$3 body=$4 alg=${5:-$ECDSA_SHA256} tbs=${6:-}
  [ -n "$tbs" ] || tbs=$(wrap 30 "$body")
  echo "$tbs" | unhex >"$ca_dir/$name.tbs"
  openssl dgst -sha256 -sign intA.key -out "$ca_dir/$name.sig" "$ca_dir/$name.tbs"
  local sig; sig=$(hexb "$ca_dir/$name.sig")
  { wrap 30 "$tbs $alg $(wrap 03 " 00 $sig")"; echo " ${7:-}"; } | unhex >"$name.der"
  # Not through openssl x509, which would re-encode: the PEM keeps the exact bytes.
  printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' \
    "$(base64 -w 64 "$name.der")" >"$name.crt"
  chain "$name" "$name" intA
  srv "$name" "$name" "$exp" "$os"
}
SER=' 02 02 7a 5c '
NB_UTC=' 17 0d 32 35 30 31 30 31 30 30 30 30 30 30 5a '
NA_UTC=' 17 0d 34 35 30 31 30 31 30 30 30 30 30 30 5a '
VAL=" 30 1e$NB_UTC${NA_UTC# }"
sub "$SER" x >/dev/null && sub "$VAL" x >/dev/null
validity() { wrap 30 "$1 $2"; }
# The control: the base re-signed through this very path, unchanged, must verify.
craft craft-control OK same "$BODY"
# serialNumber (s.4.1.2.2)
# OpenSSL tolerates negative and over-long serials (RFC 5280 lets users be "prepared to
# gracefully handle" them); tlsm enforces the MUSTs in a peer's certificates.
craft serial-negative BAD_SERIAL@0 accept "$(sub "$SER" ' 02 02 fa 5c ')"
craft serial-zero BAD_SERIAL@0 accept "$(sub "$SER" ' 02 01 00 ')"
craft serial-21-octets BAD_SERIAL@0 accept "$(sub "$SER" " 02 15 01$(printf ' 00%.0s' {1..20}) ")"
craft serial-20-octets OK same "$(sub "$SER" " 02 14 01$(printf ' 00%.0s' {1..19}) ")"
craft serial-nonminimal-int PARSE@0 reject "$(sub "$SER" ' 02 03 00 7a 5c ')"
craft serial-long-length PARSE@0 accept "$(sub "$SER" ' 02 81 02 7a 5c ')"
craft serial-wrong-tag PARSE@0 reject "$(sub "$SER" ' 04 02 7a 5c ')"
# validity (s.4.1.2.5)
tv() { sub "$VAL" "$(validity "$1" "${2-$NA_UTC}")"; }
craft time-day32 BAD_TIME@0 reject "$(tv ' 17 0d 32 35 30 31 33 32 30 30 30 30 30 30 5a ')"
craft time-feb30 BAD_TIME@0 - "$(tv ' 17 0d 32 35 30 32 33 30 30 30 30 30 30 30 5a ')"
craft time-no-seconds BAD_TIME@0 reject "$(tv ' 17 0b 32 35 30 31 30 31 30 30 30 30 5a ')"
craft time-no-zulu BAD_TIME@0 reject "$(tv ' 17 0c 32 35 30 31 30 31 30 30 30 30 30 30 ')"
craft time-offset BAD_TIME@0 reject "$(tv ' 17 11 32 35 30 31 30 31 30 30 30 30 30 30 2b 30 30 30 30 ')"
craft time-gen-2025 BAD_TIME@0 accept "$(tv ' 18 0f 32 30 32 35 30 31 30 31 30 30 30 30 30 30 5a ')"
craft time-gen-fraction BAD_TIME@0 reject "$(tv "$NB_UTC" ' 18 11 32 30 35 30 30 31 30 31 30 30 30 30 30 30 2e 35 5a ')"
craft time-wrong-tag BAD_TIME@0 reject "$(tv ' 04 0d 32 35 30 31 30 31 30 30 30 30 30 30 5a ')"
craft time-one-only BAD_TIME@0 reject "$(tv "$NB_UTC" '')"
# structure: OpenSSL's decoder is BER-tolerant where noted ("accept"): it checks the
# signature over the bytes as received, so a non-DER encoding passes.
craft version-explicit-v1 PARSE@0 reject "$(sub ' a0 03 02 01 02 ' ' a0 03 02 01 00 ')"
craft version-4 PARSE@0 accept "$(sub ' a0 03 02 01 02 ' ' a0 03 02 01 03 ')"
craft bool-ber-true PARSE@0 accept "$(sub ' 01 01 ff ' ' 01 01 01 ')"
craft tbs-trailing PARSE@0 reject "$BODY 05 00"
craft tbs-long-length PARSE@0 accept "$BODY" "" " 30 83 00$(der_len "$(nbytes "$BODY")" | sed 's/^ 82//') $BODY"
craft tbs-indefinite PARSE@0 accept "$BODY" "" " 30 80 $BODY 00 00 "
craft sigalg-mismatch PARSE@0 reject "$BODY" "$ECDSA_SHA384"
craft cert-trailing PARSE@0 accept "$BODY" "" "" " 00 00"
[ ! -e "$ca_dir/edit-failed" ]
echo "gen-cases: $n_cases cases, $(ls *.crt | wc -l) certificates" >&2

# ------------------------------------------------------------------ keys in other encodings
openssl ec -in leaf-p256.key -out leaf-p256.sec1.key 2>/dev/null
openssl pkey -in leaf-p384.key -traditional -out leaf-p384.sec1.key
openssl rsa -in leaf-rsa.key -traditional -out leaf-rsa.pkcs1.key 2>/dev/null
for f in *.crt; do [ -f "${f%.crt}.der" ] || openssl x509 -in "$f" -outform DER -out "${f%.crt}.der"; done
echo "cases written to $(pwd)"
