#!/usr/bin/env bash
# Runs a command inside a fresh memory cgroup limited to LIMIT_MIB (v1 under
# /sys/fs/cgroup/memory, else v2), removed afterwards, and fails if the cgroup's OOM killer
# had to act; prints the peak memory and wall time to stderr. Where cgroups are not writable
# it says so and falls back to an RSS check (/usr/bin/time: peak RSS above the limit fails).
#   in_memory_cgroup.sh LIMIT_MIB -- COMMAND [ARGS...]
set -u
limit_mib=$1
shift 2
limit=$((limit_mib * 1024 * 1024))
start=$(date +%s.%N)
group=""
if [[ -w /sys/fs/cgroup/memory ]]; then
  group=/sys/fs/cgroup/memory/lunatic-test-$$
  mkdir "$group" && echo "$limit" > "$group/memory.limit_in_bytes" || group=""
  peak_file=memory.max_usage_in_bytes
  events=""
elif [[ -w /sys/fs/cgroup/cgroup.procs ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
  group=/sys/fs/cgroup/lunatic-test-$$
  mkdir "$group" && echo "$limit" > "$group/memory.max" || group=""
  peak_file=memory.peak
  events=memory.events
fi
if [[ -n $group ]]; then
  bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$group" "$@"
  status=$?
  peak=$(cat "$group/$peak_file" 2>/dev/null || echo 0)
  oom=0
  if [[ -n $events ]]; then
    oom=$(awk '$1 == "oom_kill" {print $2}' "$group/$events")
  else
    oom=$(awk '$1 == "oom_kill" {print $2}' "$group/memory.oom_control" 2>/dev/null || echo 0)
  fi
  # The command has ended; its cgroup empties once its threads are reaped.
  for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$group" 2>/dev/null && break; sleep 0.2; done
  end=$(date +%s.%N)
  printf 'in_memory_cgroup: limit %d MiB, peak %d MiB, %.2f s, status %d, oom kills %s\n' \
    "$limit_mib" $((peak / 1048576)) "$(echo "$end - $start" | bc)" "$status" "${oom:-0}" >&2
  if [[ ${oom:-0} != 0 ]]; then
    echo "in_memory_cgroup: the cgroup's OOM killer ran: the runtime was not kept in bounds" >&2
    exit 99
  fi
  exit "$status"
fi
echo "in_memory_cgroup: SKIPPED the cgroup (not writable here): checking peak RSS instead" >&2
/usr/bin/time -f '%M' -o /tmp/in_memory_cgroup.$$ "$@"
status=$?
rss_kib=$(tail -1 /tmp/in_memory_cgroup.$$)
rm -f /tmp/in_memory_cgroup.$$
echo "in_memory_cgroup: peak RSS $((rss_kib / 1024)) MiB, status $status" >&2
if ((rss_kib * 1024 > limit)); then
  echo "in_memory_cgroup: peak RSS above the $limit_mib MiB limit" >&2
  exit 99
fi
exit "$status"
