#!/usr/bin/env bash
# Local SensorThings test bed: FROST-Server 2.4.2 (the OGC SensorThings API reference
# implementation, HTTP and MQTT in one war) on a private Tomcat 10.1 instance, over a
# private PostgreSQL 15 + PostGIS cluster, all on loopback ports of their own. Debian
# packages only, no Docker; the system-wide PostgreSQL and Tomcat services are never used.
#
#   HTTP  http://127.0.0.1:18080/FROST-Server/v1.1   (SENFED_FROST_HTTP_PORT)
#   MQTT  mqtt://127.0.0.1:18883                      (SENFED_FROST_MQTT_PORT; websocket
#                                                      SENFED_FROST_MQTT_WS_PORT, default 18876)
#   PostgreSQL 127.0.0.1:55432, database/user sensorthings (SENFED_FROST_PG_PORT)
#
# Usage (Debian bookworm; it installs what is missing with apt-get, through sudo when not root):
#   bash scripts/sensorthings/frost.sh start    start (or keep) the server; returns once
#                                               /FROST-Server/v1.1 answers. Data is kept
#                                               across stop/start.
#   bash scripts/sensorthings/frost.sh stop     stop Tomcat and PostgreSQL started from the state
#                                               directory (data kept)
#   bash scripts/sensorthings/frost.sh status   what runs where; exit 0 only if both run and
#                                               FROST answers
#   bash scripts/sensorthings/frost.sh reset    stop, then delete the state directory (all data)
#
# The war: $SENFED_FROST_WAR if set, otherwise Maven as a user would ask it
# (de.fraunhofer.iosb.ilt.FROST-Server:FROST-Server.MQTTP:2.4.2:war, given
# SENFED_FROST_MAVEN_TIMEOUT seconds, default 60), otherwise ../shared/frost/ next to the
# project (checked against its published sha256). FROST 2.4 is javax: the war is converted
# with Debian's javax2jakarta for Tomcat 10.1, once; the converted war is cached in the
# state directory, so a later start neither asks Maven nor converts again.
#
# State directory: $SENFED_FROST_DIR, default /tmp/senfed-frost:
#   frost.json        service root, MQTT URL, ports, logs, for programs
#   pg/               the PostgreSQL cluster (data/, postgres.log, socket in run/)
#   tomcat/           the Tomcat instance (conf/, bin/setenv.sh, webapps/, logs/, console.log)
#   war/              the war used and its converted form
#   auth              the authentication mode it last started with (none or basic)
# Both servers run as one unprivileged user that owns the state directory: the `postgres`
# system user when run as root (PostgreSQL refuses to run as root), the caller otherwise.
# SENFED_FROST_TIMEOUT (default 180) bounds the wait for FROST to answer;
# SENFED_FROST_JAVA_OPTS (default -Xmx768m) sets Tomcat's JVM options.
#
# Authentication: SENFED_FROST_AUTH=none (default) or basic. With basic, FROST's own
# BasicAuthProvider asks HTTP Basic credentials of every request, reads included
# (auth.allowAnonymousRead=false). Its users and roles live in the USERS and USER_ROLES
# tables it creates in the same database, filled on their first start with FROST's three
# default users, passwords in plain text (auth.plainTextPassword=true: a test bed only):
#   read/read      role read                                (reading only: writing is 403)
#   write/write    roles read, create, update               (no DELETE)
#   admin/admin    roles read, create, update, delete, admin
# frost.json names the mode ("auth") and lists these users ("users"). The state directory
# remembers the mode: status checks with it, and a start asking another mode restarts
# Tomcat with it. Give an authenticated instance a state directory and ports of its own
# beside an open one.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE="${SENFED_FROST_DIR:-/tmp/senfed-frost}"
MARKER=".senfed-frost"
HTTP_PORT="${SENFED_FROST_HTTP_PORT:-18080}"
PG_PORT="${SENFED_FROST_PG_PORT:-55432}"
MQTT_PORT="${SENFED_FROST_MQTT_PORT:-18883}"
WS_PORT="${SENFED_FROST_MQTT_WS_PORT:-18876}"
TIMEOUT="${SENFED_FROST_TIMEOUT:-180}"
MAVEN_TIMEOUT="${SENFED_FROST_MAVEN_TIMEOUT:-60}"
JAVA_OPTS_FROST="${SENFED_FROST_JAVA_OPTS:--Xmx768m}"
HOST=127.0.0.1
# The mode asked for or, when none is given, the one the state directory last started with.
AUTH="${SENFED_FROST_AUTH:-}"
if [ -z "$AUTH" ]; then AUTH="$(cat "$STATE/auth" 2>/dev/null || echo none)"; fi
AUTH_PROVIDER=de.fraunhofer.iosb.ilt.frostserver.auth.basic.BasicAuthProvider
# The user this script checks FROST with when authentication is on.
PROBE_USER=admin:admin

