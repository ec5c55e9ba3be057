#!/usr/bin/env bash
# run.sh - interop tests: `tlsm client` and `tlsm server` against real TLS 1.3 and 1.2
# peers (openssl s_server / s_client, gnutls-cli, NSS tstclnt) on 127.0.0.1 only.
#
#   tests/interop/run.sh [path/to/tlsm]        (default: build/tlsm)
#
# For every TLS 1.3 suite x group x server key type it runs
#   (a) openssl s_server -rev (reverse echo)  <-  tlsm client  (one line, reversed back)
#   (b) tlsm server --once (echo)             <-  openssl s_client (one line, echoed back)
# then the same two directions for TLS 1.2 (ECDHE with every group and key type, DHE with
# the RFC 7919 groups and with s_server's default RFC 3526 parameters, RSA key transport),
# tlsm's default groups (post-quantum hybrid first) against a server without ML-KEM, plus
# gnutls-cli cases, ALPN, client
# certificates in both directions for TLS 1.3 and 1.2 (each verified by the peer, and
# required: no certificate, no connection) and must-fail checks. Each case also checks
# that the peer reports the version, suite and group that were pinned. Resumption is
# checked in both roles: tlsm client --session against s_server (TLS 1.3 ticket, TLS 1.2
# ticket, TLS 1.2 session ID), s_client -sess_out/-sess_in and gnutls-cli --resume against
# a tlsm server that serves both connections (tickets, and session IDs with --no-tickets).
# First come `tlsm demo` smoke tests, checks of the ladders it draws (TLS 1.2 order of
# RFC 5246, HelloRetryRequest), of the testing kit's documents it prints (--trace mermaid,
# --trace json), of the capture and key log it writes (decrypted by tshark when installed),
# of faults (--fault) that must end with a given error, and a check that
# cli/demo_pki_data.c still matches tests/data/pki.
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

# openssl spellings of the groups (as tlsm names them) in s_client -brief's "Server Temp
# Key" line.
openssl_temp_key() {
    case $1 in
        x25519) echo "X25519" ;;
        secp256r1) echo "prime256v1" ;;
        secp384r1) echo "secp384r1" ;;
        ffdhe2048) echo "DH, 2048 bits" ;;
        ffdhe3072) echo "DH, 3072 bits" ;;
    esac
}

# tlsm_group SUITE GROUP: the name tlsm reports (tlsm_group_name) for a group given as the
# script spells it; RSA key transport has none.
tlsm_group() {
    if [[ $1 == TLS_RSA_* ]]; then
        echo none
        return
    fi
    case $2 in
        X25519) echo x25519 ;;
        P-256) echo secp256r1 ;;
        P-384) echo secp384r1 ;;
        default) echo x25519 ;; # tlsm's defaults against a peer without ML-KEM
        *) echo "$2" ;;
    esac
}

# split_args ARGS...: sorts arguments after --sv and --cl into the arrays sv and cl (which
# the caller declares local).
split_args() {
    local mode= a
    for a in "$@"; do
        case $a in
            --sv | --cl) mode=$a ;;
            *) if [ "$mode" = --sv ]; then sv+=("$a"); else cl+=("$a"); fi ;;
        esac
    done
}

# openssl_proto PROTO OSSL_SUITE GROUPS: the openssl options that pin a version, suite and
# groups (TLS 1.2 DHE takes the RFC 7919 group as explicit parameters; modp* means the
# server's default parameters, an RFC 3526 group).
openssl_proto() {
    local proto=$1 ossl=$2 group=$3
    if [ "$proto" = 1.3 ] && [ "$group" = default ]; then
        echo "-tls1_3 -ciphersuites $ossl" # the server's own groups
    elif [ "$proto" = 1.3 ]; then
        echo "-tls1_3 -ciphersuites $ossl -groups $group"
    elif [[ $group == modp* ]]; then
        echo "-tls1_2 -cipher $ossl" # no -dhparam: OpenSSL's own (RFC 3526) parameters
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
    local sv=() cl=()
    split_args "$@"
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
        --ca "$pki/ca.crt" --servername localhost --suite "$suite" \
        $(case $group in modp*) echo "--group ffdhe2048" ;; default) ;; *) echo "--group $group" ;; esac) \
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
    elif [ "$group" = default ] && grep -q "HelloRetryRequest" "$d/cli.err"; then
        fail "$name" "a HelloRetryRequest: $(last_line "$d/cli.err")"
    else
        ok "$name"
    fi
}

