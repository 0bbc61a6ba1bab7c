#!/usr/bin/env bash
# Local services for Kabar: PostgreSQL and a real single-node Apache Kafka broker (KRaft), for the test suite and for
# "full local" mode, and Debian's Chromium for the web UI's browser tests. Idempotent: running `up` again is a quick
# check.
#
#   scripts/services.sh up     [postgres|kafka|chromium]...   provision and start (default: all), write .kabar/services.env
#   scripts/services.sh down   [postgres|kafka|chromium]...   stop only what `up` started
#   scripts/services.sh status [postgres|kafka|chromium]...   exit 0 when every selected service answers, 1 otherwise
#
# PostgreSQL: $DATABASE_URL if it answers, else the local server on 127.0.0.1:5432 (installed with apt-get and started
#   with pg_ctlcluster when needed, Debian + root only), with role kabar/kabar and database kabar_test.
# Kafka: $KAFKA_BROKERS if it answers, else a broker run from Maven Central jars (version: <kafka.version> in
#   scripts/kafka/pom.xml, jars cached in .cache/kafka/<version>/libs), data and config in .kabar/kafka/.
#   Ready means kafkajs (from node_modules, so run `npm install` first) produced to and consumed from it
#   (scripts/kafka-ready.mjs).
# Chromium: $KABAR_CHROMIUM, else /usr/bin/chromium, installed with apt-get when missing (Debian + root only); the
#   browser tests drive it through playwright-core. Nothing to start or stop: each test launches its own.
#
# Environment: KABAR_KAFKA_PORT (19092), KABAR_KAFKA_CONTROLLER_PORT (19093), KABAR_KAFKA_WAIT (90, seconds),
#   KABAR_NODE (node binary for the kafkajs probe; default node_modules/.bin/node, else node on PATH).
#
# Afterwards: set -a; . .kabar/services.env; set +a
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
STATE_DIR="$ROOT/.kabar"
ENV_FILE="$STATE_DIR/services.env"

PG_HOST=127.0.0.1
PG_PORT=5432
PG_LOCAL_URL="postgres://kabar:kabar@$PG_HOST:$PG_PORT/kabar_test"
PG_MARKER="$STATE_DIR/postgres.started-by-up"
PG_LOG="$STATE_DIR/postgres-up.log"

KAFKA_POM="$ROOT/scripts/kafka/pom.xml"
KAFKA_READY="scripts/kafka-ready.mjs"
KAFKA_DIR="$STATE_DIR/kafka"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_LOG4J="$KAFKA_DIR/log4j2.properties"
KAFKA_LOG="$KAFKA_DIR/server.log"
KAFKA_PIDFILE="$KAFKA_DIR/kafka.pid"
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KABAR_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KABAR_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_WAIT="${KABAR_KAFKA_WAIT:-90}"

# Filled in by pg_up / kafka_up for the summary.
PG_URL="" PG_NOTE="" KAFKA_URL="" KAFKA_NOTE=""

