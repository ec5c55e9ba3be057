#!/usr/bin/env bash
# run.sh - interop tests: `tlsm client` and `tlsm server` against real TLS 1.3 and 1.2
# peers (openssl s_server / s_client, gnutls-cli) on 127.0.0.1 only.
#
#   tests/interop/run.sh [path/to/tlsm]        (default: build/tlsm)
#
# For every TLS 1.3 suite x group x server key type it runs
#   (a) openssl s_server -rev (reverse echo)  <-  tlsm client  (one line, reversed back)
#   (b) tlsm server --once (echo)             <-  openssl s_client (one line, echoed back)
# then the same two directions for TLS 1.2 (ECDHE with every group and key type, DHE with
# the RFC 7919 groups, RSA key transport), plus gnutls-cli cases, ALPN, client
# certificates and must-fail checks. Each case also checks that the peer reports the
# version, suite and group that were pinned. First come `tlsm demo` smoke tests and a
# check that cli/demo_pki_data.c still matches tests/data/pki.
# Each case prints `ok NAME`, `FAIL NAME: reason` or `skip NAME: reason`; the last line is
# `N passed, N failed, N skipped`; the exit status is 1 if any case failed.
# Servers listen on port 0 and the script reads the port they print, so nothing waits on
# a fixed delay; every process runs under a timeout and is killed on exit.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
tlsm=${1:-build/tlsm}
if [ ! -x "$tlsm" ] && [ -x "$root/$tlsm" ]; then
    tlsm=$root/$tlsm
fi
if [ ! -x "$tlsm" ]; then
    echo "run.sh: no tlsm binary at '$tlsm' (give its path as the first argument)" >&2
    exit 2
fi
tlsm=$(cd "$(dirname "$tlsm")" && pwd)/$(basename "$tlsm")
pki=$root/tests/data/pki
work=$(mktemp -d "${TMPDIR:-/tmp}/tlsm-interop.XXXXXX")
case_timeout=10 # seconds any one process may run
wait_limit=500  # polls of 20 ms: 10 s to wait for a port or a reply

passed=0 failed=0 skipped=0
pids=()
cert_curve= # TLS 1.2 ECDSA: the certificate's curve, offered besides the pinned group

cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null
    done
    exec 3>&-
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); }

# start_bg OUT ERR IN CMD...: starts CMD under a timeout in the background; sets $bg_pid.
start_bg() {
    local out=$1 err=$2 in=$3
    shift 3
    timeout "$case_timeout" "$@" >"$out" 2>"$err" <"$in" &
    bg_pid=$!
    pids+=("$bg_pid")
}

# wait_match FILE REGEX PID: waits until FILE has a line matching REGEX (printed on stdout)
# or PID exits or the wait limit passes. Returns 1 when nothing matched.
wait_match() {
    local file=$1 re=$2 pid=$3 i line
    for ((i = 0; i < wait_limit; i++)); do
        line=$(grep -m1 -E -- "$re" "$file" 2>/dev/null) && {
            printf '%s\n' "$line"
            return 0
        }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    line=$(grep -m1 -E -- "$re" "$file" 2>/dev/null) && {
        printf '%s\n' "$line"
        return 0
    }
    return 1
}

# stop PID [POLLS]: waits for PID (by default as long as wait_limit; kills it if it
# outlives the wait) and sets $stop_rc.
grace=100 # polls of 20 ms a server gets to exit once its client is done
stop() {
    local pid=$1 limit=${2:-$wait_limit} i
    for ((i = 0; i < limit; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    stop_rc=$?
}

# last_line FILE: the last non-empty line of FILE, for failure reasons.
last_line() {
    local l
    l=$(grep -v '^$' "$1" 2>/dev/null | tail -n 1)
    printf '%s\n' "${l:-(no output)}"
}

# openssl spellings of the groups in s_client -brief's "Server Temp Key" line.
openssl_temp_key() {
    case $1 in
        X25519) echo "X25519" ;;
        P-256) echo "prime256v1" ;;
        P-384) echo "secp384r1" ;;
        ffdhe2048) echo "DH, 2048 bits" ;;
        ffdhe3072) echo "DH, 3072 bits" ;;
    esac
}

# tlsm_group SUITE GROUP: the group tlsm reports; RSA key transport has none.
tlsm_group() {
    if [[ $1 == TLS_RSA_* ]]; then echo none; else echo "$2"; fi
}

