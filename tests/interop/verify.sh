#!/usr/bin/env bash
# verify.sh - `tlsm verify` against the PKI corpus and against `openssl verify`.
#
#   tests/interop/verify.sh [path/to/tlsm]        (default: build/tlsm)
#
# The corpus comes from tests/pki/gen-cases.sh, generated into a temporary directory (or
# taken from $TLSM_PKI_CORPUS when that directory already holds a cases.txt). For every
# line of its manifest (name chain anchors host purpose expect openssl [at= rsa= depth=]):
#   corpus:NAME   tlsm verify gives the manifest's verdict and names the certificate at
#                 fault (@i: the input index, or the number of certificates for an
#                 anchor), twice: with the whole chain as LEAF.pem, and with the leaf
#                 alone plus the rest as --untrusted; on success the printed path starts
#                 at certificate 0 and ends at a trust anchor.
#   openssl:NAME  `openssl verify -x509_strict -partial_chain -auth_level 2 -purpose
#                 sslserver|sslclient -attime T [-verify_hostname H | -verify_ip A]
#                 [-verify_depth D] -CAfile ANCHORS -untrusted REST LEAF` (the command the
#                 manifest's openssl column describes) gives the documented verdict, and
#                 where the manifest says "same" it agrees with what tlsm verify said.
# Cases with rsa= are skipped (the RSA floor is the handshake's, not an option). Then direct
# cases on the committed test PKI (tests/data/pki): the printed chain, wrong name and IP,
# the client purpose on a server certificate, times before and after validity, DER input,
# and usage errors (exit 2).
# Each check prints `ok NAME`, `FAIL NAME: reason` or `skip NAME: reason`; the last line is
# `N passed, N failed, N skipped`; the exit status is 1 if any check failed.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
tlsm=${1:-build/tlsm}
if [ ! -x "$tlsm" ] && [ -x "$root/$tlsm" ]; then
    tlsm=$root/$tlsm
fi
if [ ! -x "$tlsm" ]; then
    echo "verify.sh: no tlsm binary at '$tlsm' (give its path as the first argument)" >&2
    exit 2
fi
tlsm=$(cd "$(dirname "$tlsm")" && pwd)/$(basename "$tlsm")
pki=$root/tests/data/pki
work=$(mktemp -d "${TMPDIR:-/tmp}/tlsm-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

passed=0 failed=0 skipped=0
ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); }
finish() {
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit
}

# The manifest's outcome names and the text tlsm_strerror gives for each.
declare -A REASON=(
    [PARSE]="certificate: malformed"
    [UNKNOWN_ISSUER]="certificate: unknown issuer (no path to a trust anchor)"
    [SIGNATURE]="certificate: bad signature"
    [EXPIRED]="certificate: expired"
    [NOT_YET_VALID]="certificate: not yet valid"
    [NOT_CA]="certificate: issuer is not a CA"
    [PATH_LEN]="certificate: path length constraint exceeded"
    [USAGE]="certificate: key usage does not allow this use"
    [NAME_MISMATCH]="certificate: host name mismatch"
    [UNSUPPORTED_ALG]="certificate: unsupported algorithm"
    [CRITICAL_EXT]="certificate: unknown critical extension"
    [WEAK_KEY]="certificate: key too weak"
    [NAME_CONSTRAINT]="certificate: name outside the issuer's name constraints"
    [BAD_SERIAL]="certificate: serial number not a positive integer of at most 20 octets"
    [BAD_TIME]="certificate: malformed validity time"
    [BAD_DNS_NAME]="certificate: DNS name not in preferred name syntax (subjectAltName or name constraint)"
    [LEAF_NAME_CONSTRAINTS]="certificate: name constraints in an end-entity certificate"
    [BC_NOT_CRITICAL]="certificate: basicConstraints of an issuing CA not marked critical"
    [LEAF_IS_CA]="certificate: end-entity certificate is a CA certificate"
    [EMPTY_SUBJECT]="certificate: empty subject on a CA or without a critical subjectAltName"
    [NC_UNSUPPORTED_NAME]="certificate: a name of a form tlsm cannot check against critical name constraints"
)

