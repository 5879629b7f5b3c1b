/* Table-driven CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over a buffer:
 * measures byte loads, table lookups, shifts and xors.
 * Usage: crc [BYTES=16777216] [PASSES=2]; each pass continues the previous CRC. */
#include "bench_common.h"

static uint32_t g_table[256];

static void crc_init_table(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    g_table[i] = c;
  }
}

static uint32_t crc_update(uint32_t crc, const uint8_t* p, uint32_t len) {
  crc = ~crc;
  for (uint32_t i = 0; i < len; ++i) crc = g_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

int main(int argc, char** argv) {
  uint32_t n = bench_arg(argc, argv, 1, 16u << 20);
  uint32_t passes = bench_arg(argc, argv, 2, 2);
  uint8_t* buf = bench_alloc(n);
  bench_fill(buf, n, 12345);
  crc_init_table();
  uint32_t crc = 0;
  for (uint32_t r = 0; r < passes; ++r) crc = crc_update(crc, buf, n);
  free(buf);
  bench_report("crc", n, passes, crc);
  return 0;
}