# openssl_proto PROTO OSSL_SUITE GROUPS: the openssl options that pin a version, suite and
# groups (TLS 1.2 DHE takes the RFC 7919 group as explicit parameters).
openssl_proto() {
    local proto=$1 ossl=$2 group=$3
    if [ "$proto" = 1.3 ]; then
        echo "-tls1_3 -ciphersuites $ossl -groups $group"
    elif [[ $group == ffdhe* ]]; then
        echo "-tls1_2 -cipher $ossl -dhparam $work/$group.pem -groups $group"
    else
        echo "-tls1_2 -cipher $ossl -groups $group"
    fi
}

# ---------------------------------------------------------------------------------------
# (a) openssl s_server -rev, tlsm client
# case_s_server NAME PROTO SUITE OSSL_SUITE GROUP KEY [--sv s_server args] [--cl tlsm args]
#   PROTO is 1.3 or 1.2; SUITE is the IANA name, OSSL_SUITE openssl's. Expects the reversed
#   line back and the version, suite and group in the client's summary.
case_s_server() {
    local name=$1 proto=$2 suite=$3 ossl=$4 group=$5 key=$6
    shift 6
    local sv=() cl=() mode=
    for a in "$@"; do
        case $a in
            --sv | --cl) mode=$a ;;
            *) if [ "$mode" = --sv ]; then sv+=("$a"); else cl+=("$a"); fi ;;
        esac
    done
    local d=$work/$name pin
    mkdir -p "$d"
    read -r -a pin <<<"$(openssl_proto "$proto" "$ossl" "$group")"
    [ "$proto" = 1.2 ] && cl+=(--tls12)
    [ -n "$cert_curve" ] && cl+=(--group "$group,$cert_curve")
    start_bg "$d/srv.out" "$d/srv.err" /dev/null \
        openssl s_server -accept 127.0.0.1:0 -naccept 1 -rev "${pin[@]}" \
        -cert "$pki/server-$key.crt" -key "$pki/server-$key.key" \
        -cert_chain "$pki/intermediate.crt" "${sv[@]}"
    local spid=$bg_pid port line
    if ! line=$(wait_match "$d/srv.out" '^ACCEPT 127\.0\.0\.1:[0-9]+' "$spid"); then
        fail "$name" "openssl s_server did not start: $(last_line "$d/srv.err")"
        stop "$spid"
        return
    fi
    port=${line##*:}
    local msg="tlsm-interop-$name-$RANDOM"
    printf '%s\n' "$msg" | timeout "$case_timeout" "$tlsm" client "127.0.0.1:$port" \
        --ca "$pki/ca.crt" --servername localhost --suite "$suite" --group "$group" \
        "${cl[@]}" >"$d/cli.out" 2>"$d/cli.err"
    local rc=$?
    stop "$spid" "$([ "$rc" -eq 0 ] && echo "$grace" || echo 1)" # no client, no wait
    local want
    want=$(printf '%s' "$msg" | rev)
    if [ "$rc" -ne 0 ]; then
        fail "$name" "tlsm client exit $rc: $(last_line "$d/cli.err")"
    elif [ "$(cat "$d/cli.out")" != "$want" ]; then
        fail "$name" "expected '$want' back, got '$(head -c 200 "$d/cli.out")'"
    elif ! grep -q -- "TLS $proto, $suite, $(tlsm_group "$suite" "$group")," "$d/cli.err"; then
        fail "$name" "unexpected session: $(last_line "$d/cli.err")"
    else
        ok "$name"
    fi
}

