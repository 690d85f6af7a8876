#!/usr/bin/env bash
# Local federation test bed: two Prosody servers on two domains, federating over s2s
# with TLS and certificate authentication, each with a PubSub component.
#
#   sen1.test  on 127.0.0.1 (c2s 5222, s2s 5269), PubSub pubsub.sen1.test
#   sen2.test  on 127.0.0.2 (c2s 5222, s2s 5269), PubSub pubsub.sen2.test
#
# Usage (as root, on Debian bookworm):
#   bash scripts/federation/federation.sh start            fresh test bed; returns once federation works
#   bash scripts/federation/federation.sh stop             stop both servers (state kept for inspection)
#   bash scripts/federation/federation.sh status           what runs where; exit 0 only if both run
#   bash scripts/federation/federation.sh restart sen1     restart one server, keeping its data
#   bash scripts/federation/federation.sh member sen1 buoy bob@sen2.test
#                                                          let a JID read a whitelisted PubSub node of
#                                                          pubsub.sen1.test (affiliation member), as its
#                                                          owner would
#   bash scripts/federation/federation.sh plain start|stop a third server, plain.test, that offers no TLS
#                                                          at all (mod_tls not loaded), for tests that
#                                                          prove no credential is sent in clear text;
#                                                          on SENFED_PLAIN_ADDRESS (default 127.0.0.3),
#                                                          account and password in <state dir>/plain.env
#
# State directory: $SENFED_FEDERATION_DIR, default /tmp/senfed-federation (wiped by start):
#   ca.pem            the private CA every certificate chains to: trust it, never skip checks
#                     (Node: NODE_EXTRA_CA_CERTS=<state dir>/ca.pem)
#   users.env         accounts and passwords, KEY=VALUE lines
#   federation.json   the same, plus addresses, ports and log paths, for programs
#   hosts             the private hosts file Prosody resolves peers with
#   sen1/ sen2/       config, data, certificates, pidfile and logs of each server
#                     (prosody.log, prosody.err, console.log)
#
# SENFED_SEN1_ADDRESS, SENFED_SEN2_ADDRESS (default 127.0.0.1, 127.0.0.2) move the servers to other
# loopback addresses, so that a second test bed (with its own SENFED_FEDERATION_DIR) can run beside.
# SENFED_SCRAM_ITERATIONS (default 4096) sets the SCRAM salting rounds of the accounts.
# Proof that servers authenticate each other by certificate, while it runs:
#   prosodyctl --config <state dir>/sen1/prosody.cfg.lua shell s2s show
# (SASL "Succeeded" is SASL EXTERNAL; dialback "Not used").
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE="${SENFED_FEDERATION_DIR:-/tmp/senfed-federation}"
MARKER=".senfed-federation"
PACKAGES=(prosody lua-unbound lua-dbi-sqlite3 openssl)
INSTANCES=(sen1 sen2)
PROSODY_USER=prosody
C2S_PORT=5222
S2S_PORT=5269
# SCRAM salting rounds stored with each account (see the comment in write_config).
SCRAM_ITERATIONS="${SENFED_SCRAM_ITERATIONS:-4096}"

# name -> domain, address
domain_of() { echo "$1.test"; }
address_of() {
    case "$1" in
        sen1) echo "${SENFED_SEN1_ADDRESS:-127.0.0.1}" ;;
        sen2) echo "${SENFED_SEN2_ADDRESS:-127.0.0.2}" ;;
        plain) echo "${SENFED_PLAIN_ADDRESS:-127.0.0.3}" ;;
        *) echo "federation: unknown server '$1' (sen1 or sen2)" >&2; return 1 ;;
    esac
}

# Accounts: "variable-prefix user instance"
ACCOUNTS=(
    "ADMIN_SEN1 admin sen1"
    "ADMIN_SEN2 admin sen2"
    "ALICE alice sen1"
    "BOB bob sen2"
    "PROVIDER provider sen1"
    "CONSUMER consumer sen2"
    "HOUSEHOLD household sen1"
    "ADVISOR advisor sen2"
)

T0=$(date +%s%N)
say() { echo "federation: $*"; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }
die() { echo "federation: error: $*" >&2; exit 1; }

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            exec sudo --preserve-env=SENFED_FEDERATION_DIR,SENFED_SEN1_ADDRESS,SENFED_SEN2_ADDRESS,SENFED_PLAIN_ADDRESS,SENFED_SCRAM_ITERATIONS bash "${BASH_SOURCE[0]}" "$@"
        fi
        die "must run as root (it installs packages and runs Prosody as the '$PROSODY_USER' user)"
    fi
}