# ---------------------------------------------------------------------------------------
# (b) tlsm server (--once), a client program that gets one line echoed back
# start_tlsm_server DIR KEY [tlsm server args...]: sets $srv_pid and $srv_port.
start_tlsm_server() {
    local d=$1 key=$2
    shift 2
    mkdir -p "$d"
    start_bg "$d/srv.out" "$d/srv.err" /dev/null "$tlsm" server \
        --cert "$pki/server-$key.chain.pem" --key "$pki/server-$key.key" \
        --port 0 "$@"
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
    local sv=() cl=()
    split_args "$@"
    local d=$work/$name
    # Pin the server's group when the client offers more than one, or none (openssl's
    # TLS 1.2 client sends no supported_groups when it offers only DHE suites).
    if [ -n "$cert_curve" ] || [[ $group == ffdhe* ]]; then
        sv+=(--group "$group")
    fi
    if ! start_tlsm_server "$d" "$key" --once "${sv[@]}"; then
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
    if ! start_tlsm_server "$d" "$key" --once; then
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
    elif [ "$talk_rc" -ne 0 ]; then
        fail "$name" "gnutls-cli exit $talk_rc: $(last_line "$d/cli.err")"
    elif [ "$stop_rc" -ne 0 ]; then
        fail "$name" "tlsm server exit $stop_rc: $(last_line "$d/srv.err")"
    elif ! grep -q "($vers-X.509)-(ECDHE-$group)-.*-($cipher)" "$d/cli.out"; then
        fail "$name" "unexpected session: $(grep 'Description' "$d/cli.out")"
    else
        ok "$name"
    fi
}