say() { printf '%s\n' "$*"; }
warn() { printf 'services: warning: %s\n' "$*" >&2; }
die() {
  printf 'services: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

is_root() { [[ $(id -u) -eq 0 ]]; }
is_debian() { [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; }

# True when something accepts TCP connections on host:port.
# shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
tcp_open() { timeout 2 bash -c ': <"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1; }

# "process (pid N)" listening on a local TCP port, if ss can tell.
port_owner() {
  local users
  users=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 || true)
  if [[ -n $users ]]; then printf '%s' "$users"; else printf 'unknown process'; fi
}

# ---------------------------------------------------------------------------------------------------- services.env

# Shell- and dotenv-safe value: bare when harmless, else single-quoted.
env_quote() {
  if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./~-]*$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

env_line() {
  if [[ -f $ENV_FILE ]]; then grep -m1 "^$1=" "$ENV_FILE" || true; fi
}

# env_set KEY VALUE (empty VALUE removes the line). Keeps the order DATABASE_URL, KAFKA_BROKERS.
env_set() {
  local key=$1 value=$2 db kb tmp
  db=$(env_line DATABASE_URL)
  kb=$(env_line KAFKA_BROKERS)
  local line=""
  [[ -z $value ]] || line="$key=$(env_quote "$value")"
  case $key in
    DATABASE_URL) db=$line ;;
    KAFKA_BROKERS) kb=$line ;;
  esac
  if [[ -z $db && -z $kb ]]; then
    rm -f "$ENV_FILE"
    return 0
  fi
  mkdir -p "$STATE_DIR"
  tmp="$ENV_FILE.tmp.$$"
  {
    if [[ -n $db ]]; then printf '%s\n' "$db"; fi
    if [[ -n $kb ]]; then printf '%s\n' "$kb"; fi
  } >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

# ------------------------------------------------------------------------------------------------------ PostgreSQL

pg_answers() {
  command -v psql >/dev/null 2>&1 || return 1
  PGCONNECT_TIMEOUT=5 psql "$1" -XAtqw -c 'select 1' </dev/null >/dev/null 2>&1
}

# Our role and database exist, the role may create databases and owns kabar_test (checked over TCP).
pg_kabar_ok() {
  command -v psql >/dev/null 2>&1 || return 1
  local ok
  ok=$(PGCONNECT_TIMEOUT=5 psql "$PG_LOCAL_URL" -XAtqw -c "
    select r.rolcreatedb and d.datdba = r.oid
    from pg_roles r, pg_database d
    where r.rolname = current_user and d.datname = current_database()" </dev/null 2>/dev/null) || return 1
  [[ $ok == t ]]
}

pg_server_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 </dev/null
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

pg_instructions() {
  cat >&2 <<EOF
services: error: no PostgreSQL answers on $PG_HOST:$PG_PORT and this script can only install/start one as root on Debian.
  Install and start PostgreSQL (15 or newer) listening on $PG_HOST:$PG_PORT, e.g.
    Debian/Ubuntu:  sudo apt-get install -y postgresql && sudo pg_ctlcluster <version> main start
    Fedora/RHEL:    sudo dnf install -y postgresql-server && sudo postgresql-setup --initdb && sudo systemctl start postgresql
    macOS:          brew install postgresql@15 && brew services start postgresql@15
  then create the role and database (as the postgres superuser):
    CREATE ROLE kabar LOGIN CREATEDB PASSWORD 'kabar';
    CREATE DATABASE kabar_test OWNER kabar;
  or point DATABASE_URL at a server that answers, and run this again.
EOF
  exit 1
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  say "postgres: apt-get install -y $*"
  if ! apt-get install -y "$@" </dev/null >"$PG_LOG" 2>&1 9>&-; then
    say "postgres: install failed, running apt-get update first"
    if ! { apt-get update </dev/null && apt-get install -y "$@" </dev/null; } >>"$PG_LOG" 2>&1 9>&-; then
      tail -n 20 "$PG_LOG" >&2
      die "apt-get install $* failed (full log: $PG_LOG)"
    fi
  fi
}

# "version name status" of the Debian cluster on our port (pg_lsclusters), empty when there is none.
pg_cluster() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2, $4; exit }'
}

# Installs PostgreSQL if needed and starts the cluster on our port; records in $PG_MARKER that `up` started it.
pg_start_local() {
  if ! is_root || ! is_debian; then pg_instructions; fi
  local installed="" ver="" name="" status="" cluster
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    apt_install postgresql
    installed=1
  fi
  cluster=$(pg_cluster)
  if [[ -z $cluster ]]; then
    ver=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n1)
    [[ -n $ver ]] || die "postgresql is installed but /usr/lib/postgresql has no server version"
    say "postgres: creating cluster $ver/main on port $PG_PORT"
    pg_createcluster "$ver" main --port "$PG_PORT" </dev/null >>"$PG_LOG" 2>&1 9>&- ||
      die "pg_createcluster $ver main failed (see $PG_LOG)"
    cluster=$(pg_cluster)
  fi
  read -r ver name status <<<"$cluster"
  if [[ $status != online* ]]; then
    say "postgres: starting cluster $ver/$name"
    # Detached from our stdio and lock: the server outlives this script.
    if ! pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start </dev/null >>"$PG_LOG" 2>&1 9>&-; then
      tail -n 20 "$PG_LOG" >&2
      die "pg_ctlcluster $ver $name start failed (see $PG_LOG and /var/log/postgresql/postgresql-$ver-$name.log)"
    fi
    printf '%s %s\n' "$ver" "$name" >"$PG_MARKER"
  elif [[ -n $installed ]]; then
    # The package's postinst started it: still ours to stop.
    printf '%s %s\n' "$ver" "$name" >"$PG_MARKER"
  fi
  local i
  for ((i = 0; i < 30; i++)); do
    pg_server_answers && return 0
    sleep 1
  done
  die "cluster $ver/$name is $(pg_cluster | awk '{print $3}') but nothing answers on $PG_HOST:$PG_PORT (check listen_addresses)"
}