check_state_path() {
    case "$SCRAM_ITERATIONS" in
        '' | *[!0-9]* | 0) die "SENFED_SCRAM_ITERATIONS must be a positive whole number (got '$SCRAM_ITERATIONS')" ;;
    esac
    case "$STATE" in
        /*) ;;
        *) die "SENFED_FEDERATION_DIR must be an absolute path (got '$STATE')" ;;
    esac
    case "$STATE" in
        / | /tmp | /tmp/ | /root | /home | /etc | /var | /usr) die "refusing to use '$STATE' as the state directory" ;;
    esac
}

# ---------------------------------------------------------------- packages
# Installing Debian's prosody starts its system-wide server where the init system
# allows it, listening on every address, ports 5222 and 5269 included. The test bed
# installed it, so it stops and disables that one; a system-wide Prosody that was
# there before is left alone (start then says that the ports are taken).
stop_system_prosody() {
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        if systemctl is-active --quiet prosody 2>/dev/null || systemctl is-enabled --quiet prosody 2>/dev/null; then
            say "stopping and disabling the system-wide prosody service the package started"
            systemctl disable --now prosody >/dev/null 2>&1 || true
        fi
    elif [ -f /run/prosody/prosody.pid ] && kill -0 "$(cat /run/prosody/prosody.pid)" 2>/dev/null; then
        say "stopping the system-wide prosody service the package started"
        invoke-rc.d prosody stop >/dev/null 2>&1 || service prosody stop >/dev/null 2>&1 || true
    fi
}

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${missing[@]}" >/dev/null
        case " ${missing[*]} " in
            *" prosody "*) stop_system_prosody ;;
        esac
    fi
    command -v prosody >/dev/null || die "prosody is not installed"
    command -v prosodyctl >/dev/null || die "prosodyctl is not installed"
    id "$PROSODY_USER" >/dev/null 2>&1 || die "user '$PROSODY_USER' is missing (the prosody package creates it)"
    command -v node >/dev/null || die "node is not on PATH (the cross-domain check is a Node.js program)"
    [ -f "$REPO_DIR/node_modules/@xmpp/client/package.json" ] \
        || die "@xmpp/client is not installed in $REPO_DIR/node_modules: run npm install first"
}

# ---------------------------------------------------------------- ports
# Hex form of an IPv4 address:port as /proc/net/tcp writes it (little-endian machines).
proc_hex() {
    local ip=$1 port=$2 a b c d
    IFS=. read -r a b c d <<<"$ip"
    printf '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$port"
}

# Prints the listening sockets that would stop us from binding ip:port (that exact
# address, or a wildcard one), reading /proc so that no connection is made.
port_taken() {
    local ip=$1 port=$2 exact any any6 portx
    exact=$(proc_hex "$ip" "$port")
    any=$(proc_hex 0.0.0.0 "$port")
    portx=$(printf '%04X' "$port")
    any6="00000000000000000000000000000000:$portx"
    {
        awk -v a="$exact" -v b="$any" '$4 == "0A" && ($2 == a || $2 == b) { print $2 }' /proc/net/tcp
        awk -v a="$any6" '$4 == "0A" && $2 == a { print $2 }' /proc/net/tcp6 2>/dev/null || true
    } | head -1
}

wait_ports() { # name want(open|free) seconds
    local name=$1 want=$2 limit=$3 ip deadline port busy
    ip=$(address_of "$name")
    deadline=$(( $(date +%s%N) + limit * 1000000000 ))
    while :; do
        busy=0
        for port in $C2S_PORT $S2S_PORT; do
            if [ -n "$(port_taken "$ip" "$port")" ]; then busy=$((busy + 1)); fi
        done
        if [ "$want" = open ] && [ $busy -eq 2 ]; then return 0; fi
        if [ "$want" = free ] && [ $busy -eq 0 ]; then return 0; fi
        [ "$(date +%s%N)" -lt $deadline ] || return 1
        sleep 0.05
    done
}

who_listens() {
    if command -v ss >/dev/null 2>&1; then
        ss -ltnp 2>/dev/null | grep -E ":($C2S_PORT|$S2S_PORT)\b" || true
    fi
}

# ---------------------------------------------------------------- processes
# A process that has exited but not yet been reaped (state Z: the servers are
# re-parented to PID 1, which may reap late) holds no port and counts as gone.
alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

pid_of() { # prints the pid of a running instance, or nothing
    local pidfile="$STATE/$1/prosody.pid" pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    case "$pid" in '' | *[!0-9]*) return 0 ;; esac
    if alive "$pid" && grep -q prosody "/proc/$pid/cmdline" 2>/dev/null; then
        echo "$pid"
    fi
}

stop_instance() {
    local name=$1 pid i
    pid=$(pid_of "$name")
    if [ -n "$pid" ]; then
        # Without mod_posix Prosody has no SIGTERM handler: the signal ends it at once,
        # like a crash (its file storage writes each change as it happens).
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 200); do
            alive "$pid" || break
            sleep 0.025
        done
        if alive "$pid"; then
            say "$name did not stop on SIGTERM within 5 s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
            for i in $(seq 1 40); do alive "$pid" || break; sleep 0.05; done
        fi
        rm -f "$STATE/$name/prosody.pid"
        if ! wait_ports "$name" free 10; then
            who_listens >&2
            die "ports $C2S_PORT/$S2S_PORT on $(address_of "$name") are still in use after stopping $name"
        fi
    fi
}

ensure_ports_free() {
    local name=$1 ip
    ip=$(address_of "$name")
    if [ -n "$(port_taken "$ip" $C2S_PORT)$(port_taken "$ip" $S2S_PORT)" ]; then
        who_listens >&2
        die "port $C2S_PORT or $S2S_PORT on $ip is already taken by another program: a test bed started" \
            "with another SENFED_FEDERATION_DIR (stop it with that setting), or a system-wide Prosody (systemctl stop prosody)"
    fi
}

launch_instance() {
    local name=$1 dir="$STATE/$1"
    ensure_ports_free "$name"
    touch "$dir/console.log"
    chown "$PROSODY_USER:$PROSODY_USER" "$dir/console.log"
    # Foreground Prosody as the prosody user, in its own session, its output in
    # console.log; the pidfile is written by the process that then becomes Prosody.
    setsid setpriv --reuid="$PROSODY_USER" --regid="$PROSODY_USER" --init-groups -- \
        sh -c 'echo $$ > "$1" && exec prosody -F --config "$2"' sh "$dir/prosody.pid" "$dir/prosody.cfg.lua" \
        </dev/null >>"$dir/console.log" 2>&1 &
}

show_logs() {
    local name
    for name in "${INSTANCES[@]}"; do
        echo "----- $name: tail of $STATE/$name/prosody.log" >&2
        tail -n 40 "$STATE/$name/prosody.log" >&2 2>/dev/null || true
        if [ -s "$STATE/$name/console.log" ]; then
            echo "----- $name: tail of $STATE/$name/console.log" >&2
            tail -n 20 "$STATE/$name/console.log" >&2 || true
        fi
    done
}

fail_with_logs() {
    echo "federation: error: $*" >&2
    show_logs
    exit 1
}

# Waits for the listening ports, then logs in for real (TLS, SASL, bind) as the admin.
wait_ready() {
    local name=$1
    wait_ports "$name" open 15 || fail_with_logs "$name did not open its ports on $(address_of "$name") within 15 s"
    run_check ready "$name" || fail_with_logs "$name does not accept client connections"
}

run_check() {
    SENFED_FEDERATION_DIR="$STATE" NODE_EXTRA_CA_CERTS="$STATE/ca.pem" \
        node "$SCRIPT_DIR/check.mjs" "$@"
}

# ---------------------------------------------------------------- files
make_certificates() {
    local ca="$STATE/ca" name domain dir
    mkdir -p "$ca"
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$ca/ca.key" -out "$ca/ca.pem" -days 30 -sha256 \
        -subj "/O=SenFed federation test bed/CN=SenFed test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    cp "$ca/ca.pem" "$STATE/ca.pem"
    for name in "${INSTANCES[@]}"; do
        domain=$(domain_of "$name")
        dir="$STATE/$name/certs"
        mkdir -p "$dir"
        cat >"$dir/$domain.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:$domain, DNS:pubsub.$domain
EOF
        openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout "$dir/$domain.key" -out "$dir/$domain.csr" -subj "/O=SenFed federation test bed/CN=$domain" 2>/dev/null
        openssl x509 -req -in "$dir/$domain.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
            -days 30 -sha256 -extfile "$dir/$domain.ext" -out "$dir/$domain.crt" 2>/dev/null
        openssl verify -CAfile "$ca/ca.pem" "$dir/$domain.crt" >/dev/null || die "certificate for $domain does not verify"
        chmod 600 "$dir/$domain.key"
    done
}

write_hosts() {
    local name domain
    : >"$STATE/hosts"
    for name in "${INSTANCES[@]}"; do
        domain=$(domain_of "$name")
        echo "$(address_of "$name") $domain pubsub.$domain" >>"$STATE/hosts"
    done
}

write_config() {
    local name=$1 domain ip dir
    domain=$(domain_of "$name")
    ip=$(address_of "$name")
    dir="$STATE/$name"
    mkdir -p "$dir/data"
    cat >"$dir/prosody.cfg.lua" <<EOF
-- SenFed federation test bed: $domain on $ip (written by scripts/federation/federation.sh)

admins = { "admin@$domain" }
plugin_paths = { }
data_path = "$dir/data"
pidfile = "$dir/prosody.pid"
prosody_user = "$PROSODY_USER"
prosody_group = "$PROSODY_USER"

log = {
    info = "$dir/prosody.log";
    error = "$dir/prosody.err";
}

-- Foreground process started by federation.sh: no daemonising, no syslog.
modules_disabled = { "posix" }

modules_enabled = {
    "roster"; "saslauth"; "tls"; "dialback"; "disco";
    "carbons"; "pep"; "private"; "blocklist"; "vcard4";
    "version"; "uptime"; "time"; "ping";
    "register";
    "adhoc"; "admin_adhoc"; "admin_shell";
    "mam";
}

-- Accounts are created by the script (prosodyctl register), never by clients.
allow_registration = false
authentication = "internal_hashed"
-- SCRAM-SHA-1 salting rounds, by default 4096 (RFC 5802's minimum, ejabberd's
-- default) instead of Prosody's 10000: @xmpp/client 0.14 computes them with one
-- WebCrypto HMAC call per round, about 0.3 ms each, so 1.2-1.5 s per login at 4096
-- and 3-4 s at 10000.
default_iteration_count = $SCRAM_ITERATIONS
storage = "internal"
archive_expires_after = "1w"

-- Stanzas go out at once: with Nagle's algorithm on (Prosody 0.12's default), a
-- small stanza written right after another one waits for the peer's ACK, which
-- adds 25-40 ms to about one PubSub event in ten.
network_settings = { nagle = false }

-- Every listener on this server's own address only (local_interfaces is where
-- private services such as the external component port would listen).
interfaces = { "$ip" }
local_interfaces = { "$ip" }
s2s_interfaces = { "$ip" }
component_interfaces = { "$ip" }
http_interfaces = { "$ip" }
https_interfaces = { "$ip" }
c2s_ports = { $C2S_PORT }
s2s_ports = { $S2S_PORT }

-- Prosody does not read /etc/hosts: a private hosts file names both servers and
-- both PubSub components.
unbound = {
    hoststxt = "$STATE/hosts";
    resolvconf = false;
}

-- TLS everywhere, certificates from the test bed's private CA.
certificates = "$dir/certs"
ssl = {
    certificate = "$dir/certs/$domain.crt";
    key = "$dir/certs/$domain.key";
    cafile = "$STATE/ca.pem";
}
c2s_require_encryption = true
s2s_require_encryption = true
s2s_secure_auth = true

VirtualHost "$domain"

Component "pubsub.$domain" "pubsub"
    name = "SenFed PubSub on $domain"
    pubsub_max_items = 10000
    expose_publisher = true
    -- Items in SQLite, as a PubSub service holding history should: the internal
    -- (file) storage loads and rewrites a node's whole item list on every publish,
    -- so each publish gets slower as the node fills.
    storage = "sql"
    sql = { driver = "SQLite3"; database = "pubsub.sqlite" }
EOF
}

write_users() {
    local entry var user name domain password json_users="" sep=""
    {
        echo "# SenFed federation test bed accounts (throw-away passwords, new on every start)"
        echo "SENFED_FEDERATION_DIR=$STATE"
        echo "SENFED_CA_FILE=$STATE/ca.pem"
        for name in "${INSTANCES[@]}"; do
            local up
            up=$(echo "$name" | tr '[:lower:]' '[:upper:]')
            echo "SENFED_${up}_DOMAIN=$(domain_of "$name")"
            echo "SENFED_${up}_ADDRESS=$(address_of "$name")"
            echo "SENFED_${up}_PUBSUB=pubsub.$(domain_of "$name")"
        done
    } >"$STATE/users.env"
    for entry in "${ACCOUNTS[@]}"; do
        read -r var user name <<<"$entry"
        domain=$(domain_of "$name")
        password="$user-$(openssl rand -hex 8)"
        {
            echo "SENFED_${var}_JID=$user@$domain"
            echo "SENFED_${var}_PASSWORD=$password"
        } >>"$STATE/users.env"
        json_users+="$sep    \"$user@$domain\": { \"key\": \"$var\", \"username\": \"$user\", \"domain\": \"$domain\", \"server\": \"$name\", \"password\": \"$password\" }"
        sep=$',\n'
    done
    local servers="" s=""
    for name in "${INSTANCES[@]}"; do
        domain=$(domain_of "$name")
        servers+="$s    \"$name\": { \"domain\": \"$domain\", \"address\": \"$(address_of "$name")\", \"c2sPort\": $C2S_PORT, \"s2sPort\": $S2S_PORT, \"pubsub\": \"pubsub.$domain\", \"admin\": \"admin@$domain\", \"service\": \"xmpp://$(address_of "$name"):$C2S_PORT\", \"config\": \"$STATE/$name/prosody.cfg.lua\", \"log\": \"$STATE/$name/prosody.log\" }"
        s=$',\n'
    done
    cat >"$STATE/federation.json" <<EOF
{
  "dir": "$STATE",
  "caFile": "$STATE/ca.pem",
  "hostsFile": "$STATE/hosts",
  "servers": {
$servers
  },
  "users": {
$json_users
  }
}
EOF
}

register_users() {
    local entry var user name domain password pids=() pid
    for entry in "${ACCOUNTS[@]}"; do
        read -r var user name <<<"$entry"
        domain=$(domain_of "$name")
        password=$(grep "^SENFED_${var}_PASSWORD=" "$STATE/users.env" | cut -d= -f2-)
        prosodyctl --config "$STATE/$name/prosody.cfg.lua" register "$user" "$domain" "$password" \
            >"$STATE/$name/register-$user.out" 2>&1 &
        pids+=("$!:$user@$domain:$name")
    done
    for pid in "${pids[@]}"; do
        if ! wait "${pid%%:*}"; then
            local rest=${pid#*:}
            cat "$STATE/${rest##*:}/register-$(echo "$rest" | cut -d@ -f1).out" >&2 || true
            die "prosodyctl register ${rest%:*} failed"
        fi
    done
    for name in "${INSTANCES[@]}"; do rm -f "$STATE/$name"/register-*.out; done
}

# ---------------------------------------------------------------- commands
cmd_start() {
    check_state_path
    install_packages
    say "packages ready ($(elapsed))"

    # Stop whatever an earlier run left running from this state directory.
    local name
    for name in "${INSTANCES[@]}" plain; do stop_instance "$name"; done
    for name in "${INSTANCES[@]}"; do ensure_ports_free "$name"; done
    if [ -e "$STATE" ]; then
        if [ -n "$(ls -A "$STATE" 2>/dev/null)" ] && [ ! -e "$STATE/$MARKER" ]; then
            die "$STATE exists and is not a test bed state directory: not wiping it"
        fi
        rm -rf "$STATE"
    fi
    mkdir -p "$STATE"
    touch "$STATE/$MARKER"

    make_certificates
    write_hosts
    for name in "${INSTANCES[@]}"; do write_config "$name"; done
    write_users
    chown -R "$PROSODY_USER:$PROSODY_USER" "$STATE"
    chmod 755 "$STATE"
    chmod 644 "$STATE/ca.pem" "$STATE/users.env" "$STATE/federation.json"
    setpriv --reuid="$PROSODY_USER" --regid="$PROSODY_USER" --init-groups -- test -r "$STATE/sen1/prosody.cfg.lua" \
        || die "the '$PROSODY_USER' user cannot read $STATE: choose a SENFED_FEDERATION_DIR it can reach"
    say "CA, certificates and configuration written ($(elapsed))"

    register_users
    say "accounts registered ($(elapsed))"

    for name in "${INSTANCES[@]}"; do launch_instance "$name"; done
    for name in "${INSTANCES[@]}"; do
        wait_ports "$name" open 15 || fail_with_logs "$name did not open its ports on $(address_of "$name") within 15 s"
    done
    say "both servers listening ($(elapsed))"

    run_check federation || fail_with_logs "the federation check failed"
    check_s2s_certificates || fail_with_logs "s2s connections were not authenticated by certificate"
    say "test bed ready in $(elapsed): sen1.test on $(address_of sen1), sen2.test on $(address_of sen2)"
    say "CA file: $STATE/ca.pem   (Node: NODE_EXTRA_CA_CERTS=$STATE/ca.pem)"
    say "accounts: $STATE/users.env   ($STATE/federation.json)"
}

# Two records that s2s is authenticated by certificate (s2s_secure_auth leaves no
# other way, but the check makes it visible):
# - the receiving server logs "Accepting SASL EXTERNAL identity from <peer>";
# - Prosody's admin shell lists each s2s session with its TLS version, SASL
#   (EXTERNAL, the only s2s SASL mechanism) "Succeeded" and dialback "Not used".
s2s_table() {
    prosodyctl --config "$STATE/$1/prosody.cfg.lua" shell s2s show 2>&1
}

check_s2s_certificates() {
    local ok=0 name peer table bad
    for name in "${INSTANCES[@]}"; do
        case "$name" in sen1) peer=sen2.test ;; *) peer=sen1.test ;; esac
        if grep -q "Accepting SASL EXTERNAL identity from $peer" "$STATE/$name/prosody.log"; then
            say "$(domain_of "$name") accepted $peer by its certificate (SASL EXTERNAL)"
        else
            echo "federation: $(domain_of "$name") has no record of $peer authenticating by certificate" >&2
            ok=1
        fi
        table=$(s2s_table "$name") || { echo "$table" >&2; ok=1; continue; }
        echo "$table" | sed "s/^/  $name: /"
        bad=$(echo "$table" | awk -F'|' '/^s2s/ { sasl = $7; dialback = $8; gsub(/ /, "", sasl); gsub(/ /, "", dialback);
                                                   if (sasl != "Succeeded" || dialback != "Notused") print }')
        if [ -n "$bad" ] || ! echo "$table" | grep -q '^s2s'; then
            echo "federation: $name has s2s sessions not authenticated by certificate (or none):" >&2
            echo "$table" >&2
            ok=1
        fi
    done
    return $ok
}

cmd_stop() {
    check_state_path
    local name
    if [ ! -d "$STATE" ]; then
        say "no test bed in $STATE: nothing to stop"
        return 0
    fi
    for name in "${INSTANCES[@]}" plain; do stop_instance "$name"; done
    say "stopped ($(elapsed)); state left in $STATE"
}

cmd_status() {
    check_state_path
    local name pid running=0
    for name in "${INSTANCES[@]}"; do
        pid=$(pid_of "$name")
        if [ -n "$pid" ]; then
            running=$((running + 1))
            echo "$(domain_of "$name"): running, pid $pid, $(address_of "$name") c2s $C2S_PORT s2s $S2S_PORT, log $STATE/$name/prosody.log"
        else
            echo "$(domain_of "$name"): stopped"
        fi
    done
    for name in "${INSTANCES[@]}"; do
        [ "$(id -u)" -eq 0 ] && [ -n "$(pid_of "$name")" ] && s2s_table "$name" | sed "s/^/  $name: /"
    done
    if [ -f "$STATE/ca.pem" ]; then
        echo "CA file: $STATE/ca.pem"
        echo "accounts: $STATE/users.env"
    fi
    [ $running -eq ${#INSTANCES[@]} ]
}

# A server that offers no encryption at all: no mod_tls, so no STARTTLS in its features, and
# c2s_require_encryption off, so it invites a login in clear text (SCRAM; PLAIN stays refused
# without TLS, allow_unencrypted_plain_auth being false). Clients must refuse to log in there.
cmd_plain() {
    local action=${1:-} dir="$STATE/plain" password
    check_state_path
    [ -e "$STATE/$MARKER" ] || die "no test bed in $STATE: run start first"
    case "$action" in
        stop) stop_instance plain; say "plain.test stopped ($(elapsed))"; return 0 ;;
        start) ;;
        *) usage ;;
    esac
    stop_instance plain
    rm -rf "$dir"
    mkdir -p "$dir/data" "$dir/certs"
    cat >"$dir/prosody.cfg.lua" <<EOF
-- SenFed test bed: plain.test on $(address_of plain), WITHOUT TLS (written by scripts/federation/federation.sh)
admins = { }
data_path = "$dir/data"
pidfile = "$dir/prosody.pid"
prosody_user = "$PROSODY_USER"
prosody_group = "$PROSODY_USER"
log = { info = "$dir/prosody.log"; error = "$dir/prosody.err"; debug = "$dir/debug.log" }
modules_disabled = { "posix" }
-- No "tls": STARTTLS is not offered at all.
modules_enabled = { "roster"; "saslauth"; "disco"; "ping" }
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = false
allow_registration = false
authentication = "internal_hashed"
default_iteration_count = $SCRAM_ITERATIONS
storage = "internal"
interfaces = { "$(address_of plain)" }
local_interfaces = { "$(address_of plain)" }
s2s_interfaces = { "$(address_of plain)" }
component_interfaces = { "$(address_of plain)" }
http_interfaces = { }
https_interfaces = { }
c2s_ports = { $C2S_PORT }
s2s_ports = { $S2S_PORT }
VirtualHost "plain.test"
EOF
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf 'SENFED_PLAIN_ADDRESS=%s\nSENFED_PLAIN_JID=victim@plain.test\nSENFED_PLAIN_PASSWORD=%s\n' "$(address_of plain)" "$password" >"$STATE/plain.env"
    chown -R "$PROSODY_USER:$PROSODY_USER" "$dir"
    chmod 644 "$STATE/plain.env"
    prosodyctl --config "$dir/prosody.cfg.lua" register victim plain.test "$password" >/dev/null 2>&1 \
        || die "prosodyctl register victim@plain.test failed"
    launch_instance plain
    wait_ports plain open 15 || fail_with_logs "plain.test did not open its ports on $(address_of plain) within 15 s"
    say "plain.test (no TLS) on $(address_of plain), account in $STATE/plain.env ($(elapsed))"
}

cmd_restart() {
    local name=${1:-}
    check_state_path
    address_of "$name" >/dev/null || exit 2
    [ -f "$STATE/$name/prosody.cfg.lua" ] || die "no test bed in $STATE: run start first"
    stop_instance "$name"
    say "$name stopped ($(elapsed))"
    launch_instance "$name"
    wait_ready "$name"
    say "$name restarted with its data in $(elapsed)"
}

# federation publish creates PubSub nodes with the whitelist access model: a subscriber from
# another domain is refused until the node's owner makes it a member. The test bed's admin
# shell does that step here (util.pubsub's set_affiliation, as the service itself).
cmd_member() {
    local name=$1 node=$2 jid=$3 service out
    check_state_path
    address_of "$name" >/dev/null || exit 2
    [ -n "$(pid_of "$name")" ] || die "$name is not running: start the test bed first"
    # Both go into a line of Lua: plain node names and JIDs only.
    [[ "$node" =~ ^[A-Za-z0-9._-]+$ ]] || die "node '$node': letters, digits, '.', '_' and '-' only"
    [[ "$jid" =~ ^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$ ]] || die "'$jid' is not a bare JID such as bob@sen2.test"
    service="pubsub.$(domain_of "$name")"
    out=$(prosodyctl --config "$STATE/$name/prosody.cfg.lua" shell \
        "> prosody.hosts[\"$service\"].modules.pubsub.service:set_affiliation(\"$node\", true, \"$jid\", \"member\")" 2>&1) || true
    case "$out" in
        "Result: true"*) say "$jid is a member of $node on $service" ;;
        *"item-not-found"*) die "$service has no node '$node' (federation publish creates it with its first pack)" ;;
        *) die "cannot make $jid a member of $node on $service: $out" ;;
    esac
}

usage() {
    echo "usage: $0 start | stop | status | restart <sen1|sen2> | member <sen1|sen2> <node> <bare JID> | plain start|stop" >&2
    exit 2
}

main() {
    local cmd=${1:-}
    [ -n "$cmd" ] || usage
    case "$cmd" in
        start | stop | restart | member | plain) need_root "$@" ;;
    esac
    shift
    case "$cmd" in
        start) cmd_start ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        restart) [ $# -eq 1 ] || usage; cmd_restart "$1" ;;
        member) [ $# -eq 3 ] || usage; cmd_member "$1" "$2" "$3" ;;
        plain) [ $# -eq 1 ] || usage; cmd_plain "$1" ;;
        *) usage ;;
    esac
}

main "$@"
