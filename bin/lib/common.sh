# Shared by the bin/ scripts: where things are, building when sources changed, the demo models.
# shellcheck shell=bash

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
server_jar="$root/server/target/ringserve-server-0.1.0-SNAPSHOT.jar"
server_classpath="$server_jar:$root/server/target/lib/*"
loadtest_jar="$root/loadtest/target/ringserve-loadtest-0.1.0-SNAPSHOT.jar"
loadtest_classpath="$loadtest_jar:$root/loadtest/target/lib/*"
demo_models="${RINGSERVE_DEMO_MODELS:-$root/demo-models}"
# Load generators measure the server, not Netty's leak detector (the server turns it off itself: ServerDefaults).
loadtest_jvm_flags="-Dio.netty.leakDetection.level=disabled"
# TensorFlow's C++ INFO lines are noise for a server; warnings and errors still show.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"

needs_build() {
  [[ ! -f "$server_jar" || ! -f "$loadtest_jar" || ! -d "$root/server/target/lib" ]] && return 0
  # Rebuild when a source or build file changed since the last build.
  [[ -n "$(find "$root" -path "$root/demo-models" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
      -newer "$server_jar" -type f -print -quit 2>/dev/null)" ]]
}

build_if_needed() {
  if needs_build; then
    echo "ringserve: building (mvn -DskipTests package); this happens once..." >&2
    (cd "$root" && mvn -B -q -DskipTests package) >&2
  fi
}

ensure_demo_models() {
  if [[ ! -f "$demo_models/.complete" ]]; then
    echo "ringserve: generating the demo models in $demo_models ..." >&2
    java -cp "$server_classpath" io.ringserve.models.demo.DemoModelGenerator "$demo_models" >&2
    touch "$demo_models/.complete"
  fi
}
