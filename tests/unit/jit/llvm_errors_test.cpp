// LLVM's failures caught (jit/llvm_errors.hpp): a fatal error, an out-of-memory report or an
// error diagnostic inside a request fails that request, and the process goes on.
#include "jit/llvm_errors.hpp"

#include <gtest/gtest.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <new>
#include <string>
#include <thread>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace lunatic::jit::testing {
namespace {

// A request LLVM abandons half-way leaks what it had allocated (its frames are left, not
// unwound): in the tests that make LLVM fail inside code generation, that is the point.
struct ExpectedLeaks {
#if defined(__SANITIZE_ADDRESS__)
  __lsan::ScopedDisabler disabled;
#endif
};

std::unique_ptr<llvm::TargetMachine> host_machine() {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  EXPECT_TRUE(static_cast<bool>(builder));
  auto machine = builder->createTargetMachine();
  EXPECT_TRUE(static_cast<bool>(machine));
  return std::move(*machine);
}

// `int f() { asm(text); return 7; }` for the host.
std::unique_ptr<llvm::Module> with_inline_asm(llvm::LLVMContext& context,
                                              llvm::TargetMachine& machine, const char* text) {
  auto ir = std::make_unique<llvm::Module>("asm", context);
  ir->setDataLayout(machine.createDataLayout());
  ir->setTargetTriple(machine.getTargetTriple().str());
  llvm::IRBuilder<> b(context);
  auto* type = llvm::FunctionType::get(b.getInt32Ty(), false);
  auto* f = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, "f", *ir);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", f));
  auto* asm_type = llvm::FunctionType::get(b.getVoidTy(), false);
  b.CreateCall(llvm::InlineAsm::get(asm_type, text, "", true), {});
  b.CreateRet(b.getInt32(7));
  return ir;
}