# case_must_fail NAME PATTERN [--sv s_server args] [--cl tlsm client args]: against
# s_server with the P-256 key (TLS 1.3 unless the s_server args say otherwise), the tlsm
# client must exit 1 with a reason matching PATTERN.
case_must_fail() {
    local name=$1 pattern=$2
    shift 2
    local d=$work/$name sv=() cl=()
    split_args "$@"
    [ "${#sv[@]}" -eq 0 ] && sv=(-tls1_3)
    mkdir -p "$d"
    start_bg "$d/srv.out" "$d/srv.err" /dev/null \
        openssl s_server -accept 127.0.0.1:0 -naccept 1 -rev "${sv[@]}" \
        -cert "$pki/server-p256.crt" -key "$pki/server-p256.key" \
        -cert_chain "$pki/intermediate.crt"
    local spid=$bg_pid line
    if ! line=$(wait_match "$d/srv.out" '^ACCEPT 127\.0\.0\.1:[0-9]+' "$spid"); then
        fail "$name" "openssl s_server did not start: $(last_line "$d/srv.err")"
        stop "$spid"
        return
    fi
    echo hello | timeout "$case_timeout" "$tlsm" client "127.0.0.1:${line##*:}" "${cl[@]}" \
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
# Resumption. In every direction the first connection is a full handshake and the second
# must resume the session of the first; every line sent must still come back.

# case_resume_s_server NAME PROTO TICKETS [s_server args...]: `tlsm client --session FILE`
# twice against one openssl s_server -naccept 2 (P-256 key). PROTO is 1.3 or 1.2; TICKETS
# is yes when the server must have sent a NewSessionTicket (s_server -msg shows it) and no
# when the session must have been resumed by its session ID. The first summary must say
# "not resumed", the second "resumed", and the session file must have mode 0600.
case_resume_s_server() {
    local name=$1 proto=$2 tickets=$3
    shift 3
    local d=$work/$name
    mkdir -p "$d"
    start_bg "$d/srv.out" "$d/srv.err" /dev/null \
        openssl s_server -accept 127.0.0.1:0 -naccept 2 -rev -msg "-tls${proto/./_}" \
        -cert "$pki/server-p256.crt" -key "$pki/server-p256.key" \
        -cert_chain "$pki/intermediate.crt" "$@"
    local spid=$bg_pid line i rc msg why=
    if ! line=$(wait_match "$d/srv.out" '^ACCEPT 127\.0\.0\.1:[0-9]+' "$spid"); then
        fail "$name" "openssl s_server did not start: $(last_line "$d/srv.err")"
        stop "$spid"
        return
    fi
    for i in 1 2; do
        msg="tlsm-interop-$name-$i-$RANDOM"
        printf '%s\n' "$msg" | timeout "$case_timeout" "$tlsm" client "127.0.0.1:${line##*:}" \
            --ca "$pki/ca.crt" --servername localhost "--tls${proto/./}" \
            --session "$d/session" >"$d/cli$i.out" 2>"$d/cli$i.err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            why="connection $i: tlsm client exit $rc: $(last_line "$d/cli$i.err")"
            break
        elif [ "$(cat "$d/cli$i.out")" != "$(printf '%s' "$msg" | rev)" ]; then
            why="connection $i: no reversed line back: '$(head -c 200 "$d/cli$i.out")'"
            break
        fi
    done
    stop "$spid" "$([ -z "$why" ] && echo "$grace" || echo 1)"
    local tickets_seen
    tickets_seen=$(grep -c 'NewSessionTicket' "$d/srv.out")
    if [ -n "$why" ]; then
        fail "$name" "$why"
    elif ! grep -q "TLS $proto, .*, not resumed\$" "$d/cli1.err"; then
        fail "$name" "first connection: $(last_line "$d/cli1.err")"
    elif ! grep -q "TLS $proto, .*, resumed\$" "$d/cli2.err" ||
        grep -q "not resumed" "$d/cli2.err"; then
        fail "$name" "second connection not resumed: $(last_line "$d/cli2.err")"
    elif [ "$(stat -c %a "$d/session" 2>/dev/null)" != 600 ]; then
        fail "$name" "session file mode is $(stat -c %a "$d/session" 2>/dev/null), not 600"
    elif [ "$tickets" = yes ] && [ "$tickets_seen" -eq 0 ]; then
        fail "$name" "s_server sent no NewSessionTicket"
    elif [ "$tickets" = no ] && [ "$tickets_seen" -ne 0 ]; then
        fail "$name" "s_server sent a NewSessionTicket: not a session-ID resumption"
    else
        ok "$name"
    fi
}

# case_reconnect_s_server NAME: `tlsm client --reconnect 2` against s_server -naccept 3
# (TLS 1.3): three connections, the last two resumed, the line reversed back each time.
case_reconnect_s_server() {
    local name=$1 d=$work/$1
    mkdir -p "$d"
    start_bg "$d/srv.out" "$d/srv.err" /dev/null \
        openssl s_server -accept 127.0.0.1:0 -naccept 3 -rev -tls1_3 \
        -cert "$pki/server-p256.crt" -key "$pki/server-p256.key" \
        -cert_chain "$pki/intermediate.crt"
    local spid=$bg_pid line
    if ! line=$(wait_match "$d/srv.out" '^ACCEPT 127\.0\.0\.1:[0-9]+' "$spid"); then
        fail "$name" "openssl s_server did not start: $(last_line "$d/srv.err")"
        stop "$spid"
        return
    fi
    local msg="tlsm-interop-$name-$RANDOM"
    printf '%s\n' "$msg" | timeout "$case_timeout" "$tlsm" client "127.0.0.1:${line##*:}" \
        --ca "$pki/ca.crt" --servername localhost --reconnect 2 >"$d/cli.out" 2>"$d/cli.err"
    local rc=$?
    stop "$spid" "$([ "$rc" -eq 0 ] && echo "$grace" || echo 1)"
    local want
    want=$(printf '%s' "$msg" | rev)
    if [ "$rc" -ne 0 ]; then
        fail "$name" "tlsm client exit $rc: $(last_line "$d/cli.err")"
    elif [ "$(grep -c -x -- "$want" "$d/cli.out")" -ne 3 ]; then
        fail "$name" "expected '$want' back 3 times, got '$(head -c 300 "$d/cli.out")'"
    elif ! grep -q "(1 of 3): TLS 1.3, .*, not resumed\$" "$d/cli.err" ||
        ! grep -q "(2 of 3): TLS 1.3, .*, resumed\$" "$d/cli.err" ||
        ! grep -q "(3 of 3): TLS 1.3, .*, resumed\$" "$d/cli.err" ||
        [ "$(grep -c 'not resumed' "$d/cli.err")" -ne 1 ]; then
        fail "$name" "unexpected summaries: $(grep -h 'connected to' "$d/cli.err" | tr '\n' '|')"
    else
        ok "$name"
    fi
}

# check_server_resumed NAME DIR: the tlsm server's log shows connection #1 as a full
# handshake and #2 as resumed. Prints the reason and returns 1 otherwise.
check_server_resumed() {
    local d=$2
    if grep -q '#1 .*handshake done: .*resumed' "$d/srv.err"; then
        echo "tlsm server resumed the first connection"
        return 1
    elif ! grep -q '#2 .*handshake done: .*, resumed' "$d/srv.err"; then
        echo "tlsm server did not resume: $(grep '#2 ' "$d/srv.err" | tail -n 1)"
        return 1
    fi
}

# case_resume_s_client NAME PROTO TICKETS [--sv tlsm server args] [--cl s_client args]:
# openssl s_client -sess_out, then -sess_in, against one tlsm server (P-256 key) that
# serves both; the second s_client must print "Reused, TLSv<PROTO>" and both lines must be
# echoed. TICKETS yes/no: whether the first session must hold a ticket.
case_resume_s_client() {
    local name=$1 proto=$2 tickets=$3
    shift 3
    local d=$work/$name sv=() cl=() i why= sess
    split_args "$@"
    if ! start_tlsm_server "$d" p256 "--tls${proto/./}" "${sv[@]}"; then
        fail "$name" "tlsm server did not start: $(last_line "$d/srv.err")"
        stop "$srv_pid"
        return
    fi
    for i in 1 2; do
        mkdir -p "$d/$i"
        sess=(-sess_out "$d/session.pem")
        [ "$i" = 2 ] && sess=(-sess_in "$d/session.pem")
        talk "$d/$i" "tlsm-interop-$name-$i-$RANDOM" openssl s_client \
            -connect "127.0.0.1:$srv_port" "-tls${proto/./_}" -CAfile "$pki/ca.crt" \
            -verify_return_error -servername localhost "${sess[@]}" "${cl[@]}"
        if [ "$talk_echoed" -ne 1 ] || [ "$talk_rc" -ne 0 ]; then
            why="connection $i: echoed=$talk_echoed, s_client exit $talk_rc:"
            why+=" $(last_line "$d/$i/cli.err"); server: $(last_line "$d/srv.err")"
            break
        fi
    done
    stop "$srv_pid" 1 # it serves until killed
    if [ -n "$why" ]; then
        fail "$name" "$why"
    elif ! grep -q "^New, TLSv$proto," "$d/1/cli.out"; then
        fail "$name" "first s_client: $(grep -E '^(New|Reused)' "$d/1/cli.out")"
    elif ! grep -q "^Reused, TLSv$proto," "$d/2/cli.out"; then
        fail "$name" "second s_client: $(grep -E '^(New|Reused)' "$d/2/cli.out")"
    elif ! why=$(check_server_resumed "$name" "$d"); then
        fail "$name" "$why"
    elif [ "$tickets" = yes ] && ! grep -q 'TLS session ticket' "$d/1/cli.out"; then
        fail "$name" "the first session holds no ticket"
    elif [ "$tickets" = no ] && grep -q 'TLS session ticket' "$d/1/cli.out"; then
        fail "$name" "the first session holds a ticket: not a session-ID resumption"
    else
        ok "$name"
    fi
}

# case_nss_fallback: NSS's tstclnt limited to TLS 1.2 and sending TLS_FALLBACK_SCSV (-K),
# as a browser retrying after a failed TLS 1.3 attempt does, against a tlsm server that
# speaks TLS 1.3: refused with inappropriate_fallback (RFC 7507 s.3, issue 16 item 4).
# Control: the same client without -K completes TLS 1.2 and echoes its line.
case_nss_fallback() {
    if ! command -v tstclnt >/dev/null; then
        if [ "${CI:-}" = true ]; then
            fail "nss-tstclnt-fallback-scsv" "tstclnt not installed (libnss3-tools)"
        else
            skip "nss-tstclnt-fallback-scsv" "tstclnt not installed (libnss3-tools)"
        fi
        return
    fi
    local d=$work/nss-fallback
    if ! start_tlsm_server "$d" p256; then
        fail "nss-tstclnt-fallback-scsv" "tlsm server did not start: $(last_line "$d/srv.err")"
        stop "$srv_pid"
        return
    fi
    local msg="tlsm-interop-nss-$RANDOM"
    talk "$d" "$msg" tstclnt -h 127.0.0.1 -p "$srv_port" -D -o -V tls1.2:tls1.2 -K
    if grep -q "SSL_ERROR_INAPPROPRIATE_FALLBACK_ALERT" "$d/cli.err" "$d/cli.out" 2>/dev/null &&
       [ "$talk_echoed" -eq 0 ]; then
        ok "nss-tstclnt-fallback-scsv"
    else
        fail "nss-tstclnt-fallback-scsv" "not refused with inappropriate_fallback: $(last_line "$d/cli.err")"
    fi
    msg="tlsm-interop-nss-$RANDOM"
    talk "$d" "$msg" tstclnt -h 127.0.0.1 -p "$srv_port" -D -o -V tls1.2:tls1.2
    if [ "$talk_echoed" -eq 1 ]; then
        ok "nss-tstclnt-1.2-without-scsv"
    else
        fail "nss-tstclnt-1.2-without-scsv" "no echo (tstclnt exit $talk_rc: $(last_line "$d/cli.err"))"
    fi
    stop "$srv_pid"
}

# case_gnutls_resume NAME VERS [--sv tlsm server args] [--cl gnutls-cli args]: gnutls-cli
# --resume (it connects, disconnects and connects again offering the session) against a
# tlsm server that serves both; the second connection must be resumed and echo the line.
case_gnutls_resume() {
    local name=$1 vers=$2
    shift 2
    local d=$work/$name sv=() cl=()
    split_args "$@"
    if ! start_tlsm_server "$d" p256 "${sv[@]}"; then
        fail "$name" "tlsm server did not start: $(last_line "$d/srv.err")"
        stop "$srv_pid"
        return
    fi
    talk "$d" "tlsm-interop-$name-$RANDOM" gnutls-cli --x509cafile "$pki/ca.crt" \
        --port "$srv_port" --resume --priority "NORMAL:-VERS-ALL:+VERS-$vers" "${cl[@]}" 127.0.0.1
    stop "$srv_pid" 1 # it serves until killed
    local why
    if [ "$talk_echoed" -ne 1 ]; then
        fail "$name" "no echo (gnutls-cli exit $talk_rc: $(last_line "$d/cli.err"); server: $(last_line "$d/srv.err"))"
    elif [ "$talk_rc" -ne 0 ]; then
        fail "$name" "gnutls-cli exit $talk_rc: $(last_line "$d/cli.err")"
    elif ! grep -q '^\*\*\* This is a resumed session' "$d/cli.out"; then
        fail "$name" "gnutls-cli did not resume: $(grep -i 'resum' "$d/cli.out" | tail -n 1)"
    elif ! grep -q "^- Description: ($vers-" "$d/cli.out"; then
        fail "$name" "unexpected version: $(grep 'Description' "$d/cli.out" | tail -n 1)"
    elif ! why=$(check_server_resumed "$name" "$d"); then
        fail "$name" "$why"
    else
        ok "$name"
    fi
}

# case_server_requires_cert NAME PROTO: tlsm server --client-ca and an s_client without a
# certificate: the handshake must fail on both sides and nothing be echoed.
case_server_requires_cert() {
    local name=$1 proto=$2 d=$work/$1
    if ! start_tlsm_server "$d" rsa --once "--tls${proto/./}" --client-ca "$pki/ca.crt"; then
        fail "$name" "tlsm server did not start: $(last_line "$d/srv.err")"
        stop "$srv_pid"
        return
    fi
    talk "$d" "tlsm-interop-$name-$RANDOM" openssl s_client -connect "127.0.0.1:$srv_port" \
        "-tls${proto/./_}" -CAfile "$pki/ca.crt" -servername localhost -brief
    stop "$srv_pid" "$grace"
    if [ "$talk_echoed" -ne 0 ]; then
        fail "$name" "tlsm server echoed data to a client without a certificate"
    elif [ "$stop_rc" -ne 1 ]; then
        fail "$name" "tlsm server exit $stop_rc, expected 1: $(last_line "$d/srv.err")"
    elif ! grep -qE 'handshake failed: sent alert (handshake_failure|certificate_required)' \
        "$d/srv.err"; then
        fail "$name" "unexpected server log: $(last_line "$d/srv.err")"
    else
        ok "$name"
    fi
}

# check_s_server_verified NAME CASE: openssl s_server (case CASE) received and verified
# the tlsm client's certificate.
check_s_server_verified() {
    local f=$work/$2/srv.err
    if grep -q '^Peer certificate: CN = client.tlsm.test' "$f" 2>/dev/null &&
        grep -q '^Verification: OK' "$f"; then
        ok "$1"
    else
        fail "$1" "s_server did not verify a client certificate: $(last_line "$f")"
    fi
}

# check_tlsm_server_verified NAME CASE: the tlsm server (case CASE) verified the client's
# certificate.
check_tlsm_server_verified() {
    if grep -q 'handshake done: .*client certificate verified' "$work/$2/srv.err" 2>/dev/null; then
        ok "$1"
    else
        fail "$1" "tlsm server did not log a verified client certificate"
    fi
}

# ---------------------------------------------------------------------------------------
# `tlsm demo` output checks.

# demo_messages FILE: the first ladder of a text demo as "C Name" / "S Name" lines, up to
# the first application data.
demo_messages() {
    awk '/application data/ { exit }
         / -+> *$/ { sub(/ +-+> *$/, ""); sub(/^ +/, ""); print "C " $0; next }
         /<-+ / { sub(/^ *<-+ +/, ""); print "S " $0 }' "$1"
}

# case_demo_ladder NAME REGEX ARGS...: `tlsm demo ARGS` must draw a ladder that REGEX (an
# extended regular expression) matches as a whole: the messages, comma-separated, as
# demo_messages prints them.
case_demo_ladder() {
    local name=$1 want=$2
    shift 2
    local got
    if ! timeout "$case_timeout" "$tlsm" demo "$@" >"$work/$name.out" 2>&1; then
        fail "$name" "tlsm demo $*: $(last_line "$work/$name.out")"
        return
    fi
    got=$(demo_messages "$work/$name.out" | paste -sd, -)
    if [[ $got =~ ^($want)$ ]]; then
        ok "$name"
    else
        fail "$name" "ladder is '$got'"
    fi
}

# case_demo_mermaid NAME STATUS ARGS...: `tlsm demo --trace mermaid ARGS` must exit with
# STATUS (1: a fault made it fail, with one line on stderr) and print the testing kit's
# Mermaid sequence diagram and nothing else: the header, participants, notes and messages
# (lost ones as -x) whose text holds none of '#', ';' and ':' (special in Mermaid),
# starting with the ClientHello.
case_demo_mermaid() {
    local name=$1 status=$2
    shift 2
    local f=$work/$name.out bad rc
    timeout "$case_timeout" "$tlsm" demo --trace mermaid "$@" >"$f" 2>"$f.err"
    rc=$?
    if [ "$rc" -ne "$status" ]; then
        fail "$name" "tlsm demo --trace mermaid $*: exit $rc: $(last_line "$f.err")"
        return
    fi
    local line_re='^    (participant C as client|participant S as server'
    line_re+='|Note (over C,S|left of C|right of S): [^#;]+|[CS](->>|-x)[CS]: [^#;:]+)$'
    bad=$(tail -n +2 "$f" | grep -vE "$line_re" | head -n 1)
    if [ "$(head -n 1 "$f")" != sequenceDiagram ]; then
        fail "$name" "first line is '$(head -n 1 "$f")'"
    elif [ -n "$bad" ]; then
        fail "$name" "not a Mermaid sequence diagram line: '$bad'"
    elif [ "$(grep -m1 -E -- '->>' "$f")" != "    C->>S: ClientHello [plaintext]" ]; then
        fail "$name" "first message is '$(grep -m1 -E -- '->>' "$f")'"
    elif [ "$(grep -c . "$f.err")" -ne "$status" ]; then
        fail "$name" "stderr: $(last_line "$f.err")"
    else
        ok "$name"
    fi
}

# case_demo_json NAME EXPR ARGS...: `tlsm demo --trace json ARGS` must print one JSON
# document and nothing else (python3 -m json.tool parses it) for which the Python
# expression EXPR, over the parsed document `d`, is true.
case_demo_json() {
    local name=$1 expr=$2
    shift 2
    local f=$work/$name.out
    if ! command -v python3 >/dev/null; then
        skip "$name" "python3 is not installed"
        return
    fi
    if ! timeout "$case_timeout" "$tlsm" demo --trace json "$@" >"$f" 2>"$f.err"; then
        fail "$name" "tlsm demo --trace json $*: $(last_line "$f.err")"
    elif ! python3 -m json.tool "$f" >/dev/null 2>"$f.json-err"; then
        fail "$name" "not JSON: $(last_line "$f.json-err")"
    elif ! python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($expr) else 1)" "$f" 2>"$f.json-err"; then
        fail "$name" "the trace does not satisfy: $expr"
    elif [ -s "$f.err" ]; then
        fail "$name" "stderr: $(last_line "$f.err")"
    else
        ok "$name"
    fi
}