FROST_VERSION=2.4.2
ARTIFACT="de.fraunhofer.iosb.ilt.FROST-Server:FROST-Server.MQTTP:$FROST_VERSION:war"
WAR_NAME="FROST-Server.MQTTP-$FROST_VERSION.war"
SHARED_WAR="$REPO_DIR/../shared/frost/$WAR_NAME"
SHARED_SHA256=3098c462b592f313274f1e7eeaf4da04425fca406761d81d932278596e13ec7e

PG_BIN=/usr/lib/postgresql/15/bin
TOMCAT_HOME=/usr/share/tomcat10
JDBC_JAR=/usr/share/java/postgresql.jar
# postgresql-15 and postgis for the database; tomcat10-user (tomcat10-instance-create; it pulls
# tomcat10-common and libtomcat10-java, the Tomcat 10.1 libraries) without the system-wide
# tomcat10 service; the JDBC driver; javax2jakarta.
PACKAGES=(postgresql-15 postgresql-15-postgis-3 tomcat10-user libtomcat10-java libpostgresql-jdbc-java tomcat-jakartaee-migration curl)
DB=sensorthings
DB_USER=sensorthings
DB_PASSWORD=sensorthings

SERVICE_ROOT="http://$HOST:$HTTP_PORT/FROST-Server"
MQTT_URL="mqtt://$HOST:$MQTT_PORT"

T0=$(date +%s%N)
say() { echo "frost: $*"; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }
die() { echo "frost: error: $*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

# The one user both servers run as.
if [ "$(id -u)" -eq 0 ]; then RUN_USER=postgres; else RUN_USER="$(id -un)"; fi

as_run_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid="$RUN_USER" --regid="$(id -g "$RUN_USER")" --init-groups -- "$@"
    else
        "$@"
    fi
}

