/* Force-included (-include) into Lua when built for wasm32-wasi, after wasi_compat.h.
 * Benchmarks only: Lua as a compute workload, not a complete port. */
#ifndef LUNATIC_BENCH_LUA_WASI_H
#define LUNATIC_BENCH_LUA_WASI_H
#ifdef __wasi__
#include <stdio.h>
#include <stdlib.h>

/* Lua's errors unwind with longjmp (or C++ throw). wasm32 has neither without the exception
 * handling proposal, which clang 14's wasi target and lunatic's engine lack, and wasi-libc
 * ships no setjmp.h. So a protected call runs its body directly and an error, instead of
 * unwinding to the pcall, prints its message and aborts (a trap). A benchmark that raises
 * no error runs as with a real Lua; pcall(error) does not. */
#define luai_jmpbuf int
#define LUAI_TRY(L, c, a) \
  { a }
#define LUAI_THROW(L, c)                                                                \
  (fprintf(stderr, "lua: %s\nlua: (wasm32-wasi build without longjmp: errors abort)\n", \
           lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error object"),      \
   fflush(stderr), abort())

/* No processes or temporary names in WASI: os.execute says "no shell", os.tmpname fails
 * (the deprecated wasi-libc declarations would fail the link). */
#define system(cmd) ((cmd) == NULL ? 0 : -1)
#define lua_tmpnam(b, e) \
  {                      \
    e = 1;               \
    (void)(b);           \
  }
#define LUA_TMPNAMBUFSIZE 32
#define tmpfile() ((FILE*)NULL)
#endif
#endif