# case_demo_capture NAME ARGS...: `tlsm demo --pcap F --keylog K ARGS` must write both
# files, non-empty; with tshark installed, the capture must show a decrypted Finished with
# the key log and none without it (Finished is encrypted in both versions).
case_demo_capture() {
    local name=$1
    shift
    local d=$work/$name
    mkdir -p "$d"
    if ! timeout "$case_timeout" "$tlsm" demo --pcap "$d/demo.pcap" --keylog "$d/keylog" "$@" \
        >"$d/out" 2>&1; then
        fail "$name" "tlsm demo $*: $(last_line "$d/out")"
        return
    fi
    if [ ! -s "$d/demo.pcap" ] || [ ! -s "$d/keylog" ]; then
        fail "$name" "the capture or the key log is missing or empty"
        return
    fi
    if ! command -v tshark >/dev/null; then
        ok "$name"
        skip "$name-tshark" "tshark is not installed"
        return
    fi
    ok "$name"
    timeout 60 tshark -r "$d/demo.pcap" -o "tls.keylog_file:$d/keylog" -Y tls \
        >"$d/tshark" 2>"$d/tshark.err"
    timeout 60 tshark -r "$d/demo.pcap" -Y tls >"$d/tshark-nokeys" 2>&1
    if ! grep -qE 'Finished|Application Data' "$d/tshark"; then
        fail "$name-tshark" "tshark decrypted nothing: $(head -c 300 "$d/tshark")"
    elif grep -q 'Finished' "$d/tshark-nokeys"; then
        fail "$name-tshark" "Finished shows even without the key log: the check proves nothing"
    else
        ok "$name-tshark"
    fi
}