pg_provision() {
  if ! is_root; then
    die "role kabar / database kabar_test missing or incomplete on $PG_HOST:$PG_PORT; as a superuser run:
    CREATE ROLE kabar LOGIN CREATEDB PASSWORD 'kabar';  CREATE DATABASE kabar_test OWNER kabar;"
  fi
  say "postgres: creating role kabar and database kabar_test"
  # Over the unix socket as the postgres superuser: works with trust and with scram/peer pg_hba alike.
  (cd / && su postgres -s /bin/sh -c "psql -XqAt -v ON_ERROR_STOP=1 -p $PG_PORT" >/dev/null) <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kabar') THEN
    CREATE ROLE kabar LOGIN CREATEDB PASSWORD 'kabar';
  ELSE
    ALTER ROLE kabar LOGIN CREATEDB PASSWORD 'kabar';
  END IF;
END
$$;
SELECT 'CREATE DATABASE kabar_test OWNER kabar'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'kabar_test')\gexec
ALTER DATABASE kabar_test OWNER TO kabar;
SQL
}

pg_how() {
  if [[ -f $PG_MARKER ]]; then
    printf 'cluster %s, started by services.sh up' "$(tr ' ' / <"$PG_MARKER")"
  else
    printf 'server was already running'
  fi
}

pg_up() {
  if [[ -n ${DATABASE_URL:-} ]]; then
    if pg_answers "$DATABASE_URL"; then
      PG_URL=$DATABASE_URL PG_NOTE="DATABASE_URL from the environment"
      say "postgres: up (using DATABASE_URL from the environment)"
      env_set DATABASE_URL "$PG_URL"
      return 0
    fi
    warn "DATABASE_URL is set but does not answer; using the local server on $PG_HOST:$PG_PORT instead"
  fi
  if ! pg_kabar_ok; then
    if ! pg_server_answers; then pg_start_local; fi
    if ! pg_kabar_ok; then
      pg_provision
      pg_kabar_ok || die "$PG_LOCAL_URL does not answer over TCP after provisioning (check pg_hba.conf for host 127.0.0.1/32)"
    fi
  fi
  PG_URL=$PG_LOCAL_URL PG_NOTE=$(pg_how)
  say "postgres: up ($PG_NOTE)"
  env_set DATABASE_URL "$PG_URL"
}

pg_down() {
  if [[ -f $PG_MARKER ]]; then
    local ver name
    read -r ver name <"$PG_MARKER"
    if [[ $(pg_cluster | awk '{print $3}') == online* ]]; then
      say "postgres: stopping cluster $ver/$name (started by services.sh up)"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" stop </dev/null >>"$PG_LOG" 2>&1 9>&- ||
        die "pg_ctlcluster $ver $name stop failed (see $PG_LOG)"
    else
      say "postgres: cluster $ver/$name already stopped"
    fi
    rm -f "$PG_MARKER"
  else
    say "postgres: left running (services.sh up did not start it)"
  fi
  env_set DATABASE_URL ""
}

pg_status() {
  if [[ -n ${DATABASE_URL:-} ]] && pg_answers "$DATABASE_URL"; then
    say "postgres: up (DATABASE_URL from the environment)"
  elif pg_kabar_ok; then
    say "postgres: up ($PG_LOCAL_URL; $(pg_how))"
  elif pg_server_answers; then
    say "postgres: server answers on $PG_HOST:$PG_PORT but $PG_LOCAL_URL does not (run: scripts/services.sh up postgres)"
    return 1
  else
    say "postgres: down (nothing answers on $PG_HOST:$PG_PORT)"
    return 1
  fi
}