check_settings() {
    local v
    for v in "$HTTP_PORT" "$PG_PORT" "$MQTT_PORT" "$WS_PORT" "$TIMEOUT" "$MAVEN_TIMEOUT"; do
        case "$v" in '' | *[!0-9]*) die "ports and timeouts must be whole numbers (got '$v')" ;; esac
    done
    case "$AUTH" in
        none | basic) ;;
        *) die "SENFED_FROST_AUTH must be none or basic (got '$AUTH')" ;;
    esac
    case "$STATE" in
        /*) ;;
        *) die "SENFED_FROST_DIR must be an absolute path (got '$STATE')" ;;
    esac
    case "$STATE" in
        / | /tmp | /tmp/ | /root | /home | /etc | /var | /usr) die "refusing to use '$STATE' as the state directory" ;;
    esac
    if [ -e "$STATE" ] && [ -n "$(ls -A "$STATE" 2>/dev/null)" ] && [ ! -e "$STATE/$MARKER" ]; then
        die "$STATE exists and is not a FROST test bed state directory: choose another SENFED_FROST_DIR"
    fi
    if [ -e "$STATE/$MARKER" ] && [ "$(id -u)" -ne 0 ] && [ "$(stat -c %U "$STATE")" != "$RUN_USER" ]; then
        die "$STATE belongs to $(stat -c %U "$STATE") (started as root?): run this with sudo, or choose another SENFED_FROST_DIR"
    fi
}

# ---------------------------------------------------------------- packages
# Installing postgresql-15 creates the cluster 15/main on port 5432 and starts it where the
# init system allows it. The test bed installed it, so it stops that cluster and keeps it from
# starting at boot; a PostgreSQL that was there before is left alone (ours has its own port).
stop_system_postgresql() {
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        if systemctl is-active --quiet postgresql 2>/dev/null || systemctl is-enabled --quiet postgresql 2>/dev/null; then
            say "stopping and disabling the system-wide postgresql service the package started"
            $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
        fi
    fi
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local ver name port status rest
        while read -r ver name port status rest; do
            if [ "$status" = online ]; then
                say "stopping the system-wide PostgreSQL cluster $ver/$name (port $port) the package started"
                $SUDO pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
            fi
        done < <(pg_lsclusters -h 2>/dev/null || true)
    fi
}

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
            die "missing Debian packages ${missing[*]}, and not root nor sudo to install them"
        fi
        say "installing ${missing[*]}"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        case " ${missing[*]} " in
            *" postgresql-15 "* | *" postgresql-15-postgis-3 "*) stop_system_postgresql ;;
        esac
    fi
    [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb is missing (Debian postgresql-15)"
    [ -f /usr/share/postgresql/15/extension/postgis.control ] || die "PostGIS for PostgreSQL 15 is missing (Debian postgresql-15-postgis-3)"
    [ -x "$TOMCAT_HOME/bin/catalina.sh" ] || die "$TOMCAT_HOME/bin/catalina.sh is missing (Debian libtomcat10-java)"
    command -v tomcat10-instance-create >/dev/null || die "tomcat10-instance-create is missing (Debian tomcat10-user)"
    command -v javax2jakarta >/dev/null || die "javax2jakarta is missing (Debian tomcat-jakartaee-migration)"
    [ -f "$JDBC_JAR" ] || die "$JDBC_JAR is missing (Debian libpostgresql-jdbc-java)"
    command -v java >/dev/null || die "java is not on PATH (FROST-Server $FROST_VERSION needs Java 17)"
    id "$RUN_USER" >/dev/null 2>&1 || die "user '$RUN_USER' is missing (the postgresql package creates it)"
}

# ---------------------------------------------------------------- ports and processes
# Hex form of an IPv4 address:port as /proc/net/tcp writes it (little-endian machines).
proc_hex() {
    local ip=$1 port=$2 a b c d
    IFS=. read -r a b c d <<<"$ip"
    printf '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$port"
}

# Prints something when a socket listens on 127.0.0.1:port or a wildcard address:port.
port_taken() {
    local port=$1 exact any any6
    exact=$(proc_hex "$HOST" "$port")
    any=$(proc_hex 0.0.0.0 "$port")
    any6="00000000000000000000000000000000:$(printf '%04X' "$port")"
    {
        awk -v a="$exact" -v b="$any" '$4 == "0A" && ($2 == a || $2 == b) { print $2 }' /proc/net/tcp
        awk -v a="$any6" '$4 == "0A" && $2 == a { print $2 }' /proc/net/tcp6 2>/dev/null || true
    } | head -1
}

who_listens() {
    if command -v ss >/dev/null 2>&1; then ss -ltnp 2>/dev/null | grep -E ":$1\b" || true; fi
}

ensure_port_free() { # port what
    if [ -n "$(port_taken "$1")" ]; then
        who_listens "$1" >&2
        die "port $1 ($2) is already taken by another program: a FROST test bed started with another" \
            "SENFED_FROST_DIR (stop it with that setting), or move ours with the SENFED_FROST_* port variables"
    fi
}

# A process that has exited but not been reaped yet counts as gone.
alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

pid_in() { # file: prints the pid written on its first line if that process runs
    local pid
    [ -f "$1" ] || return 0
    pid=$(head -n 1 "$1" 2>/dev/null || true)
    case "$pid" in '' | *[!0-9]*) return 0 ;; esac
    if alive "$pid"; then echo "$pid"; fi
}

pg_pid() { pid_in "$STATE/pg/data/postmaster.pid"; }
tomcat_pid() {
    local pid
    pid=$(pid_in "$STATE/tomcat/tomcat.pid")
    # Only if it is still our Tomcat (pids are reused).
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-Dcatalina.base=$STATE/tomcat"; then
        echo "$pid"
    fi
}

# FROST's service root, asked as a user allowed to read it.
service_root() {
    if [ "$AUTH" = basic ]; then
        curl -fsS --max-time 5 -u "$PROBE_USER" "$SERVICE_ROOT/v1.1"
    else
        curl -fsS --max-time 5 "$SERVICE_ROOT/v1.1"
    fi
}

answers() { # FROST's service root answers with its JSON
    service_root 2>/dev/null | grep -q '"serverSettings"'
}

# With authentication on, a request without credentials must be refused: otherwise the
# settings did not apply, and tests of authentication would pass for nothing.
check_auth() {
    [ "$AUTH" = basic ] || return 0
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$SERVICE_ROOT/v1.1" 2>/dev/null || true)
    [ "$code" = 401 ] || die "FROST was started with SENFED_FROST_AUTH=basic but answers $code, not 401, without credentials"
}

# ---------------------------------------------------------------- PostgreSQL
psql_admin() { # database, then psql arguments
    local db=$1
    shift
    as_run_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$STATE/pg/run" -p "$PG_PORT" -U postgres -d "$db" "$@"
}

start_postgresql() {
    local dir="$STATE/pg"
    if [ -n "$(pg_pid)" ]; then
        say "PostgreSQL already running (pid $(pg_pid), port $PG_PORT)"
        return 0
    fi
    ensure_port_free "$PG_PORT" "PostgreSQL"
    mkdir -p "$dir/run"
    chown "$RUN_USER:" "$dir" "$dir/run"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        rm -rf "$dir/data"
        as_run_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        say "PostgreSQL cluster created in $dir/data ($(elapsed))"
    fi
    # Loopback only, on our port, socket in our own directory (not /var/run/postgresql).
    as_run_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses=$HOST -p $PG_PORT -k $dir/run" start >/dev/null \
        || { tail -n 30 "$dir/postgres.log" >&2 || true; die "PostgreSQL did not start (log: $dir/postgres.log)"; }
    say "PostgreSQL running on $HOST:$PG_PORT, pid $(pg_pid) ($(elapsed))"
    if [ "$(psql_admin postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
        psql_admin postgres -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
    fi
    if [ "$(psql_admin postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
        psql_admin postgres -c "CREATE DATABASE $DB OWNER $DB_USER"
    fi
    psql_admin "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"
}

stop_postgresql() {
    local pid
    pid=$(pg_pid)
    [ -n "$pid" ] || return 0
    as_run_user "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -m fast -w -t 30 stop >/dev/null \
        || { kill -KILL "$pid" 2>/dev/null || true; }
    say "PostgreSQL stopped (pid $pid)"
}

# ---------------------------------------------------------------- the war
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The first reason Maven gave, without its colours.
maven_reason() {
    local line
    line=$(sed 's/\x1b\[[0-9;]*m//g' "$STATE/war/maven.log" | grep -m 1 -oE 'Could not [^(]*\([^)]*\)|\[ERROR\].*' || true)
    echo "$(echo "${line:-no answer within $MAVEN_TIMEOUT s}" | cut -c1-220) (log: $STATE/war/maven.log)"
}

# Sets WAR_SOURCE (a file) and WAR_ORIGIN (what to tell the user).
find_war() {
    local maven_dir="$STATE/war/maven" sha
    if [ -n "${SENFED_FROST_WAR:-}" ]; then
        [ -f "$SENFED_FROST_WAR" ] || die "SENFED_FROST_WAR=$SENFED_FROST_WAR is not a file"
        WAR_SOURCE="$SENFED_FROST_WAR"
        WAR_ORIGIN="SENFED_FROST_WAR ($SENFED_FROST_WAR)"
        return 0
    fi
    if command -v mvn >/dev/null 2>&1; then
        say "asking Maven for $ARTIFACT (up to $MAVEN_TIMEOUT s)"
        rm -rf "$maven_dir"
        mkdir -p "$maven_dir"
        if timeout "$MAVEN_TIMEOUT" mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$ARTIFACT" \
            -DoutputDirectory="$maven_dir" >"$STATE/war/maven.log" 2>&1 && [ -f "$maven_dir/$WAR_NAME" ]; then
            WAR_SOURCE="$maven_dir/$WAR_NAME"
            WAR_ORIGIN="Maven ($ARTIFACT)"
            return 0
        fi
        say "Maven could not provide it ($(elapsed)): $(maven_reason)"
    else
        say "mvn is not installed: not asking Maven"
    fi
    [ -f "$SHARED_WAR" ] || die "no FROST-Server war: Maven failed (log $STATE/war/maven.log), $SHARED_WAR" \
        "is missing, and SENFED_FROST_WAR is not set"
    sha=$(sha256_of "$SHARED_WAR")
    [ "$sha" = "$SHARED_SHA256" ] || die "$SHARED_WAR has sha256 $sha, not the published $SHARED_SHA256"
    WAR_SOURCE="$SHARED_WAR"
    WAR_ORIGIN="the shared copy $(cd "$(dirname "$SHARED_WAR")" && pwd)/$WAR_NAME (sha256 checked)"
}

# The converted war, cached: converted again only when another war is given.
prepare_war() {
    local dir="$STATE/war" converted="$STATE/war/FROST-Server.jakarta.war" sha
    mkdir -p "$dir"
    if [ -f "$converted" ] && [ -f "$dir/origin" ] && [ -z "${SENFED_FROST_WAR:-}" ]; then
        say "war: cached conversion of $(cat "$dir/origin")"
    else
        find_war
        sha=$(sha256_of "$WAR_SOURCE")
        if [ -f "$converted" ] && [ "$(cat "$dir/source.sha256" 2>/dev/null)" = "$sha" ]; then
            say "war: $WAR_ORIGIN, already converted"
        else
            say "war: $WAR_ORIGIN; converting javax to jakarta for Tomcat 10.1"
            rm -f "$converted" "$converted.tmp"
            javax2jakarta "$WAR_SOURCE" "$converted.tmp" >"$dir/javax2jakarta.log" 2>&1 \
                || { tail -n 20 "$dir/javax2jakarta.log" >&2; die "javax2jakarta failed"; }
            mv "$converted.tmp" "$converted"
            echo "$sha" >"$dir/source.sha256"
            say "war converted ($(elapsed))"
        fi
        echo "$WAR_ORIGIN" >"$dir/origin"
    fi
    # Deployed as FROST-Server.war, so the context path is /FROST-Server; Tomcat unpacks it
    # once and redeploys only when the war changes.
    local target="$STATE/tomcat/webapps/FROST-Server.war"
    if ! cmp -s "$converted" "$target"; then
        rm -rf "$STATE/tomcat/webapps/FROST-Server" "$target"
        cp "$converted" "$target"
    fi
}

# ---------------------------------------------------------------- Tomcat
make_instance() {
    local dir="$STATE/tomcat"
    if [ ! -f "$dir/conf/server.xml" ]; then
        rm -rf "$dir"
        tomcat10-instance-create -p "$HTTP_PORT" -c 8005 "$dir" >/dev/null \
            || die "tomcat10-instance-create failed"
    fi
    # Every start rewrites the ports, so that changed SENFED_FROST_* settings apply: the
    # shutdown port off (stop is a signal to the pid), the HTTP connector on loopback only.
    sed -i -E \
        -e 's#<Server port="-?[0-9]+"#<Server port="-1"#' \
        -e "s#<Connector port=\"[0-9]+\"( address=\"[^\"]*\")? protocol=\"HTTP/1.1\"#<Connector port=\"$HTTP_PORT\" address=\"$HOST\" protocol=\"HTTP/1.1\"#" \
        "$dir/conf/server.xml"
    grep -q "<Connector port=\"$HTTP_PORT\" address=\"$HOST\" protocol=\"HTTP/1.1\"" "$dir/conf/server.xml" \
        || die "could not set the HTTP connector in $dir/conf/server.xml"
    # The AJP connector is commented out in Debian's template; nothing else listens.
    mkdir -p "$dir/lib"
    cp "$JDBC_JAR" "$dir/lib/postgresql.jar"
    rm -rf "$dir/webapps/ROOT"
    # FROST reads its settings from the environment first (dots become underscores).
    cat >"$dir/bin/setenv.sh" <<EOF
# Written by scripts/sensorthings/frost.sh: FROST-Server settings and JVM options.
CATALINA_HOME=$TOMCAT_HOME
# Debian's way of finding the Java runtime (sets JAVA_HOME).
[ -f /usr/libexec/tomcat10/tomcat-locate-java.sh ] && . /usr/libexec/tomcat10/tomcat-locate-java.sh
export JAVA_OPTS="$JAVA_OPTS_FROST -Djava.awt.headless=true"
export serviceRootUrl="$SERVICE_ROOT"
export persistence_db_driver="org.postgresql.Driver"
export persistence_db_url="jdbc:postgresql://$HOST:$PG_PORT/$DB"
export persistence_db_username="$DB_USER"
export persistence_db_password="$DB_PASSWORD"
export persistence_autoUpdateDatabase="true"
export plugins_dataArray_enable="true"
export plugins_batchProcessing_enable="true"
export plugins_multiDatastream_enable="false"
export mqtt_Enabled="true"
export mqtt_Host="$HOST"
export mqtt_internalHost="$HOST"
export mqtt_Port="$MQTT_PORT"
export mqtt_WebsocketPort="$WS_PORT"
EOF
    if [ "$AUTH" = basic ]; then
        cat >>"$dir/bin/setenv.sh" <<EOF
# HTTP Basic authentication by FROST's BasicAuthProvider, its users in the same database.
export auth_provider="$AUTH_PROVIDER"
export auth_allowAnonymousRead="false"
export auth_realmName="FROST-Server"
export auth_plainTextPassword="true"
export auth_autoUpdateDatabase="true"
export auth_db_driver="org.postgresql.Driver"
export auth_db_url="jdbc:postgresql://$HOST:$PG_PORT/$DB"
export auth_db_username="$DB_USER"
export auth_db_password="$DB_PASSWORD"
EOF
    fi
}

start_tomcat() {
    local dir="$STATE/tomcat"
    ensure_port_free "$HTTP_PORT" "Tomcat HTTP"
    ensure_port_free "$MQTT_PORT" "FROST MQTT"
    ensure_port_free "$WS_PORT" "FROST MQTT websocket"
    chown -R "$RUN_USER:" "$STATE"
    : >"$dir/console.log"
    # Foreground Tomcat in its own session (catalina.sh run execs java, so the pid written
    # here is Tomcat's), its output in console.log.
    # shellcheck disable=SC2016 # $$ and $1.. are the inner shell's
    as_run_user setsid sh -c 'echo $$ > "$1" && exec env CATALINA_HOME="$2" CATALINA_BASE="$3" "$2/bin/catalina.sh" run' \
        sh "$dir/tomcat.pid" "$TOMCAT_HOME" "$dir" </dev/null >>"$dir/console.log" 2>&1 &
    disown || true
}

stop_tomcat() {
    local pid _
    pid=$(tomcat_pid)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        say "Tomcat (pid $pid) did not stop within 30 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/tomcat/tomcat.pid"
    say "Tomcat stopped (pid $pid)"
}

show_logs() {
    local f
    for f in "$STATE/tomcat/console.log" "$STATE/tomcat"/logs/localhost.*.log; do
        [ -s "$f" ] || continue
        echo "----- tail of $f" >&2
        tail -n 40 "$f" >&2 || true
    done
}

wait_ready() {
    local deadline=$(( $(date +%s) + TIMEOUT )) pid
    local launched=$(( $(date +%s) + 10 ))
    while ! answers; do
        # Until catalina.sh has exec'd java its command line does not name our instance
        # (tomcat_pid would not know it): the pid file's process being alive is enough, and
        # the background shell may not have written that file yet in the first seconds.
        pid=$(pid_in "$STATE/tomcat/tomcat.pid")
        if [ -z "$pid" ] && [ "$(date +%s)" -lt $launched ]; then
            sleep 0.25
            continue
        fi
        if [ -z "$pid" ]; then
            show_logs
            die "Tomcat exited before FROST answered"
        fi
        if [ "$(date +%s)" -ge $deadline ]; then
            show_logs
            die "FROST did not answer at $SERVICE_ROOT/v1.1 within $TIMEOUT s (SENFED_FROST_TIMEOUT)"
        fi
        sleep 0.25
    done
    # The extensions the SenFed nodes rely on, as FROST lists them in serverSettings.
    check_auth
    local root
    root=$(service_root)
    case "$root" in
        *"req/data-array"*) ;;
        *) die "FROST answers but does not list the DataArray extension in serverSettings: $root" ;;
    esac
    case "$root" in
        *"req/batch-request"*) ;;
        *) die "FROST answers but does not list batch requests in serverSettings: $root" ;;
    esac
}

users_json() { # FROST's default users when authentication is on (see the header)
    if [ "$AUTH" = basic ]; then
        cat <<EOF
{
    "read": { "password": "read", "roles": ["read"] },
    "write": { "password": "write", "roles": ["read", "create", "update"] },
    "admin": { "password": "admin", "roles": ["read", "create", "update", "delete", "admin"] }
  }
EOF
    else
        echo '{}'
    fi
}

write_info() {
    cat >"$STATE/frost.json" <<EOF
{
  "dir": "$STATE",
  "serviceRoot": "$SERVICE_ROOT/v1.1",
  "serviceRootV10": "$SERVICE_ROOT/v1.0",
  "mqttUrl": "$MQTT_URL",
  "mqttWebsocketPort": $WS_PORT,
  "httpPort": $HTTP_PORT,
  "postgresql": { "host": "$HOST", "port": $PG_PORT, "database": "$DB", "user": "$DB_USER", "password": "$DB_PASSWORD" },
  "war": "$(sed 's/"/\\"/g' "$STATE/war/origin" 2>/dev/null || true)",
  "auth": "$AUTH",
  "users": $(users_json),
  "logs": { "tomcat": "$STATE/tomcat/console.log", "postgresql": "$STATE/pg/postgres.log" }
}
EOF
    chmod 644 "$STATE/frost.json"
}

# ---------------------------------------------------------------- commands
cmd_start() {
    check_settings
    local running_auth
    running_auth="$(cat "$STATE/auth" 2>/dev/null || echo none)"
    if [ "$running_auth" != "$AUTH" ] && [ -n "$(tomcat_pid)" ]; then
        say "running with authentication $running_auth: restarting Tomcat with $AUTH"
    elif [ -n "$(tomcat_pid)" ] && [ -n "$(pg_pid)" ] && answers; then
        say "already running (Tomcat pid $(tomcat_pid), PostgreSQL pid $(pg_pid))"
        say "service root: $SERVICE_ROOT/v1.1"
        say "MQTT: $MQTT_URL"
        return 0
    fi
    install_packages
    say "packages ready ($(elapsed))"
    mkdir -p "$STATE"
    touch "$STATE/$MARKER"
    chown "$RUN_USER:" "$STATE"
    # A Tomcat left half-started (FROST not answering) is restarted.
    stop_tomcat
    start_postgresql
    make_instance
    prepare_war
    echo "$AUTH" >"$STATE/auth"
    write_info
    start_tomcat
    say "Tomcat starting ($(elapsed)), waiting for $SERVICE_ROOT/v1.1"
    wait_ready
    say "FROST-Server $FROST_VERSION ready in $(elapsed): Tomcat pid $(tomcat_pid), PostgreSQL pid $(pg_pid)"
    say "service root: $SERVICE_ROOT/v1.1"
    if [ "$AUTH" = basic ]; then say "authentication: HTTP Basic, users read/read, write/write, admin/admin"; fi
    say "MQTT: $MQTT_URL (websocket port $WS_PORT)"
    say "settings for programs: $STATE/frost.json; logs: $STATE/tomcat/console.log, $STATE/pg/postgres.log"
}

cmd_stop() {
    check_settings
    if [ ! -e "$STATE/$MARKER" ]; then
        say "no FROST test bed in $STATE: nothing to stop"
        return 0
    fi
    stop_tomcat
    stop_postgresql
    say "stopped ($(elapsed)); data kept in $STATE"
}

cmd_status() {
    check_settings
    local ok=0 pid
    pid=$(tomcat_pid)
    if [ -n "$pid" ]; then
        echo "Tomcat: running, pid $pid, http://$HOST:$HTTP_PORT, rss $(awk '/VmRSS/ { print int($2 / 1024) " MiB" }' "/proc/$pid/status")"
    else
        echo "Tomcat: stopped"
        ok=1
    fi
    pid=$(pg_pid)
    if [ -n "$pid" ]; then
        echo "PostgreSQL: running, pid $pid, $HOST:$PG_PORT, database $DB"
    else
        echo "PostgreSQL: stopped"
        ok=1
    fi
    if answers; then
        echo "FROST-Server: answering at $SERVICE_ROOT/v1.1, MQTT $MQTT_URL, authentication $AUTH"
    else
        echo "FROST-Server: not answering at $SERVICE_ROOT/v1.1"
        ok=1
    fi
    [ -f "$STATE/war/origin" ] && echo "war: $(cat "$STATE/war/origin")"
    return $ok
}

cmd_reset() {
    cmd_stop
    [ -e "$STATE/$MARKER" ] || return 0
    rm -rf "$STATE"
    say "deleted $STATE"
}

usage() {
    echo "usage: $0 start | stop | status | reset" >&2
    exit 2
}

main() {
    [ $# -eq 1 ] || usage
    case "$1" in
        start) cmd_start ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        reset) cmd_reset ;;
        *) usage ;;
    esac
}

main "$@"