# ---------------------------------------------------------------------------------------
# (b) tlsm server --once, a client program that gets one line echoed back
# start_tlsm_server DIR KEY [tlsm server args...]: sets $srv_pid and $srv_port.
start_tlsm_server() {
    local d=$1 key=$2
    shift 2
    mkdir -p "$d"
    start_bg "$d/srv.out" "$d/srv.err" /dev/null "$tlsm" server \
        --cert "$pki/server-$key.chain.pem" --key "$pki/server-$key.key" \
        --port 0 --once "$@"
    srv_pid=$bg_pid
    local line
    line=$(wait_match "$d/srv.out" '^listening on 127\.0\.0\.1:[0-9]+$' "$srv_pid") || return 1
    srv_port=${line##*:}
}

# talk DIR MSG CMD...: runs CMD with a pipe as stdin, sends MSG, waits for MSG to come
# back on its stdout, then closes stdin (the client then sends close_notify). Sets
# $talk_rc (the client's exit status) and $talk_echoed (1 if MSG came back).
talk() {
    local d=$1 msg=$2
    shift 2
    rm -f "$d/in"
    mkfifo "$d/in"
    start_bg "$d/cli.out" "$d/cli.err" "$d/in" "$@"
    local cpid=$bg_pid
    exec 3>"$d/in"
    printf '%s\n' "$msg" >&3
    talk_echoed=0
    wait_match "$d/cli.out" "^$msg\$" "$cpid" >/dev/null && talk_echoed=1
    exec 3>&-
    stop "$cpid"
    talk_rc=$stop_rc
}

# case_s_client NAME PROTO SUITE OSSL_SUITE GROUP KEY [--sv tlsm args] [--cl s_client args]
#   Expects the line echoed back, both sides to exit 0, and s_client to report the version,
#   suite and group.
case_s_client() {
    local name=$1 proto=$2 suite=$3 ossl=$4 group=$5 key=$6
    shift 6
    local sv=() cl=() mode=
    for a in "$@"; do
        case $a in
            --sv | --cl) mode=$a ;;
            *) if [ "$mode" = --sv ]; then sv+=("$a"); else cl+=("$a"); fi ;;
        esac
    done
    local d=$work/$name
    # Pin the server's group when the client offers more than one, or none (openssl's
    # TLS 1.2 client sends no supported_groups when it offers only DHE suites).
    if [ -n "$cert_curve" ] || [[ $group == ffdhe* ]]; then
        sv+=(--group "$group")
    fi
    if ! start_tlsm_server "$d" "$key" "${sv[@]}"; then
        fail "$name" "tlsm server did not start: $(last_line "$d/srv.err")"
        stop "$srv_pid"
        return
    fi
    local msg="tlsm-interop-$name-$RANDOM" pin
    read -r -a pin <<<"$(openssl_proto "$proto" "$ossl" "$group${cert_curve:+:$cert_curve}")"
    [[ $group == ffdhe* ]] && pin=("${pin[@]:0:3}" -groups "$group") # no -dhparam client side
    talk "$d" "$msg" openssl s_client -connect "127.0.0.1:$srv_port" "${pin[@]}" \
        -CAfile "$pki/ca.crt" -verify_return_error -servername localhost -brief "${cl[@]}"
    stop "$srv_pid" "$grace"
    local temp
    temp=$(openssl_temp_key "$(tlsm_group "$suite" "$group")")
    if [ "$talk_echoed" -ne 1 ]; then
        fail "$name" "no echo (s_client exit $talk_rc: $(last_line "$d/cli.err"); server: $(last_line "$d/srv.err"))"
    elif [ "$talk_rc" -ne 0 ]; then
        fail "$name" "openssl s_client exit $talk_rc: $(last_line "$d/cli.err")"
    elif [ "$stop_rc" -ne 0 ]; then
        fail "$name" "tlsm server exit $stop_rc: $(last_line "$d/srv.err")"
    elif ! grep -q "^Protocol version: TLSv$proto\$" "$d/cli.err"; then
        fail "$name" "s_client reports another version: $(grep 'Protocol version' "$d/cli.err")"
    elif ! grep -q "^Ciphersuite: $ossl\$" "$d/cli.err"; then
        fail "$name" "s_client reports another suite: $(grep Ciphersuite "$d/cli.err")"
    elif [ -n "$temp" ] && ! grep -q "^Server Temp Key: .*$temp" "$d/cli.err"; then
        fail "$name" "s_client reports another group: $(grep 'Temp Key' "$d/cli.err")"
    else
        ok "$name"
    fi
}

# case_gnutls NAME VERS CIPHER GROUP KEY: gnutls-cli with its priority pinned to one
# version (TLS1.3 or TLS1.2), cipher and group. gnutls-serv is not used: it cannot be
# bound to 127.0.0.1 only.
case_gnutls() {
    local name=$1 vers=$2 cipher=$3 group=$4 key=$5
    local d=$work/$name
    if ! start_tlsm_server "$d" "$key"; then
        fail "$name" "tlsm server did not start: $(last_line "$d/srv.err")"
        stop "$srv_pid"
        return
    fi
    local msg="tlsm-interop-$name-$RANDOM"
    talk "$d" "$msg" gnutls-cli --x509cafile "$pki/ca.crt" --port "$srv_port" \
        --priority "NORMAL:-VERS-ALL:+VERS-$vers:-CIPHER-ALL:+$cipher:-GROUP-ALL:+GROUP-$group" \
        127.0.0.1
    stop "$srv_pid" "$grace"
    if [ "$talk_echoed" -ne 1 ]; then
        fail "$name" "no echo (gnutls-cli exit $talk_rc: $(last_line "$d/cli.err"); server: $(last_line "$d/srv.err"))"
    elif [ "$stop_rc" -ne 0 ]; then
        fail "$name" "tlsm server exit $stop_rc: $(last_line "$d/srv.err")"
    elif ! grep -q "($vers-X.509)-(ECDHE-$group)-.*-($cipher)" "$d/cli.out"; then
        fail "$name" "unexpected session: $(grep 'Description' "$d/cli.out")"
    else
        ok "$name"
    fi
}