# case_demo_fault NAME REASON OUTCOME ARGS...: `tlsm demo ARGS` (with --fault in ARGS)
# must exit 1 with a last stderr line matching REASON and print, under the ladder, how
# each side ended: OUTCOME must match one line of stdout (extended regular expressions).
case_demo_fault() {
    local name=$1 reason=$2 outcome=$3
    shift 3
    local f=$work/$name.out rc
    timeout "$case_timeout" "$tlsm" demo "$@" >"$f" 2>"$f.err"
    rc=$?
    if [ "$rc" -ne 1 ]; then
        fail "$name" "tlsm demo $*: expected exit 1, got $rc: $(last_line "$f.err")"
    elif ! last_line "$f.err" | grep -qE -- "$reason"; then
        fail "$name" "reason does not match /$reason/: $(last_line "$f.err")"
    elif ! grep -qE -- "$outcome" "$f"; then
        fail "$name" "no line of the output matches /$outcome/"
    elif ! grep -q '^  client ended ' "$f" || ! grep -q '^  server ended ' "$f"; then
        fail "$name" "the output does not say how each side ended"
    else
        ok "$name"
    fi
}

# ---------------------------------------------------------------------------------------

for key in ed25519 p256 p384 rsa rsapss; do
    case_demo "demo-$key" --key "$key"
