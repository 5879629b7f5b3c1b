/* wasi-libc has no <setjmp.h> (wasm32 cannot unwind the stack without the exception handling
 * proposal). Lua's ldo.c includes it unconditionally; lua_wasi.h replaces what it would use
 * (LUAI_TRY, LUAI_THROW, luai_jmpbuf), so this header is empty on purpose. */
#ifndef LUNATIC_BENCH_SETJMP_H
#define LUNATIC_BENCH_SETJMP_H
#endif