# case_must_fail NAME PATTERN [tlsm client args...]: against s_server with the P-256 key,
# the tlsm client must exit 1 with a reason matching PATTERN.
case_must_fail() {
    local name=$1 pattern=$2
    shift 2
    local d=$work/$name
    mkdir -p "$d"
    start_bg "$d/srv.out" "$d/srv.err" /dev/null \
        openssl s_server -accept 127.0.0.1:0 -naccept 1 -rev -tls1_3 \
        -cert "$pki/server-p256.crt" -key "$pki/server-p256.key" \
        -cert_chain "$pki/intermediate.crt"
    local spid=$bg_pid line
    if ! line=$(wait_match "$d/srv.out" '^ACCEPT 127\.0\.0\.1:[0-9]+' "$spid"); then
        fail "$name" "openssl s_server did not start: $(last_line "$d/srv.err")"
        stop "$spid"
        return
    fi
    echo hello | timeout "$case_timeout" "$tlsm" client "127.0.0.1:${line##*:}" "$@" \
        >"$d/cli.out" 2>"$d/cli.err"
    local rc=$?
    stop "$spid" 5
    if [ "$rc" -ne 1 ]; then
        fail "$name" "expected exit 1, got $rc: $(last_line "$d/cli.err")"
    elif ! grep -qiE -- "$pattern" "$d/cli.err"; then
        fail "$name" "reason does not match /$pattern/: $(last_line "$d/cli.err")"
    else
        ok "$name"
    fi
}

# case_demo NAME ARGS...: `tlsm demo ARGS` must succeed (no network: a smoke test of the
# binary and of the test PKI compiled into it).
case_demo() {
    local name=$1
    shift
    if timeout "$case_timeout" "$tlsm" demo "$@" >"$work/$name.out" 2>&1; then
        ok "$name"
    else
        fail "$name" "tlsm demo $*: $(last_line "$work/$name.out")"
    fi
}

# ---------------------------------------------------------------------------------------

if "$root/cli/gen_demo_pki.sh" | cmp -s - "$root/cli/demo_pki_data.c"; then
    ok "demo-pki-data-current"
else
    fail "demo-pki-data-current" "cli/demo_pki_data.c is stale: run cli/gen_demo_pki.sh > cli/demo_pki_data.c"
fi
for key in ed25519 p256 p384 rsa rsapss; do
    case_demo "demo-$key" --key "$key"
done
case_demo "demo-hrr-resume-client-auth" --hrr --resume --client-auth --alpn h2
case_demo "demo-tls12-resume" --tls12 --resume --key rsa

if ! command -v openssl >/dev/null; then
    skip "openssl" "openssl is not installed"