# ----------------------------------------------------------------------------------------------------------- Kafka

kafka_version() {
  local v
  v=$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "$KAFKA_POM" | head -n1)
  [[ -n $v ]] || die "no <kafka.version> property in $KAFKA_POM"
  printf '%s' "$v"
}

node_cmd() {
  if [[ -n ${KABAR_NODE:-} ]]; then
    printf '%s' "$KABAR_NODE"
  elif [[ -x $ROOT/node_modules/.bin/node ]]; then
    printf '%s' "$ROOT/node_modules/.bin/node"
  else
    printf 'node'
  fi
}

have_kafkajs() {
  local node
  node=$(node_cmd)
  (cd "$ROOT" && "$node" --input-type=module -e "await import('kafkajs')") </dev/null >/dev/null 2>&1
}

need_kafkajs() {
  have_kafkajs || die "kafkajs is not installed (the Kafka readiness probe needs it): run npm install in $ROOT"
}

# Runs scripts/kafka-ready.mjs from the repo root with the given arguments.
kafka_probe() {
  local node
  node=$(node_cmd)
  (cd "$ROOT" && "$node" "$KAFKA_READY" "$@") </dev/null 9>&-
}

kafka_answers() { kafka_probe --ping --timeout=15 --brokers="$1" >/dev/null 2>&1; }

# Prints the pid from the pid file when it is our broker (kafka.Kafka with our server.properties).
kafka_pid() {
  [[ -f $KAFKA_PIDFILE ]] || return 1
  local pid
  pid=$(tr -cd '0-9' <"$KAFKA_PIDFILE")
  [[ -n $pid ]] && kafka_is_ours "$pid" && printf '%s' "$pid"
}

kafka_is_ours() {
  local cmdline
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
  [[ $cmdline == *" kafka.Kafka $KAFKA_PROPS "* ]]
}

# The PLAINTEXT port a (running) broker was configured with.
kafka_configured_port() {
  sed -n "s|^advertised\.listeners=PLAINTEXT://$KAFKA_HOST:\([0-9]*\).*|\1|p" "$KAFKA_PROPS" 2>/dev/null
}

need_java() {
  command -v java >/dev/null 2>&1 || die "java not found: Kafka 4 needs Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)"
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
  [[ ${major:-0} -ge 17 ]] || die "java $major found, Kafka 4 needs Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)"
}

