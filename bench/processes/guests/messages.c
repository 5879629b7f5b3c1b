/* The message benchmarks on the real ABI (lunatic::message, lunatic::process through the C SDK):
 * the same programs as bench/erlang/processes.erl's ring, pingpong, spawn_join and payload rows.
 * Prints "SAMPLE name value unit" lines for bench/run_process_bench.py. Usage:
 *   lunatic run bench_messages.wasm -- ring N [ROUNDS] | pingpong N | spawn_join N
 *   lunatic run bench_messages.wasm -- payload BYTES N
 * ROUNDS: times the token goes around the ring, 100 by default; two runs that differ only in
 * it give the cost of a message without the spawns'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lunatic/message.h"
#include "lunatic/process.h"

#define EXPORT(name) __attribute__((export_name(#name)))
#define TAG 1

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void sample(const char* name, double value, const char* unit) {
  printf("SAMPLE %s %.4f %s\n", name, value, unit);
}

static uint64_t spawn(const char* entry, int64_t arg) {
  uint64_t id = 0;
  if (lunatic_spawn_export(0, entry, arg, &id) != 0) {
    printf("spawn of %s failed\n", entry);
    exit(2);
  }
  return id;
}

/* The next i64 tagged TAG; every hop of the ring and the ping-pong is one of these and one
 * lunatic_send_i64, the SDK's own helpers, so they measure what an SDK user gets. */
static int64_t receive_value(void) {
  int64_t value = 0;
  if (lunatic_receive_i64(TAG, LUNATIC_NO_TIMEOUT, &value) != LUNATIC_MESSAGE_DATA) exit(3);
  return value;
}

/* A ring node: forwards every value to `next`; ends after forwarding a 0. */
EXPORT(node) void node(int64_t next) {
  int64_t v;
  do {
    v = receive_value();
    lunatic_send_i64((uint64_t)next, TAG, v);
  } while (v != 0);
}

/* A ring of n nodes and this process; the token goes `rounds` times around (rounds (n + 1)
 * messages). */
static void ring(long n, long rounds) {
  uint64_t prev = lunatic_process_id();
  for (long i = 0; i < n; ++i) prev = spawn("node", (int64_t)prev);
  const double t0 = now_us();
  for (long round = 0; round < rounds; ++round) {
    lunatic_send_i64(prev, TAG, 1);
    receive_value();
  }
  const double us = now_us() - t0;
  lunatic_send_i64(prev, TAG, 0);
  receive_value();
  char name[32];
  snprintf(name, sizeof name, "ring_%ldk", n / 1000);
  sample(name, (double)rounds * (double)(n + 1) / us, "Mmsg/s");
}

/* Echoes every value to its parent; ends after echoing a 0. */
EXPORT(ponger) void ponger(int64_t parent) {
  int64_t v;
  do {
    v = receive_value();
    lunatic_send_i64((uint64_t)parent, TAG, v);
  } while (v != 0);
}

static void pingpong(long n) {
  const uint64_t p = spawn("ponger", (int64_t)lunatic_process_id());
  const double t0 = now_us();
  for (long i = 0; i < n; ++i) {
    lunatic_send_i64(p, TAG, 1);
    receive_value();
  }
  const double us = now_us() - t0;
  lunatic_send_i64(p, TAG, 0);
  receive_value();
  sample("pingpong", us / (double)n, "us");
}

/* Sends 1 to its parent and ends. */
EXPORT(child) void child(int64_t parent) { lunatic_send_i64((uint64_t)parent, TAG, 1); }

static void spawn_join(long n) {
  const int64_t me = (int64_t)lunatic_process_id();
  const double t0 = now_us();
  for (long i = 0; i < n; ++i) spawn("child", me);
  for (long i = 0; i < n; ++i) receive_value();
  sample("spawn_join", (now_us() - t0) / (double)n, "us");
}

/* Receives a whole data message into buf (at most cap bytes); its size. */
static size_t receive_payload(void* buf, size_t cap) {
  int64_t tag = TAG;
  uint64_t size = 0;
  if (lunatic_receive_data(&tag, 1, LUNATIC_NO_TIMEOUT, buf, cap, &size) != LUNATIC_MESSAGE_DATA) {
    exit(3);
  }
  if (size > cap) exit(4);
  return (size_t)size;
}

/* Echoes payloads of up to `cap` bytes to its parent, until an empty one (echoed too). */
EXPORT(echo) void echo(int64_t parent_and_cap) {
  const uint64_t parent = (uint64_t)parent_and_cap & 0xffffffffu;
  const size_t cap = (size_t)((uint64_t)parent_and_cap >> 32);
  unsigned char* buf = malloc(cap ? cap : 1);
  size_t size;
  do {
    size = receive_payload(buf, cap);
    lunatic_send_bytes(parent, TAG, buf, size);
  } while (size != 0);
  free(buf);
}

/* n round trips of a `bytes`-byte payload with an echo process, each side copying the
 * message into its own memory as a real receiver must. */
static void payload(size_t bytes, long n) {
  unsigned char* buf = malloc(bytes ? bytes : 1);
  memset(buf, 0xab, bytes);
  const uint64_t me = lunatic_process_id();
  if (me >> 32 != 0 || bytes >> 31 != 0) exit(5);  // both fit the argument's halves
  const uint64_t p = spawn("echo", (int64_t)((uint64_t)bytes << 32 | me));
  const double t0 = now_us();
  for (long i = 0; i < n; ++i) {
    lunatic_send_bytes(p, TAG, buf, bytes);
    if (receive_payload(buf, bytes) != bytes) exit(6);
  }
  const double us = now_us() - t0;
  lunatic_send_bytes(p, TAG, buf, 0);
  receive_payload(buf, bytes);
  char name[32];
  if (bytes >= 1024 * 1024) {
    snprintf(name, sizeof name, "payload_%zum", bytes / (1024 * 1024));
  } else if (bytes >= 1024) {
    snprintf(name, sizeof name, "payload_%zuk", bytes / 1024);
  } else {
    snprintf(name, sizeof name, "payload_%zu", bytes);
  }
  sample(name, us / (double)n, "us");
  free(buf);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    printf(
        "usage: bench_messages.wasm ring N [ROUNDS] | pingpong N | spawn_join N | "
        "payload BYTES N\n");
    return 2;
  }
  const char* what = argv[1];
  const long n = atol(argv[2]);
  if (strcmp(what, "ring") == 0) {
    ring(n, argc > 3 ? atol(argv[3]) : 100);
  } else if (strcmp(what, "pingpong") == 0) {
    pingpong(n);
  } else if (strcmp(what, "spawn_join") == 0) {
    spawn_join(n);
  } else if (strcmp(what, "payload") == 0 && argc > 3) {
    payload((size_t)atol(argv[2]), atol(argv[3]));
  } else {
    printf("unknown benchmark %s\n", what);
    return 2;
  }
  return 0;
}