else
    suites="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
    groups="X25519 P-256 P-384"
    keys="ed25519 p256 p384 rsa rsapss"
    for suite in $suites; do
        for group in $groups; do
            for key in $keys; do
                case_s_server "s_server-$suite-$group-$key" 1.3 "$suite" "$suite" "$group" "$key"
                case_s_client "s_client-$suite-$group-$key" 1.3 "$suite" "$suite" "$group" "$key"
            done
        done
    done

    # TLS 1.2: "IANA name=openssl name" per key family.
    ecdsa_suites="TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256=ECDHE-ECDSA-AES128-GCM-SHA256
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384=ECDHE-ECDSA-AES256-GCM-SHA384
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256=ECDHE-ECDSA-CHACHA20-POLY1305"
    rsa_suites="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256=ECDHE-RSA-AES128-GCM-SHA256
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384=ECDHE-RSA-AES256-GCM-SHA384
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256=ECDHE-RSA-CHACHA20-POLY1305"
    dhe_suites="TLS_DHE_RSA_WITH_AES_128_GCM_SHA256=DHE-RSA-AES128-GCM-SHA256
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384=DHE-RSA-AES256-GCM-SHA384
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256=DHE-RSA-CHACHA20-POLY1305"
    for g in ffdhe2048 ffdhe3072; do
        openssl genpkey -genparam -algorithm DH -pkeyopt "group:$g" -out "$work/$g.pem" 2>/dev/null
    done
    # In TLS 1.2 the curve of an ECDSA certificate must be among the client's groups
    # (RFC 8422 s.5.1): the client offers it after the pinned ECDHE group.
    tls12_case() { # NAME SUITE=OSSL GROUP KEY [extra]
        local name=$1 pair=$2 group=$3 key=$4
        shift 4
        case $key in
            p256) cert_curve=P-256 ;;
            p384) cert_curve=P-384 ;;
            *) cert_curve= ;;
        esac
        [ "$cert_curve" = "$group" ] && cert_curve=
        case_s_server "s_server-1.2-$name" 1.2 "${pair%%=*}" "${pair#*=}" "$group" "$key" "$@"
        case_s_client "s_client-1.2-$name" 1.2 "${pair%%=*}" "${pair#*=}" "$group" "$key" "$@"
        cert_curve=
    }
    for pair in $ecdsa_suites; do
        for group in $groups; do
            for key in ed25519 p256 p384; do
                tls12_case "${pair#*=}-$group-$key" "$pair" "$group" "$key"
            done
        done
    done
    for pair in $rsa_suites; do
        for group in $groups; do
            for key in rsa rsapss; do
                tls12_case "${pair#*=}-$group-$key" "$pair" "$group" "$key"
            done
        done
    done
    for pair in $dhe_suites; do
        for group in ffdhe2048 ffdhe3072; do
            tls12_case "${pair#*=}-$group-rsa" "$pair" "$group" rsa
        done
    done
    # RSA key transport is off by default on both tlsm sides: pin it explicitly.
    case_s_server "s_server-1.2-AES128-GCM-SHA256-rsa-kx" 1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 \
        AES128-GCM-SHA256 X25519 rsa
    case_s_client "s_client-1.2-AES256-GCM-SHA384-rsa-kx" 1.2 TLS_RSA_WITH_AES_256_GCM_SHA384 \
        AES256-GCM-SHA384 X25519 rsa --sv --suite TLS_RSA_WITH_AES_256_GCM_SHA384

    s=TLS_AES_128_GCM_SHA256
    case_s_server "s_server-alpn" 1.3 $s $s X25519 p256 --sv -alpn h2 --cl --alpn http/1.1,h2
    if grep -q "ALPN h2" "$work/s_server-alpn/cli.err" 2>/dev/null; then
        ok "s_server-alpn-negotiated-h2"
    else
        fail "s_server-alpn-negotiated-h2" "$(last_line "$work/s_server-alpn/cli.err")"
    fi
    case_s_client "s_client-alpn" 1.3 $s $s X25519 p256 --sv --alpn h2,http/1.1 --cl -alpn h2
    if grep -q "ALPN h2" "$work/s_client-alpn/srv.err" 2>/dev/null; then
        ok "s_client-alpn-negotiated-h2"
    else
        fail "s_client-alpn-negotiated-h2" "tlsm server did not log ALPN h2"
    fi
    case_s_server "s_server-client-cert" 1.3 $s $s X25519 p256 \
        --sv -Verify 1 -CAfile "$pki/ca.crt" \
        --cl --cert "$pki/client.chain.pem" --key "$pki/client.key"
    case_s_client "s_client-client-cert" 1.3 $s $s X25519 p256 \
        --sv --client-ca "$pki/ca.crt" \
        --cl -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt"
    case_must_fail "must-fail-unknown-ca" "verif|unknown_ca|bad_certificate|issuer"
    case_must_fail "must-fail-wrong-name" "verif|name|bad_certificate" \
        --ca "$pki/ca.crt" --servername wrong.example.com
fi

if ! command -v gnutls-cli >/dev/null; then
    skip "gnutls-cli" "gnutls-cli is not installed"
else
    case_gnutls "gnutls-cli-CHACHA20-POLY1305-X25519-ed25519" TLS1.3 CHACHA20-POLY1305 X25519 ed25519
    case_gnutls "gnutls-cli-AES-128-GCM-SECP256R1-rsa" TLS1.3 AES-128-GCM SECP256R1 rsa
    case_gnutls "gnutls-cli-AES-256-GCM-SECP384R1-p384" TLS1.3 AES-256-GCM SECP384R1 p384
    case_gnutls "gnutls-cli-AES-128-GCM-X25519-rsapss" TLS1.3 AES-128-GCM X25519 rsapss
    case_gnutls "gnutls-cli-1.2-AES-128-GCM-SECP256R1-p256" TLS1.2 AES-128-GCM SECP256R1 p256
    case_gnutls "gnutls-cli-1.2-CHACHA20-POLY1305-X25519-rsa" TLS1.2 CHACHA20-POLY1305 X25519 rsa
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
