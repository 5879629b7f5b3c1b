// embed: lunatic's WebAssembly engine inside a C++ program (docs/embedding.md walks through
// it): compile a module, provide a host function, call exports, read a trap.
#include <lunatic/engine.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

// The module, as wat2wasm builds it from:
//   (module
//     (import "host" "print" (func $print (param i32)))
//     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
//     (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
//     (func (export "report") (param i32) local.get 0 call $print))
constexpr uint8_t kModule[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0e, 0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x05, 0x70, 0x72,
    0x69, 0x6e, 0x74, 0x00, 0x00, 0x03, 0x04, 0x03, 0x01, 0x01, 0x00, 0x07, 0x16, 0x03, 0x03, 0x61,
    0x64, 0x64, 0x00, 0x01, 0x03, 0x64, 0x69, 0x76, 0x00, 0x02, 0x06, 0x72, 0x65, 0x70, 0x6f, 0x72,
    0x74, 0x00, 0x03, 0x0a, 0x18, 0x03, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b};

}  // namespace

int main() {
  // 1. Compile: decode, validate and lower once; the result is shared and read-only.
  auto module = lunatic::compile(kModule);
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().to_string().c_str());
    return 1;
  }

  // 2. The imports: host functions declared as typed C++ callables, whose signature gives the
  //    Wasm type ((i32) -> () for host::print).
  lunatic::Linker imports;
  imports.ns("host").define("print", [](int32_t n) { std::printf("the guest reports %d\n", n); });

  // 3. A Store owns the entities of one program; instantiate links the imports by name. Its
  //    memories come from the Engine's pool, which every Store of the program shares.
  lunatic::Engine engine;
  lunatic::Store store(engine);
  auto instance = store.instantiate(*module, imports);
  if (!instance) {
    std::fprintf(stderr, "%s\n", instance.error().to_string().c_str());
    return 1;
  }

  // 4. Call exports on a Thread (the execution state: frames, locals, operands).
  lunatic::Thread thread(store);
  std::vector<lunatic::Value> args{lunatic::Value::i32(2), lunatic::Value::i32(40)};
  auto sum = thread.call(instance->find_function("add"), args);
  if (!sum) return 1;
  std::printf("add(2, 40) = %d\n", (*sum)[0].as_i32());

  std::vector<lunatic::Value> report_args{lunatic::Value::i32(7)};
  if (!thread.call(instance->find_function("report"), report_args)) return 1;

  // 5. Traps are values. Thread::call turns one into an Error{Phase::Trap}; begin_call + run
  //    give the Trap itself (kind, message, backtrace).
  lunatic::Function div = instance->find_function("div");
  std::vector<lunatic::Value> div_args{lunatic::Value::i32(1), lunatic::Value::i32(0)};
  auto quotient = thread.call(div, div_args);
  if (!quotient) std::printf("div(1, 0): %s\n", quotient.error().to_string().c_str());

  if (thread.begin_call(div, div_args) && thread.run() == lunatic::RunStatus::Trapped) {
    const lunatic::Trap& trap = thread.trap();
    std::printf("trap message: %s, in %zu frame(s)\n", trap.message.c_str(), trap.backtrace.size());
  }
  return 0;
}
