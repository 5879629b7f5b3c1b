// Entry names, perf labels, and the fixed table of symbols compiled code may reference.
#include "codecache/symbol_names.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "native/abi.hpp"

namespace lunatic::codecache {
namespace {

struct Named {
  std::string_view name;
  const void* address;
};

// The helpers by name (abi.hpp), and what LLVM's x86-64 code generator may call for an
// operation it does not inline (libm for rounding without SSE4.1 and for fmod; libc for large
// copies and fills).
const Named kSymbols[] = {
    {"lunatic_jit_safepoint", reinterpret_cast<const void*>(&native::lunatic_jit_safepoint)},
    {"lunatic_jit_trap", reinterpret_cast<const void*>(&native::lunatic_jit_trap)},
    {"lunatic_jit_memory_grow", reinterpret_cast<const void*>(&native::lunatic_jit_memory_grow)},
    {"lunatic_jit_memory_fill", reinterpret_cast<const void*>(&native::lunatic_jit_memory_fill)},
    {"lunatic_jit_memory_copy", reinterpret_cast<const void*>(&native::lunatic_jit_memory_copy)},
    {"lunatic_jit_memory_init", reinterpret_cast<const void*>(&native::lunatic_jit_memory_init)},
    {"lunatic_jit_data_drop", reinterpret_cast<const void*>(&native::lunatic_jit_data_drop)},
    {"lunatic_jit_table_get", reinterpret_cast<const void*>(&native::lunatic_jit_table_get)},
    {"lunatic_jit_table_set", reinterpret_cast<const void*>(&native::lunatic_jit_table_set)},
    {"lunatic_jit_table_size", reinterpret_cast<const void*>(&native::lunatic_jit_table_size)},
    {"lunatic_jit_table_grow", reinterpret_cast<const void*>(&native::lunatic_jit_table_grow)},
    {"lunatic_jit_table_fill", reinterpret_cast<const void*>(&native::lunatic_jit_table_fill)},
    {"lunatic_jit_table_copy", reinterpret_cast<const void*>(&native::lunatic_jit_table_copy)},
    {"lunatic_jit_table_init", reinterpret_cast<const void*>(&native::lunatic_jit_table_init)},
    {"lunatic_jit_elem_drop", reinterpret_cast<const void*>(&native::lunatic_jit_elem_drop)},
    {"lunatic_jit_call", reinterpret_cast<const void*>(&native::lunatic_jit_call)},
    {"lunatic_jit_call_indirect",
     reinterpret_cast<const void*>(&native::lunatic_jit_call_indirect)},
    {"lunatic_jit_grow_stack", reinterpret_cast<const void*>(&native::lunatic_jit_grow_stack)},
    {"lunatic_jit_grow_stack_osr",
     reinterpret_cast<const void*>(&native::lunatic_jit_grow_stack_osr)},
    {"memcpy", reinterpret_cast<const void*>(
                   static_cast<void* (*)(void*, const void*, size_t)>(&std::memcpy))},
    {"memmove", reinterpret_cast<const void*>(
                    static_cast<void* (*)(void*, const void*, size_t)>(&std::memmove))},
    {"memset",
     reinterpret_cast<const void*>(static_cast<void* (*)(void*, int, size_t)>(&std::memset))},
    {"ceil", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::ceil))},
    {"ceilf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::ceilf))},
    {"floor", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::floor))},
    {"floorf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::floorf))},
    {"trunc", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::trunc))},
    {"truncf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::truncf))},
    {"nearbyint", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::nearbyint))},
    {"nearbyintf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::nearbyintf))},
    {"rint", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::rint))},
    {"rintf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::rintf))},
    {"roundeven", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::roundeven))},
    {"roundevenf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::roundevenf))},
    {"sqrt", reinterpret_cast<const void*>(static_cast<double (*)(double)>(&::sqrt))},
    {"sqrtf", reinterpret_cast<const void*>(static_cast<float (*)(float)>(&::sqrtf))},
    {"fmod", reinterpret_cast<const void*>(static_cast<double (*)(double, double)>(&::fmod))},
    {"fmodf", reinterpret_cast<const void*>(static_cast<float (*)(float, float)>(&::fmodf))},
    {"fmin", reinterpret_cast<const void*>(static_cast<double (*)(double, double)>(&::fmin))},
    {"fminf", reinterpret_cast<const void*>(static_cast<float (*)(float, float)>(&::fminf))},
    {"fmax", reinterpret_cast<const void*>(static_cast<double (*)(double, double)>(&::fmax))},
    {"fmaxf", reinterpret_cast<const void*>(static_cast<float (*)(float, float)>(&::fmaxf))},
};

}  // namespace

std::string typed_name(uint32_t func_index) { return "wf" + std::to_string(func_index); }
std::string entry_name(uint32_t func_index) { return "we" + std::to_string(func_index); }
std::string osr_name(uint32_t func_index) { return "wo" + std::to_string(func_index); }
bool is_checks_failed_name(std::string_view name) { return name.substr(0, 2) == "wg"; }

std::string perf_label(const std::string& symbol, const wasm::Module& wasm) {
  const size_t digits = symbol.find_first_of("0123456789");  // after "wf", "wgo"...
  if (symbol.size() < 3 || symbol[0] != 'w' || digits == std::string::npos || digits > 3) {
    return symbol;  // not one of the translator's
  }
  const auto index = static_cast<uint32_t>(std::strtoul(symbol.c_str() + digits, nullptr, 10));
  const size_t dot = symbol.find('.');  // wf<F>.rest (jit/partial_inline.hpp)
  return "wasm[" + symbol.substr(0, digits) + "] " + wasm.function_name(index) +
         (dot == std::string::npos ? "" : symbol.substr(dot));
}

uint64_t runtime_symbol(std::string_view name) {
  for (const Named& s : kSymbols) {
    if (s.name == name) return reinterpret_cast<uint64_t>(s.address);
  }
  return 0;
}

}  // namespace lunatic::codecache
