// lunatic C++ SDK: operator new that never returns NULL. Guests are built with -fno-exceptions,
// where libc++'s own operator new returns NULL when memory runs out; since address 0 is writable
// in Wasm, a std::string or std::vector would then write over the heap's start. These
// replacements abort with a message on stderr instead; the nothrow forms return NULL, and
// malloc is unchanged. Every SDK C++ header includes this one.
#ifndef LUNATIC_OPERATOR_NEW_HPP
#define LUNATIC_OPERATOR_NEW_HPP

// The replacements are weak, so one defined in each translation unit links once, and a
// program's own (strong) operator new still wins. LUNATIC_NO_OPERATOR_NEW leaves libc++'s.
#if defined(__wasm__) && !defined(LUNATIC_NO_OPERATOR_NEW)

#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace lunatic::detail {

/// Writes "lunatic: out of memory: operator new could not allocate N bytes" to stderr (with
/// write(2): stdio may need memory itself) and aborts, or throws std::bad_alloc where
/// exceptions are enabled.
[[noreturn]] inline void operator_new_failed(std::size_t size) {
#if defined(__cpp_exceptions)
  (void)size;
  throw std::bad_alloc();
#else
  char line[96];
  const int n =
      std::snprintf(line, sizeof line,
                    "lunatic: out of memory: operator new could not allocate %zu bytes\n", size);
  if (n > 0) {
    const std::size_t length = static_cast<std::size_t>(n) < sizeof line ? n : sizeof line - 1;
    (void)::write(2, line, length);
  }
  std::abort();
#endif
}

/// malloc (or aligned_alloc) until it succeeds, calling the new-handler between tries as the
/// standard says; without a handler nullptr. A zero size asks for one byte.
inline void* operator_new_try(std::size_t size, std::size_t alignment) {
  if (size == 0) size = 1;
  for (;;) {
    void* p = nullptr;
    if (alignment <= alignof(std::max_align_t)) {
      p = std::malloc(size);
    } else if (posix_memalign(&p, alignment, size) != 0) {
      p = nullptr;
    }
    if (p != nullptr) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    handler();
  }
}

inline void* operator_new(std::size_t size, std::size_t alignment) {
  void* p = operator_new_try(size, alignment);
  if (p == nullptr) operator_new_failed(size);
  return p;
}

}  // namespace lunatic::detail

// libc++'s operator delete (free) releases what these return, as it does for its own.
__attribute__((weak)) void* operator new(std::size_t size) {
  return lunatic::detail::operator_new(size, 0);
}
__attribute__((weak)) void* operator new[](std::size_t size) {
  return lunatic::detail::operator_new(size, 0);
}
__attribute__((weak)) void* operator new(std::size_t size, std::align_val_t alignment) {
  return lunatic::detail::operator_new(size, static_cast<std::size_t>(alignment));
}
__attribute__((weak)) void* operator new[](std::size_t size, std::align_val_t alignment) {
  return lunatic::detail::operator_new(size, static_cast<std::size_t>(alignment));
}
__attribute__((weak)) void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return lunatic::detail::operator_new_try(size, 0);
}
__attribute__((weak)) void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return lunatic::detail::operator_new_try(size, 0);
}
__attribute__((weak)) void* operator new(std::size_t size, std::align_val_t alignment,
                                         const std::nothrow_t&) noexcept {
  return lunatic::detail::operator_new_try(size, static_cast<std::size_t>(alignment));
}
__attribute__((weak)) void* operator new[](std::size_t size, std::align_val_t alignment,
                                           const std::nothrow_t&) noexcept {
  return lunatic::detail::operator_new_try(size, static_cast<std::size_t>(alignment));
}

#endif  // __wasm__ && !LUNATIC_NO_OPERATOR_NEW
#endif  // LUNATIC_OPERATOR_NEW_HPP