# Copies the broker's jars from Maven Central into .cache/kafka/<version>/libs once per pom.xml content.
kafka_fetch() {
  local ver=$1 cache libs tmp sum
  cache="$ROOT/.cache/kafka/$ver"
  libs="$cache/libs"
  sum=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
  if [[ -f $cache/.complete && $(<"$cache/.complete") == "$sum" && -f $libs/kafka_2.13-$ver.jar ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: needed once to fetch the Kafka jars (Debian: apt-get install -y maven)"
  say "kafka: fetching Kafka $ver jars from Maven Central into ${cache#"$ROOT"/} (once)"
  tmp="$cache/libs.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime </dev/null >"$cache/mvn.log" 2>&1 9>&-; then
    tail -n 30 "$cache/mvn.log" >&2
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed (full log: $cache/mvn.log)"
  fi
  [[ -f $tmp/kafka_2.13-$ver.jar ]] || die "mvn did not produce kafka_2.13-$ver.jar (see $cache/mvn.log)"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  printf '%s\n' "$sum" >"$cache/.complete"
}

kafka_write_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_PROPS" <<EOF
# Written by scripts/services.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data

# One node: every replication factor and min ISR is 1.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions and no initial rebalance delay: seconds saved per test run.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
# Topics are created explicitly (admin API).
auto.create.topics.enable=false

# Small footprint: a dev/test broker.
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
log.retention.bytes=268435456
log.segment.bytes=16777216
log.retention.check.interval.ms=60000
EOF
  cat >"$KAFKA_LOG4J" <<'EOF'
# Written by scripts/services.sh. Everything goes to stdout, which is .kabar/kafka/server.log.
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF
}

kafka_format() {
  local ver=$1 libs=$2 cid
  [[ -f $KAFKA_DIR/data/meta.properties ]] && return 0
  cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  say "kafka: formatting storage in ${KAFKA_DIR#"$ROOT"/}/data (cluster id $cid)"
  if ! java -Dlog4j2.configurationFile="$KAFKA_LOG4J" -cp "$libs/*" kafka.tools.StorageTool \
    format -t "$cid" -c "$KAFKA_PROPS" </dev/null >"$KAFKA_DIR/format.log" 2>&1 9>&-; then
    cat "$KAFKA_DIR/format.log" >&2
    die "kafka storage format failed"
  fi
  printf '%s\n' "$ver" >"$KAFKA_DIR/formatted-by"
}

kafka_fail() {
  printf 'services: error: %s\n' "$1" >&2
  if [[ -n ${2:-} ]]; then printf '  last probe: %s\n' "$2" >&2; fi
  printf '  last lines of %s:\n' "$KAFKA_LOG" >&2
  tail -n 25 "$KAFKA_LOG" 2>/dev/null | sed 's/^/    /' >&2 || true
  exit 1
}

# Probes (full produce + consume) until it passes, the broker dies, or KAFKA_WAIT seconds pass.
kafka_wait_ready() {
  local pid=$1 deadline=$((SECONDS + KAFKA_WAIT)) remaining out=""
  while :; do
    kafka_is_ours "$pid" || {
      rm -f "$KAFKA_PIDFILE"
      kafka_fail "the Kafka broker (pid $pid) exited during startup" "$out"
    }
    remaining=$((deadline - SECONDS))
    if ((remaining > 30)); then remaining=30; fi
    if ((remaining < 5)); then remaining=5; fi
    if out=$(kafka_probe --brokers="$KAFKA_HOST:$KAFKA_PORT" --timeout="$remaining" 2>&1); then
      printf '%s\n' "$out" | sed 's/^/  /'
      return 0
    fi
    out=$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')
    ((SECONDS < deadline)) || kafka_fail "the Kafka broker (pid $pid) did not accept a produce within ${KAFKA_WAIT}s; \
it is still running (scripts/services.sh down kafka stops it)" "$out"
    sleep 1
  done
}

kafka_start() {
  local ver=$1 libs=$2 pid="" i
  [[ -f $KAFKA_LOG ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  rm -f "$KAFKA_PIDFILE"
  say "kafka: starting Kafka $ver on $KAFKA_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  # Fully detached: own session, no stdin, output to the log, every inherited descriptor above 2 closed (a CI
  # harness may be waiting on pipes we hold). The inner shell writes its pid, then becomes java (same pid).
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid nohup bash -c '
    for fd in /proc/$$/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    echo $$ >"$1"
    cd "$2" || exit 1
    exec java -Xms256m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$3" -cp "$4/*" kafka.Kafka "$5"
  ' kabar-kafka "$KAFKA_PIDFILE" "$KAFKA_DIR" "$KAFKA_LOG4J" "$libs" "$KAFKA_PROPS" \
    </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &
  for ((i = 0; i < 100; i++)); do
    if pid=$(kafka_pid); then break; fi
    sleep 0.1
  done
  [[ -n $pid ]] || kafka_fail "the Kafka broker did not start"
  say "kafka: broker pid $pid, waiting (up to ${KAFKA_WAIT}s) until it accepts a produce"
  kafka_wait_ready "$pid"
}

kafka_up() {
  local ver pid libs
  if [[ -n ${KAFKA_BROKERS:-} ]]; then
    need_kafkajs
    if kafka_answers "$KAFKA_BROKERS"; then
      KAFKA_URL=$KAFKA_BROKERS KAFKA_NOTE="KAFKA_BROKERS from the environment"
      say "kafka: up (using KAFKA_BROKERS from the environment)"
      env_set KAFKA_BROKERS "$KAFKA_URL"
      return 0
    fi
    warn "KAFKA_BROKERS is set but does not answer; using a local broker on $KAFKA_HOST:$KAFKA_PORT instead"
  fi
  [[ $KAFKA_PORT =~ ^[0-9]+$ && $KAFKA_CONTROLLER_PORT =~ ^[0-9]+$ && $KAFKA_WAIT =~ ^[0-9]+$ ]] ||
    die "KABAR_KAFKA_PORT, KABAR_KAFKA_CONTROLLER_PORT and KABAR_KAFKA_WAIT must be numbers"
  need_kafkajs
  ver=$(kafka_version)
  if pid=$(kafka_pid); then
    local running_port
    running_port=$(kafka_configured_port)
    [[ $running_port == "$KAFKA_PORT" ]] ||
      die "our broker (pid $pid) already runs on port $running_port, not $KAFKA_PORT: run scripts/services.sh down kafka first"
    say "kafka: already running (pid $pid), checking it"
    kafka_wait_ready "$pid"
  else
    if [[ -f $KAFKA_PIDFILE ]]; then
      say "kafka: removing stale pid file (pid $(<"$KAFKA_PIDFILE") is not our broker)"
      rm -f "$KAFKA_PIDFILE"
    fi
    local port
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      if tcp_open "$KAFKA_HOST" "$port"; then
        die "port $KAFKA_HOST:$port is in use by something that is not Kabar's broker: $(port_owner "$port").
  Stop it, set KAFKA_BROKERS to a broker that answers, or choose other ports (KABAR_KAFKA_PORT, KABAR_KAFKA_CONTROLLER_PORT)."
      fi
    done
    need_java
    kafka_fetch "$ver"
    libs="$ROOT/.cache/kafka/$ver/libs"
    kafka_write_config
    if [[ -f $KAFKA_DIR/formatted-by && $(<"$KAFKA_DIR/formatted-by") != "$ver" ]]; then
      warn "${KAFKA_DIR#"$ROOT"/}/data was formatted by Kafka $(<"$KAFKA_DIR/formatted-by"), now running $ver;" \
        "if the broker fails to start: scripts/services.sh down kafka && rm -rf ${KAFKA_DIR#"$ROOT"/}"
    fi
    kafka_format "$ver" "$libs"
    kafka_start "$ver" "$libs"
    pid=$(kafka_pid)
  fi
  KAFKA_URL="$KAFKA_HOST:$KAFKA_PORT" KAFKA_NOTE="Kafka $ver, pid $pid, started by services.sh up"
  say "kafka: up ($KAFKA_NOTE)"
  env_set KAFKA_BROKERS "$KAFKA_URL"
}

kafka_down() {
  local pid i
  if [[ ! -f $KAFKA_PIDFILE ]]; then
    say "kafka: not running (no broker started by services.sh up)"
  elif ! pid=$(kafka_pid); then
    say "kafka: removing stale pid file (pid $(<"$KAFKA_PIDFILE") is not our broker)"
    rm -f "$KAFKA_PIDFILE"
  else
    say "kafka: stopping broker pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      kafka_is_ours "$pid" || break
      sleep 0.1
    done
    if kafka_is_ours "$pid"; then
      warn "broker pid $pid still running after 30s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        kafka_is_ours "$pid" || break
        sleep 0.1
      done
      kafka_is_ours "$pid" && die "broker pid $pid survived SIGKILL"
    fi
    rm -f "$KAFKA_PIDFILE"
    say "kafka: stopped"
  fi
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if tcp_open "$KAFKA_HOST" "$port"; then
      warn "port $KAFKA_HOST:$port is still in use, by something that is not Kabar's broker: $(port_owner "$port")"
    fi
  done
  env_set KAFKA_BROKERS ""
}

kafka_status() {
  local pid
  if [[ -n ${KAFKA_BROKERS:-} ]] && have_kafkajs && kafka_answers "$KAFKA_BROKERS"; then
    say "kafka: up (KAFKA_BROKERS=$KAFKA_BROKERS from the environment)"
  elif pid=$(kafka_pid); then
    local port
    port=$(kafka_configured_port)
    if ! have_kafkajs; then
      say "kafka: running (pid $pid, $KAFKA_HOST:$port; kafkajs not installed, so not probed)"
    elif kafka_answers "$KAFKA_HOST:$port"; then
      say "kafka: up (Kafka $(kafka_version), pid $pid, $KAFKA_HOST:$port)"
    else
      say "kafka: pid $pid is running but does not answer on $KAFKA_HOST:$port (see ${KAFKA_LOG#"$ROOT"/})"
      return 1
    fi
  else
    local extra=""
    [[ -f $KAFKA_PIDFILE ]] && extra=", stale pid file"
    if tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      extra="$extra; port $KAFKA_PORT is taken by something else: $(port_owner "$KAFKA_PORT")"
    fi
    say "kafka: down$extra"
    return 1
  fi
}

# ------------------------------------------------------------------------------------------------------ Chromium

CHROMIUM="${KABAR_CHROMIUM:-/usr/bin/chromium}"
CHROMIUM_LOG="$STATE_DIR/chromium-up.log"

chromium_status() {
  if [[ -x $CHROMIUM ]]; then
    say "chromium: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    return 0
  fi
  say "chromium: not installed at $CHROMIUM"
  return 1
}

chromium_up() {
  if chromium_status >/dev/null; then
    say "chromium: $CHROMIUM"
    return 0
  fi
  if [[ -n ${KABAR_CHROMIUM:-} ]] || ! is_root || ! is_debian; then
    die "chromium: $CHROMIUM is missing; install Debian's chromium package (apt-get install chromium) or point KABAR_CHROMIUM at a Chromium binary"
  fi
  export DEBIAN_FRONTEND=noninteractive
  say "chromium: apt-get install -y chromium"
  # Debian's build only: the browser tests never download one (playwright-core is the driver, not a browser).
  if ! apt-get install -y chromium </dev/null >"$CHROMIUM_LOG" 2>&1 9>&-; then
    if ! { apt-get update </dev/null && apt-get install -y chromium </dev/null; } >>"$CHROMIUM_LOG" 2>&1 9>&-; then
      tail -n 20 "$CHROMIUM_LOG" >&2
      die "apt-get install chromium failed (full log: $CHROMIUM_LOG)"
    fi
  fi
  chromium_status
}

# ------------------------------------------------------------------------------------------------------------ main

main() {
  local cmd=${1:-} svc
  [[ $# -gt 0 ]] && shift
  local want_pg="" want_kafka="" want_chromium=""
  [[ $# -eq 0 ]] && set -- postgres kafka chromium
  for svc in "$@"; do
    case $svc in
      postgres | postgresql | pg) want_pg=1 ;;
      kafka) want_kafka=1 ;;
      chromium) want_chromium=1 ;;
      *) usage ;;
    esac
  done

  case $cmd in
    up | down)
      mkdir -p "$STATE_DIR"
      # One up/down at a time. Long-lived children get 9>&- so they do not keep the lock.
      exec 9>"$STATE_DIR/services.lock"
      flock -w 300 9 || die "another scripts/services.sh up/down is still running"
      ;;
    status) ;;
    *) usage ;;
  esac

  case $cmd in
    up)
      if [[ -n $want_pg ]]; then pg_up; fi
      if [[ -n $want_kafka ]]; then kafka_up; fi
      if [[ -n $want_chromium ]]; then chromium_up; fi
      if [[ -f $ENV_FILE ]]; then
        say ""
        say "services up; ${ENV_FILE#"$ROOT"/}:"
        sed 's/^/  /' "$ENV_FILE"
        say "load it with: set -a; . ${ENV_FILE#"$ROOT"/}; set +a"
      fi
      ;;
    down)
      if [[ -n $want_kafka ]]; then kafka_down; fi
      if [[ -n $want_pg ]]; then pg_down; fi
      ;;
    status)
      local rc=0
      if [[ -n $want_pg ]]; then pg_status || rc=1; fi
      if [[ -n $want_kafka ]]; then kafka_status || rc=1; fi
      if [[ -n $want_chromium ]]; then chromium_status || rc=1; fi
      return "$rc"
      ;;
  esac
}

main "$@"