is_ip() { [[ $1 == *:* || $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; }

# verdict N OUT_FILE STATUS: what tlsm verify said, in the manifest's terms ("OK",
# "EXPIRED@1"; an anchor at fault is @N), or "?<why>" when the output does not parse.
verdict() {
    local n=$1 out=$2 status=$3 first last code
    first=$(head -n 1 "$out")
    if [ "$status" -eq 0 ]; then
        last=$(tail -n 1 "$out")
        if [ "$first" != OK ]; then
            echo "?exit 0 without OK"
        elif ! sed -n 2p "$out" | grep -q '^depth 0: .* \[certificate 0, '; then
            echo "?the path does not start at certificate 0"
        elif [[ $last != "depth "*"trust anchor, "*"]" ]]; then
            echo "?the path does not end at a trust anchor"
        else
            echo OK
        fi
        return
    fi
    if [ "$status" -ne 1 ] || [[ $first != "FAIL: "* ]]; then
        echo "?exit $status: $first"
        return
    fi
    for code in "${!REASON[@]}"; do
        if [[ $first == "FAIL: ${REASON[$code]}: "* ]]; then
            if [[ $first =~ \[certificate\ ([0-9]+), ]]; then
                echo "$code@${BASH_REMATCH[1]}"
            elif [[ $first == *"[trust anchor"* ]]; then
                echo "$code@$n"
            else
                echo "?no certificate named: $first"
            fi
            return
        fi
    done
    echo "?unknown reason: $first"
}

# ------------------------------------------------------------------ the corpus

if ! command -v openssl >/dev/null; then
    skip corpus "the openssl CLI is not installed (gen-cases.sh needs it)"
    corpus=
elif [ -n "${TLSM_PKI_CORPUS:-}" ] && [ -f "$TLSM_PKI_CORPUS/cases.txt" ]; then
    corpus=$TLSM_PKI_CORPUS
else
    corpus=$work/corpus
    if ! "$root/tests/pki/gen-cases.sh" "$corpus" >"$work/gen.log" 2>&1; then
        fail corpus "gen-cases.sh failed: $(tail -n 3 "$work/gen.log")"
        corpus=
    fi
fi

total=0 as_expected=0 rsa_skipped=0 compared=0 agree=0 documented=0 unexpected=0
if [ -n "$corpus" ]; then
    while read -r -a f; do
        [ "${#f[@]}" -ge 7 ] && [[ ${f[0]} != \#* ]] || continue
        name=${f[0]} chain=$corpus/${f[1]}.chain.pem anchors=${f[2]} host=${f[3]}
        purpose=${f[4]} expect=${f[5]} osslsays=${f[6]}
        at=1893456000 depth= rsa=
        for opt in "${f[@]:7}"; do
            case $opt in
            at=*) at=${opt#at=} ;;
            depth=*) depth=${opt#depth=} ;;
            rsa=*) rsa=${opt#rsa=} ;;
            *) fail "corpus:$name" "unknown option $opt in cases.txt" ;;
            esac
        done
        total=$((total + 1))
        if [ -n "$rsa" ]; then
            skip "corpus:$name" "rsa=$rsa: the RSA floor is not an option of tlsm verify"
            rsa_skipped=$((rsa_skipped + 1))
            continue
        fi
        # The leaf alone, the rest as untrusted intermediates, and the anchors in one file.
        awk -v leaf="$work/leaf.pem" -v rest="$work/rest.pem" '
            /-----BEGIN/ { n++ }
            { print > (n == 1 ? leaf : rest) }' "$chain"
        [ -f "$work/rest.pem" ] || : >"$work/rest.pem"
        n=$(grep -c -- '-----BEGIN CERTIFICATE' "$chain")
        args=(--purpose "$purpose" --time "$at")
        : >"$work/ca.pem"
        IFS=, read -r -a list <<<"$anchors"
        for a in "${list[@]}"; do
            args+=(--ca "$corpus/$a")
            cat "$corpus/$a" >>"$work/ca.pem"
        done
        ossl=(-x509_strict -partial_chain -auth_level 2 -attime "$at")
        [ "$purpose" = client ] && ossl+=(-purpose sslclient) || ossl+=(-purpose sslserver)
        if [ "$host" != - ]; then
            if is_ip "$host"; then
                args+=(--ip "$host")
                ossl+=(-verify_ip "$host")
            else
                args+=(--host "$host")
                ossl+=(-verify_hostname "$host")
            fi
        fi
        if [ -n "$depth" ]; then
            args+=(--max-depth "$depth")
            ossl+=(-verify_depth $((depth - 2)))
        fi

        "$tlsm" verify "${args[@]}" "$chain" >"$work/out1" 2>"$work/err1"
        got=$(verdict "$n" "$work/out1" $?)
        got2=$got
        if [ "$n" -gt 1 ]; then
            "$tlsm" verify "${args[@]}" --untrusted "$work/rest.pem" "$work/leaf.pem" \
                >"$work/out2" 2>"$work/err2"
            got2=$(verdict "$n" "$work/out2" $?)
        fi
        if [ "$got" = "$expect" ] && [ "$got2" = "$expect" ]; then
            ok "corpus:$name"
            as_expected=$((as_expected + 1))
        elif [ "$got" != "$expect" ]; then
            fail "corpus:$name" \
                "got $got, expected $expect: $(head -n 1 "$work/out1") $(cat "$work/err1")"
        else
            fail "corpus:$name" "with --untrusted: got $got2, expected $expect:" \
                "$(head -n 1 "$work/out2") $(cat "$work/err2")"
        fi

        if [ "$osslsays" = - ]; then
            skip "openssl:$name" "not compared (the manifest says why)"
        else
            untrusted=()
            [ "$n" -gt 1 ] && untrusted=(-untrusted "$work/rest.pem")
            why=$(openssl verify "${ossl[@]}" -CAfile "$work/ca.pem" "${untrusted[@]}" \
                "$work/leaf.pem" 2>&1)
            [ $? -eq 0 ] && o=1 || o=0
            [ "$got" = OK ] && t=1 || t=0
            [ "$expect" = OK ] && e=1 || e=0
            case $osslsays in
            same) want=$e ;;
            accept) want=1 ;;
            *) want=0 ;;
            esac
            compared=$((compared + 1))
            [ "$o" -eq "$t" ] && agree=$((agree + 1))
            [ "$osslsays" != same ] && [ "$o" -eq "$want" ] && [ "$o" -ne "$e" ] &&
                documented=$((documented + 1))
            why=$(grep -m 1 -E 'error|unable|Could not' <<<"$why")
            [ "$o" -eq 1 ] && said="openssl accepts" || said="openssl rejects (${why:--})"
            if [ "$o" -ne "$want" ]; then
                unexpected=$((unexpected + 1))
                fail "openssl:$name" "$said, the manifest says $osslsays"
            elif [ "$osslsays" = same ] && [ "$o" -ne "$t" ]; then
                fail "openssl:$name" "tlsm verify says $got, $said"
            else
                ok "openssl:$name"
            fi
        fi
        rm -f "$work/leaf.pem" "$work/rest.pem"
    done <"$corpus/cases.txt"
    echo "verify.sh: corpus of $total cases: $as_expected as the manifest expects," \
        "$rsa_skipped skipped (rsa=); openssl verify compared on $compared: $agree agree with" \
        "tlsm verify, $documented differ as documented, $unexpected unexpected"
fi

# ------------------------------------------------------------------ the committed test PKI

T_2027=1811808000 # inside the test PKI's validity (2026-11-28 for 100 years)
T_2026=1767225600 # 2026-01-01, before it
T_2127=4954435200 # 2127-01-01, after it

# expect NAME STATUS FIRST-LINE-PATTERN -- ARGS...: runs tlsm verify in tests/data/pki and
# checks the exit status and the first line of stdout (of stderr for status 2) against a
# glob pattern (literal brackets escaped).
expect() {
    local name=$1 want=$2 pattern=$3 status line
    shift 4
    (cd "$pki" && "$tlsm" verify "$@") >"$work/out" 2>"$work/err"
    status=$?
    if [ "$want" -eq 2 ]; then
        line=$(head -n 1 "$work/err")
    else
        line=$(head -n 1 "$work/out")
    fi
    if [ "$status" -ne "$want" ]; then
        fail "$name" \
            "exit $status (wanted $want): $(head -n 1 "$work/out") $(head -n 1 "$work/err")"
    elif [[ $line != $pattern ]]; then
        fail "$name" "got '$line', wanted '$pattern'"
    else
        ok "$name"
    fi
}

ROOT="CN=tlsm test root CA" INT="CN=tlsm test intermediate CA" SRV="CN=server.tlsm.test"
(cd "$pki" && "$tlsm" verify --ca ca.crt --host server.tlsm.test --time $T_2027 \
    server-p256.chain.pem) >"$work/out" 2>&1
printf '%s\n' OK \
    "depth 0: $SRV [certificate 0, server-p256.chain.pem #0]" \
    "depth 1: $INT [certificate 1, server-p256.chain.pem #1]" \
    "depth 2: $ROOT [trust anchor, ca.crt]" >"$work/want"
if cmp -s "$work/out" "$work/want"; then
    ok direct:chain-printed
else
    fail direct:chain-printed "got: $(tr '\n' '|' <"$work/out")"
fi
(cd "$pki" && "$tlsm" verify --ca ca.crt --untrusted intermediate.crt --time $T_2027 \
    --purpose client client.crt) >"$work/out" 2>&1
if [ "$(sed -n 3p "$work/out")" = "depth 1: $INT [certificate 1, intermediate.crt #0]" ]; then
    ok direct:untrusted-file-named
else
    fail direct:untrusted-file-named "got: $(tr '\n' '|' <"$work/out")"
fi

c0="\\[certificate 0, server-p256.chain.pem #0\\]"
expect direct:host-ok 0 OK -- --ca ca.crt --host localhost --time $T_2027 server-p256.chain.pem
expect direct:host-wrong 1 "FAIL: certificate: host name mismatch: $SRV $c0" -- \
    --ca ca.crt --host www.example.com --time $T_2027 server-p256.chain.pem
expect direct:ip4-ok 0 OK -- --ca ca.crt --ip 127.0.0.1 --time $T_2027 server-p256.chain.pem
expect direct:ip6-ok 0 OK -- --ca ca.crt --ip ::1 --time $T_2027 server-p256.chain.pem
expect direct:ip-wrong 1 "FAIL: certificate: host name mismatch: $SRV $c0" -- \
    --ca ca.crt --ip 192.0.2.1 --time $T_2027 server-p256.chain.pem
expect direct:client-purpose-on-server 1 \
    "FAIL: certificate: key usage does not allow this use: $SRV $c0" -- \
    --ca ca.crt --purpose client --time $T_2027 server-p256.chain.pem
CLI="CN=client.tlsm.test" c0_client="\\[certificate 0, client.chain.pem #0\\]"
expect direct:server-purpose-on-client 1 \
    "FAIL: certificate: key usage does not allow this use: $CLI $c0_client" -- \
    --ca ca.crt --time $T_2027 client.chain.pem
expect direct:client-purpose-ok 0 OK -- --ca ca.crt --purpose client --time $T_2027 client.chain.pem
expect direct:time-before 1 "FAIL: certificate: not yet valid: * \\[certificate ?, *" -- \
    --ca ca.crt --time $T_2026 server-p256.chain.pem
expect direct:time-after 1 "FAIL: certificate: expired: * \\[certificate ?, *" -- \
    --ca ca.crt --time $T_2127 server-p256.chain.pem
c0_leaf="\\[certificate 0, server-p256.crt #0\\]"
expect direct:missing-intermediate 1 \
    "FAIL: certificate: unknown issuer (no path to a trust anchor): $SRV $c0_leaf" -- \
    --ca ca.crt --time $T_2027 server-p256.crt
expect direct:wrong-anchor 1 "FAIL: certificate: unknown issuer *" -- \
    --ca server-rsa.crt --time $T_2027 server-p256.chain.pem
expect direct:every-key-type 0 OK -- --ca ca.crt --time $T_2027 --untrusted server-rsa.crt \
    --untrusted server-ed25519.crt --untrusted intermediate.crt server-rsapss.crt
(cd "$pki" && "$tlsm" verify --ca intermediate.crt --time $T_2027 server-p384.crt) >"$work/out" 2>&1
if [ "$(tail -n 1 "$work/out")" = "depth 1: $INT [trust anchor, intermediate.crt]" ]; then
    ok direct:intermediate-as-anchor
else
    fail direct:intermediate-as-anchor "got: $(tr '\n' '|' <"$work/out")"
fi
if command -v openssl >/dev/null; then
    openssl x509 -in "$pki/server-ed25519.crt" -outform DER -out "$work/leaf.der"
    expect direct:der-leaf 0 OK -- --ca ca.crt --untrusted intermediate.crt --time $T_2027 \
        "$work/leaf.der"
else
    skip direct:der-leaf "no openssl CLI to convert the certificate"
fi
# Without --time the clock is read: the same verdict as --time with the current time.
(cd "$pki" && "$tlsm" verify --ca ca.crt server-p256.chain.pem) >"$work/now" 2>&1
(cd "$pki" && "$tlsm" verify --ca ca.crt --time "$(date +%s)" server-p256.chain.pem) \
    >"$work/at" 2>&1
if cmp -s "$work/now" "$work/at"; then
    ok direct:time-now
else
    fail direct:time-now "without --time: $(head -n 1 "$work/now");" \
        "with the current time: $(head -n 1 "$work/at")"
fi

# Usage errors and unusable files: exit 2 with a reason on stderr.
printf -- '-----BEGIN CERTIFICATE-----\nMIIB*not base64*\n-----END CERTIFICATE-----\n' \
    >"$work/bad.pem"
printf -- '-----BEGIN CERTIFICATE-----\nMIIBAA==\n' >"$work/unterminated.pem"
expect usage:no-arguments 2 "tlsm: missing --ca *" --
expect usage:no-ca 2 "tlsm: missing --ca *" -- server-p256.chain.pem
expect usage:no-leaf 2 "tlsm: missing LEAF.pem" -- --ca ca.crt
expect usage:two-leaves 2 "tlsm: unexpected argument *" -- --ca ca.crt client.crt server-p256.crt
expect usage:host-and-ip 2 "tlsm: --host and --ip *" -- \
    --ca ca.crt --host a.test --ip ::1 client.crt
expect usage:bad-ip 2 "tlsm: --ip 'localhost' is not *" -- --ca ca.crt --ip localhost client.crt
expect usage:empty-host 2 "tlsm: --host needs a name" -- --ca ca.crt --host "" client.crt
expect usage:bad-purpose 2 "tlsm: --purpose is *" -- --ca ca.crt --purpose email client.crt
expect usage:bad-time 2 "tlsm: --time takes *" -- --ca ca.crt --time yesterday client.crt
expect usage:negative-time 2 "tlsm: --time takes *" -- --ca ca.crt --time -5 client.crt
expect usage:bad-depth 2 "tlsm: --max-depth takes *" -- --ca ca.crt --max-depth 0 client.crt
expect usage:unknown-option 2 "*unrecognized option*" -- --ca ca.crt --frobnicate client.crt
expect usage:missing-leaf-file 2 "tlsm: cannot open *" -- --ca ca.crt no-such-file.pem
expect usage:missing-ca-file 2 "tlsm: cannot read *" -- --ca no-such-file.pem client.crt
expect usage:missing-untrusted 2 "tlsm: cannot open *" -- \
    --ca ca.crt --untrusted nope.pem client.crt
expect usage:key-as-leaf 2 "tlsm: *no certificate found*" -- --ca ca.crt client.key
expect usage:key-as-ca 2 "tlsm: *no certificate found*" -- --ca ca.key client.crt
expect usage:bad-base64 2 "tlsm: *bad base64*" -- --ca ca.crt "$work/bad.pem"
expect usage:unterminated-pem 2 "tlsm: *without its end line*" -- \
    --ca ca.crt "$work/unterminated.pem"
expect usage:bad-pem-ca 2 "tlsm: *malformed PEM*" -- --ca "$work/bad.pem" client.crt
expect usage:help 0 "Usage: tlsm verify *" -- --help

finish