TEST(LlvmErrors, AGuardedRequestThatSucceedsGivesItsResult) {
  Result<int> r = guard_llvm([]() -> Result<int> { return 42; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  Result<int> e = guard_llvm([]() -> Result<int> { return Error(Phase::Validate, "no"); });
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "no");
  EXPECT_FALSE(llvm_failed(e.error()));
}

TEST(LlvmErrors, AFatalErrorFailsTheRequestAndTheProcessGoesOn) {
  for (int i = 0; i < 3; ++i) {  // and again: the handler stays in place
    Result<int> r = guard_llvm([]() -> Result<int> {
      llvm::report_fatal_error("boom");
      return 1;
    });
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(llvm_failed(r.error()));
    EXPECT_NE(r.error().message.find("boom"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("please report it"), std::string::npos);
  }
}

TEST(LlvmErrors, AnOutOfMemoryReportOrBadAllocFailsTheRequest) {
  Result<int> reported = guard_llvm([]() -> Result<int> {
    llvm::report_bad_alloc_error("tiny");
    return 1;
  });
  ASSERT_FALSE(reported.ok());
  EXPECT_TRUE(llvm_failed(reported.error()));
  EXPECT_NE(reported.error().message.find("tiny"), std::string::npos);
  Result<int> thrown = guard_llvm([]() -> Result<int> { throw std::bad_alloc(); });
  ASSERT_FALSE(thrown.ok());
  EXPECT_TRUE(llvm_failed(thrown.error()));
  EXPECT_NE(thrown.error().message.find("out of memory"), std::string::npos);
}

TEST(LlvmErrors, AnInnerFailureReturnsToTheInnerGuard) {
  Result<int> outer = guard_llvm([]() -> Result<int> {
    Result<int> inner = guard_llvm([]() -> Result<int> {
      llvm::report_fatal_error("inner");
      return 1;
    });
    EXPECT_FALSE(inner.ok());
    return inner.ok() ? 0 : 5;
  });
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(*outer, 5);
}

TEST(LlvmErrors, EachThreadReturnsToItsOwnGuard) {
  std::vector<std::thread> threads;
  std::vector<std::string> messages(4);
  for (size_t t = 0; t < messages.size(); ++t) {
    threads.emplace_back([t, &messages] {
      for (int i = 0; i < 200; ++i) {
        Result<int> r = guard_llvm([t]() -> Result<int> {
          llvm::report_fatal_error(t % 2 == 0 ? "even" : "odd");
          return 1;
        });
        if (!r.ok()) messages[t] = r.error().message;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < messages.size(); ++t) {
    EXPECT_NE(messages[t].find(t % 2 == 0 ? "even" : "odd"), std::string::npos) << messages[t];
  }
}

TEST(LlvmErrors, AfterAFailureTheRequestsAreRefused) {
  GuardedRequests requests;
  Result<int> fine = requests.run([]() -> Result<int> { return 1; });
  EXPECT_TRUE(fine.ok());
  Result<int> ordinary = requests.run([]() -> Result<int> { return Error(Phase::Validate, "x"); });
  ASSERT_FALSE(ordinary.ok());  // an ordinary error leaves the tier on
  EXPECT_TRUE(requests.run([]() -> Result<int> { return 2; }).ok());
  Result<int> failed = requests.run([]() -> Result<int> {
    llvm::report_fatal_error("boom");
    return 1;
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(llvm_failed(failed.error()));
  bool ran = false;
  Result<int> refused = requests.run([&ran]() -> Result<int> {
    ran = true;
    return 3;
  });
  EXPECT_FALSE(ran);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().phase, Phase::Unsupported);
  EXPECT_FALSE(llvm_failed(refused.error()));
}

TEST(LlvmErrors, CodeGenerationThatHitsAFatalErrorFailsTheRequest) {
  // Another target's intrinsic: the x86 instruction selector reports "Cannot select" as a
  // fatal error, deep in code generation (what a translator bug could make it do).
  [[maybe_unused]] ExpectedLeaks leaks;
  std::unique_ptr<llvm::TargetMachine> machine = host_machine();
  llvm::LLVMContext context;
  auto ir = std::make_unique<llvm::Module>("select", context);
  ir->setDataLayout(machine->createDataLayout());
  ir->setTargetTriple(machine->getTargetTriple().str());
  llvm::IRBuilder<> b(context);
  auto* type = llvm::FunctionType::get(b.getInt32Ty(), {b.getInt32Ty(), b.getInt32Ty()}, false);
  llvm::FunctionCallee crc = ir->getOrInsertFunction("llvm.aarch64.crc32b", type);
  auto* f = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, "f", *ir);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", f));
  b.CreateRet(b.CreateCall(crc, {f->getArg(0), f->getArg(1)}));
  auto object = guard_llvm([&] { return emit_machine_code(*ir, *machine); });
  ASSERT_FALSE(object.ok());
  EXPECT_TRUE(llvm_failed(object.error()));
  EXPECT_NE(object.error().message.find("Cannot select"), std::string::npos)
      << object.error().message;
}

TEST(LlvmErrors, AnErrorDiagnosticFailsCodeGeneration) {
  std::unique_ptr<llvm::TargetMachine> machine = host_machine();
  llvm::InitializeNativeTargetAsmParser();  // so the bad instruction is diagnosed, not fatal
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> bad = with_inline_asm(context, *machine, "no_such_instruction");
  auto object = emit_machine_code(*bad, *machine);
  ASSERT_FALSE(object.ok());
  EXPECT_FALSE(llvm_failed(object.error()));
  EXPECT_NE(object.error().message.find("no_such_instruction"), std::string::npos)
      << object.error().message;
  // The same context afterwards: its own handler is back, and good code compiles.
  std::unique_ptr<llvm::Module> good = with_inline_asm(context, *machine, "nop");
  auto compiled = emit_machine_code(*good, *machine);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_GT((*compiled)->getBufferSize(), 0u);
}

}  // namespace
}  // namespace lunatic::jit::testing