done
case_demo "demo-hrr-resume-client-auth" --hrr --resume --client-auth --alpn h2
case_demo "demo-tls12-resume" --tls12 --resume --key rsa
# The TLS 1.2 ladder in the order of RFC 5246 s.7.3 (Figure 1), with client authentication;
# the ticket comes before the server's ChangeCipherSpec (RFC 5077 s.3.1).
ladder="C ClientHello,S ServerHello,S Certificate,S ServerKeyExchange,S CertificateRequest"
ladder+=",S ServerHelloDone,C Certificate,C ClientKeyExchange,C CertificateVerify"
ladder+=",C ChangeCipherSpec,C \[Finished\],S NewSessionTicket,S ChangeCipherSpec,S \[Finished\]"
case_demo_ladder "demo-tls12-client-auth-ladder" "$ladder" --tls12 --client-auth
ladder="C ClientHello,S ServerHello,(S ChangeCipherSpec \(compat\),)?S \{EncryptedExtensions\}"
ladder+=",S \{Certificate\},S \{CertificateVerify\},S \{Finished\}"
ladder+=",(C ChangeCipherSpec \(compat\),)?C \{Finished\},S \[NewSessionTicket\]"
case_demo_ladder "demo-tls13-ladder" "$ladder"
# The HelloRetryRequest is labelled from the trace event's hrr flag.
case_demo_ladder "demo-hrr-ladder" \
    "C ClientHello,S HelloRetryRequest,(.*,)?C ClientHello,S ServerHello,.*" --hrr
case_demo_mermaid "demo-mermaid" 0
case_demo_mermaid "demo-mermaid-tls12-resume-client-auth" 0 --tls12 --resume --client-auth
case_demo_mermaid "demo-mermaid-hrr" 0 --hrr
if grep -q '^    S->>C: HelloRetryRequest \[plaintext\]$' "$work/demo-mermaid-hrr.out" 2>/dev/null
then
    ok "demo-mermaid-hrr-labelled"
else
    fail "demo-mermaid-hrr-labelled" "no HelloRetryRequest in the diagram"
fi
case_demo_mermaid "demo-mermaid-fault-drop" 1 --fault drop@s2c:msg=Certificate
if grep -qE '^    S-xC: ' "$work/demo-mermaid-fault-drop.out" 2>/dev/null; then
    ok "demo-mermaid-fault-drop-lost"
else
    fail "demo-mermaid-fault-drop-lost" "no lost message (S-xC) in the diagram"
fi

# JSON traces: both sides' reports, the records in order, an array with --resume.
both_closed='all(d[s]["handshake_done"] and d[s]["peer_closed"] for s in ("client", "server"))'
case_demo_json "demo-json" \
    "$both_closed and d[\"records\"][0][\"messages\"][0][\"name\"] == \"ClientHello\"
     and d[\"client\"][\"version\"] == \"TLS 1.3\""
case_demo_json "demo-json-tls12-client-auth" \
    "$both_closed and d[\"server\"][\"version\"] == \"TLS 1.2\"" --tls12 --client-auth
case_demo_json "demo-json-resume" \
    "isinstance(d, list) and len(d) == 2 and d[1][\"client\"][\"resumed\"]" --resume
case_demo_json "demo-json-hrr" \
    "d[\"client\"][\"hrr\"] and any(m[\"name\"] == \"HelloRetryRequest\"
     for r in d[\"records\"] for m in r[\"messages\"])" --hrr

# Capture and key log, decrypted by tshark: both versions, and a resumed TLS 1.3 one.
case_demo_capture "demo-capture-tls13"
case_demo_capture "demo-capture-tls12" --tls12 --key rsa
case_demo_capture "demo-capture-tls12-chacha" --tls12 \
    --suite TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256

# Faults with outcomes the RFCs fix. A changed byte in a protected record fails its AEAD
# tag: bad_record_mac (RFC 8446 s.5.2, RFC 5246 s.7.2.2), from whichever side reads it.
case_demo_fault "demo-fault-corrupt-tls13-server-flight" \
    "during the handshake: the client reports: sent alert bad_record_mac" \
    "^  server ended +peer sent alert bad_record_mac; alert sent none, received bad_record_mac$" \
    --fault 'corrupt@s2c:rec=2'
case_demo_fault "demo-fault-corrupt-tls12-client-finished" \
    "during the handshake: the server reports: sent alert bad_record_mac" \
    "^  client ended +peer sent alert bad_record_mac" \
    --tls12 --fault corrupt@c2s:msg=Finished
case_demo_fault "demo-fault-corrupt-application-data" \
    "while exchanging data: the server reports: sent alert bad_record_mac" \
    "^  client ended +peer sent alert bad_record_mac" \
    --fault corrupt@c2s:msg=ApplicationData --seed 7
# A Finished where the ChangeCipherSpec belongs (RFC 5246 s.7.4.9) and a second
# ServerHello: unexpected_message.
case_demo_fault "demo-fault-drop-tls12-ccs" \
    "during the handshake: the server reports: sent alert unexpected_message" \
    "^  server ended +sent alert unexpected_message" \
    --tls12 --fault drop@c2s:msg=ChangeCipherSpec
case_demo_fault "demo-fault-dup-server-hello" \
    "during the handshake: the client reports: sent alert unexpected_message" \
    "^  client ended +sent alert unexpected_message" \
    --fault dup@s2c:rec=0
# A lost server flight: both sides wait, the demo ends the stream, each reports truncation.
case_demo_fault "demo-fault-drop-certificate" \
    "during the handshake: it stalled.* the client reports: .*truncated" \
    "^  client ended +connection truncated" \
    --fault drop@s2c:msg=Certificate
case_demo_fault "demo-fault-drop-certificate-tls12" \
    "during the handshake: it stalled.* the client reports: .*truncated" \
    "^  server ended +connection truncated" \
    --tls12 --fault drop@s2c:msg=Certificate
# Faults TLS rides out: records fed one byte at a time, a flight delayed.
case_demo "demo-fault-fragment-survives" --fault fragment@s2c:all --fault fragment:3@c2s:all
case_demo "demo-fault-delay-survives" --fault delay:3@s2c:rec=2
if grep -q '^  faults .*TLS carried on)$' "$work/demo-fault-fragment-survives.out" 2>/dev/null
then
    ok "demo-fault-fragment-survives-reported"
else
    fail "demo-fault-fragment-survives-reported" "the summary does not list the faults"
fi
# A fault and a JSON trace: stdout is still only the document, the exit status says it failed.
if command -v python3 >/dev/null; then
    timeout "$case_timeout" "$tlsm" demo --trace json --fault 'corrupt@s2c:rec=2' \
        >"$work/demo-fault-json.out" 2>"$work/demo-fault-json.err"
    rc=$?
    if [ "$rc" -ne 1 ]; then
        fail "demo-fault-json" "expected exit 1, got $rc"
    elif ! python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["client"]["alert_sent"] == "bad_record_mac"
         and d["server"]["alert_received"] == "bad_record_mac" else 1)' \
        "$work/demo-fault-json.out" 2>/dev/null; then
        fail "demo-fault-json" "the JSON trace does not show the bad_record_mac alert"
    else
        ok "demo-fault-json"
    fi
else
    skip "demo-fault-json" "python3 is not installed"
fi
if timeout "$case_timeout" "$tlsm" demo --fault 'nonsense@s2c' >/dev/null 2>&1; [ $? -eq 2 ]; then
    ok "demo-fault-usage"
else
    fail "demo-fault-usage" "a spec that does not parse must be a usage error (exit 2)"
fi

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
    # tlsm's default groups (an X25519MLKEM768 share and an X25519 one) against a server
    # without ML-KEM (OpenSSL 3.0): X25519 at once, no HelloRetryRequest (issue 19).
    case_s_server "s_server-default-groups" 1.3 TLS_AES_128_GCM_SHA256 TLS_AES_128_GCM_SHA256 \
        default p256
    # DHE with s_server's default parameters (no -dhparam: an RFC 3526 group, issue 16
    # item 12): a tlsm client that enables DHE accepts it by exact match.
    case_s_server "s_server-1.2-dhe-default-params" 1.2 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 \
        DHE-RSA-AES128-GCM-SHA256 modp2048 rsa
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
    # Client certificates in TLS 1.2, both directions, ECDSA (P-256) client key against RSA
    # and ECDSA servers: the peer must really have received and verified the certificate.
    # OpenSSL takes a TLS 1.2 ECDSA client certificate only on a curve in its own and the
    # client's groups ("wrong curve" otherwise): the group pinned on both sides is P-256.
    case_s_server "s_server-1.2-client-cert-rsa" 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
        ECDHE-RSA-AES128-GCM-SHA256 P-256 rsa --sv -Verify 1 -CAfile "$pki/ca.crt" \
        --cl --cert "$pki/client.chain.pem" --key "$pki/client.key"
    check_s_server_verified "s_server-1.2-client-cert-rsa-verified" s_server-1.2-client-cert-rsa
    case_s_server "s_server-1.2-client-cert-p256" 1.2 \
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 P-256 p256 \
        --sv -Verify 1 -CAfile "$pki/ca.crt" \
        --cl --cert "$pki/client.chain.pem" --key "$pki/client.key"
    check_s_server_verified "s_server-1.2-client-cert-p256-verified" s_server-1.2-client-cert-p256
    check_s_server_verified "s_server-client-cert-verified" s_server-client-cert
    case_s_client "s_client-1.2-client-cert-rsa" 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
        ECDHE-RSA-AES128-GCM-SHA256 X25519 rsa --sv --client-ca "$pki/ca.crt" \
        --cl -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt"
    check_tlsm_server_verified "s_client-1.2-client-cert-rsa-verified" s_client-1.2-client-cert-rsa
    case_s_client "s_client-1.2-client-cert-dhe" 1.2 TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 \
        DHE-RSA-AES256-GCM-SHA384 ffdhe2048 rsa --sv --client-ca "$pki/ca.crt" \
        --cl -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt"
    check_tlsm_server_verified "s_client-1.2-client-cert-dhe-verified" s_client-1.2-client-cert-dhe
    check_tlsm_server_verified "s_client-client-cert-verified" s_client-client-cert
    # ... and a server that requires one refuses a client without one.
    for proto in 1.2 1.3; do
        case_must_fail "must-fail-$proto-s_server-requires-cert" \
            "handshake_failure|certificate_required" \
            --sv "-tls${proto/./_}" -Verify 1 -CAfile "$pki/ca.crt" \
            --cl --ca "$pki/ca.crt" --servername localhost
        case_server_requires_cert "must-fail-$proto-tlsm-server-requires-cert" "$proto"
    done

    # Resumption, both roles: TLS 1.3 tickets, TLS 1.2 tickets, TLS 1.2 session IDs.
    case_resume_s_server "resume-s_server-1.3-ticket" 1.3 yes
    case_resume_s_server "resume-s_server-1.2-ticket" 1.2 yes
    case_resume_s_server "resume-s_server-1.2-session-id" 1.2 no -no_ticket
    case_reconnect_s_server "resume-s_server-1.3-reconnect"
    case_resume_s_client "resume-s_client-1.3-ticket" 1.3 yes
    case_resume_s_client "resume-s_client-1.2-ticket" 1.2 yes
    case_resume_s_client "resume-s_client-1.2-session-id" 1.2 no --sv --no-tickets --cl -no_ticket
    # The client offers tickets; the server's --no-tickets alone makes it a session ID.
    case_resume_s_client "resume-s_client-1.2-session-id-server-no-tickets" 1.2 no --sv --no-tickets
    case_resume_s_client "resume-s_client-1.2-ticket-client-cert" 1.2 yes \
        --sv --client-ca "$pki/ca.crt" \
        --cl -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt"

    case_must_fail "must-fail-unknown-ca" "verif|unknown_ca|bad_certificate|issuer"
    case_must_fail "must-fail-wrong-name" "verif|name|bad_certificate" \
        --cl --ca "$pki/ca.crt" --servername wrong.example.com
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
    case_nss_fallback
    case_gnutls_resume "resume-gnutls-cli-1.3-ticket" TLS1.3
    case_gnutls_resume "resume-gnutls-cli-1.2-ticket" TLS1.2
    case_gnutls_resume "resume-gnutls-cli-1.2-session-id" TLS1.2 --sv --no-tickets --cl --noticket
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
