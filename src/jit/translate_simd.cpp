// v128 instructions in IR (engine/simd.hpp is the reference): the dispatch, memory accesses
// with the scalar loads' bounds check, constants, lanes, shuffles and the bitwise operations.
// Between instructions a v128 is <2 x i64>; each instruction bitcasts it to its lane shape
// (free: one XMM register either way).
#include <llvm/ADT/StringMap.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/Support/Host.h>

#include <cstring>

#include "jit/translate_function.hpp"

namespace lunatic::jit {

namespace {

using wasm::Opcode;

// Whether a constant has a 32- or 64-bit lane that is +-0 or +-1 as a float: LLVM folds x + -0,
// x * 1 and the like, which would pass a signalling NaN through (see float_const).
bool has_float_identity(uint64_t lo, uint64_t hi) {
  for (uint64_t half : {lo, hi}) {
    for (uint32_t word : {static_cast<uint32_t>(half), static_cast<uint32_t>(half >> 32)}) {
      const uint32_t magnitude = word & 0x7FFF'FFFFu;
      if (magnitude == 0 || magnitude == 0x3F80'0000u) return true;
    }
    const uint64_t magnitude = half & ~(uint64_t{1} << 63);
    if (magnitude == 0 || magnitude == 0x3FF0'0000'0000'0000u) return true;
  }
  return false;
}

// Whether this machine has pshufb (the code is compiled for the host: JITTargetMachineBuilder::
// detectHost, and the code cache's key holds the CPU's features).
bool host_has_ssse3() {
  static const bool has = [] {
    llvm::StringMap<bool> features;
    return llvm::sys::getHostCPUFeatures(features) && features.lookup("ssse3");
  }();
  return has;
}

}  // namespace

llvm::FixedVectorType* FunctionTranslator::lanes(llvm::Type* lane) const {
  return llvm::FixedVectorType::get(lane, 128 / lane->getScalarSizeInBits());
}

llvm::Value* FunctionTranslator::as_lanes(llvm::Value* v, llvm::Type* lane) {
  return b_.CreateBitCast(v, lanes(lane));
}

llvm::Value* FunctionTranslator::as_v128(llvm::Value* v) { return b_.CreateBitCast(v, env_.v128); }

bool FunctionTranslator::translate_simd(const wasm::Instr& in) {
  if (!wasm::is_simd(in.op)) return false;
  return translate_simd_memory(in) || translate_simd_lanes(in) || translate_simd_integer(in.op) ||
         translate_simd_width(in.op) || translate_simd_float(in.op);
}

// Every access checks all its bytes as a scalar load does (memory_address: offset, then
// ea + bytes <= size, else "out of bounds memory access"); a lane access only its lane's bytes.
bool FunctionTranslator::translate_simd_memory(const wasm::Instr& in) {
  const Opcode op = in.op;
  const bool plain = opcode_in(op, Opcode::V128Load, Opcode::V128Store);
  const bool lane = opcode_in(op, Opcode::V128Load8Lane, Opcode::V128Store64Lane);
  const bool zero = op == Opcode::V128Load32Zero || op == Opcode::V128Load64Zero;
  if (!plain && !lane && !zero) return false;
  const uint32_t bytes = wasm::opcode_info(op).access_bytes;
  llvm::Type* i16 = b_.getInt16Ty();
  llvm::Type* scalar = b_.getIntNTy(bytes * 8);
  auto load = [&](llvm::Type* type, llvm::Value* addr) {
    llvm::Value* at = b_.CreateBitCast(memory_address(addr, in.b, bytes), type->getPointerTo());
    llvm::LoadInst* l = load_tagged(type, at, env_.tbaa_memory);
    l->setAlignment(llvm::Align(1));
    return l;
  };
  auto store = [&](llvm::Value* v, llvm::Value* addr) {
    llvm::Value* at =
        b_.CreateBitCast(memory_address(addr, in.b, bytes), v->getType()->getPointerTo());
    llvm::StoreInst* s = b_.CreateStore(v, at);
    s->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
    s->setAlignment(llvm::Align(1));
  };
  // load NxM: M lanes of N bits, extended to 2N.
  auto load_extend = [&](llvm::Type* from, llvm::Type* to, bool is_signed) {
    auto* narrow = llvm::FixedVectorType::get(from, 64 / from->getScalarSizeInBits());
    llvm::Value* v = load(narrow, pop());
    push(as_v128(is_signed ? b_.CreateSExt(v, lanes(to)) : b_.CreateZExt(v, lanes(to))));
  };
  switch (op) {
    case Opcode::V128Load: push(load(env_.v128, pop())); return true;
    case Opcode::V128Load8x8S: load_extend(env_.i8, i16, true); return true;
    case Opcode::V128Load8x8U: load_extend(env_.i8, i16, false); return true;
    case Opcode::V128Load16x4S: load_extend(i16, env_.i32, true); return true;
    case Opcode::V128Load16x4U: load_extend(i16, env_.i32, false); return true;
    case Opcode::V128Load32x2S: load_extend(env_.i32, env_.i64, true); return true;
    case Opcode::V128Load32x2U: load_extend(env_.i32, env_.i64, false); return true;
    case Opcode::V128Load8Splat:
    case Opcode::V128Load16Splat:
    case Opcode::V128Load32Splat:
    case Opcode::V128Load64Splat:
      push(as_v128(b_.CreateVectorSplat(128 / (bytes * 8), load(scalar, pop()))));
      return true;
    case Opcode::V128Load32Zero:
    case Opcode::V128Load64Zero: {
      llvm::Value* x = load(scalar, pop());
      push(as_v128(
          b_.CreateInsertElement(llvm::Constant::getNullValue(lanes(scalar)), x, uint64_t{0})));
      return true;
    }
    case Opcode::V128Store: {
      llvm::Value* v = pop();
      store(v, pop());
      return true;
    }
    default: break;
  }
  // load/store N_lane: the lane index is immediate c (memarg in a, b).
  llvm::Value* v = as_lanes(pop(), scalar);
  llvm::Value* addr = pop();
  if (opcode_in(op, Opcode::V128Load8Lane, Opcode::V128Load64Lane)) {
    push(as_v128(b_.CreateInsertElement(v, load(scalar, addr), in.c)));
  } else {
    store(b_.CreateExtractElement(v, in.c), addr);
  }
  return true;
}

bool FunctionTranslator::translate_simd_lanes(const wasm::Instr& in) {
  llvm::Type* i16 = b_.getInt16Ty();
  auto splat = [&](llvm::Type* lane) {
    llvm::Value* x = pop();
    if (x->getType() != lane) x = b_.CreateTrunc(x, lane);  // i8 and i16 lanes from an i32
    push(as_v128(b_.CreateVectorSplat(128 / lane->getScalarSizeInBits(), x)));
  };
  // extract_lane: the _s and _u forms of i8/i16 extend to i32; `extend` null for the others.
  auto extract = [&](llvm::Type* lane, llvm::Instruction::CastOps extend) {
    llvm::Value* x = b_.CreateExtractElement(as_lanes(pop(), lane), in.a);
    push(extend == llvm::Instruction::CastOpsEnd ? x : b_.CreateCast(extend, x, env_.i32));
  };
  auto replace = [&](llvm::Type* lane) {
    llvm::Value* x = pop();
    if (x->getType() != lane) x = b_.CreateTrunc(x, lane);
    push(as_v128(b_.CreateInsertElement(as_lanes(pop(), lane), x, in.a)));
  };
  constexpr auto kNone = llvm::Instruction::CastOpsEnd;
  constexpr auto kSExt = llvm::Instruction::SExt;
  constexpr auto kZExt = llvm::Instruction::ZExt;
  switch (in.op) {
    case Opcode::V128Const: {
      const wasm::V128Bytes bytes = wasm::v128_immediate(in);
      uint64_t half[2];
      std::memcpy(half, bytes.data(), sizeof half);
      llvm::Value* c = llvm::ConstantDataVector::get(env_.llvm, llvm::ArrayRef<uint64_t>(half));
      push(has_float_identity(half[0], half[1]) ? opaque(c) : c);
      return true;
    }
    case Opcode::I8x16Shuffle: {
      const wasm::V128Bytes bytes = wasm::v128_immediate(in);
      llvm::SmallVector<int, 16> mask(bytes.begin(), bytes.end());  // validated: each < 32
      llvm::Value* b = as_lanes(pop(), env_.i8);
      llvm::Value* a = as_lanes(pop(), env_.i8);
      push(as_v128(b_.CreateShuffleVector(a, b, mask)));
      return true;
    }
    case Opcode::I8x16Swizzle: {
      // pshufb gives 0 where an index byte has its top bit set, else lane (index & 15):
      // index + 112 saturated sets that bit exactly for the indices >= 16.
      llvm::Value* s = as_lanes(pop(), env_.i8);
      llvm::Value* a = as_lanes(pop(), env_.i8);
      if (!host_has_ssse3()) {  // lane by lane (variable extracts go through memory)
        llvm::Value* r = llvm::Constant::getNullValue(a->getType());
        for (uint64_t i = 0; i < 16; ++i) {
          llvm::Value* index = b_.CreateExtractElement(s, i);
          llvm::Value* lane = b_.CreateExtractElement(a, b_.CreateAnd(index, b_.getInt8(15)));
          llvm::Value* in_range = b_.CreateICmpULT(index, b_.getInt8(16));
          r = b_.CreateInsertElement(r, b_.CreateSelect(in_range, lane, b_.getInt8(0)), i);
        }
        push(as_v128(r));
        return true;
      }
      llvm::Value* bias = b_.CreateVectorSplat(16, b_.getInt8(0x70));
      llvm::Value* index = b_.CreateBinaryIntrinsic(llvm::Intrinsic::uadd_sat, s, bias);
      push(as_v128(b_.CreateIntrinsic(llvm::Intrinsic::x86_ssse3_pshuf_b_128, {}, {a, index})));
      return true;
    }
    case Opcode::I8x16Splat: splat(env_.i8); return true;
    case Opcode::I16x8Splat: splat(i16); return true;
    case Opcode::I32x4Splat: splat(env_.i32); return true;
    case Opcode::I64x2Splat: splat(env_.i64); return true;
    case Opcode::F32x4Splat: splat(env_.f32); return true;
    case Opcode::F64x2Splat: splat(env_.f64); return true;
    case Opcode::I8x16ExtractLaneS: extract(env_.i8, kSExt); return true;
    case Opcode::I8x16ExtractLaneU: extract(env_.i8, kZExt); return true;
    case Opcode::I16x8ExtractLaneS: extract(i16, kSExt); return true;
    case Opcode::I16x8ExtractLaneU: extract(i16, kZExt); return true;
    case Opcode::I32x4ExtractLane: extract(env_.i32, kNone); return true;
    case Opcode::I64x2ExtractLane: extract(env_.i64, kNone); return true;
    case Opcode::F32x4ExtractLane: extract(env_.f32, kNone); return true;
    case Opcode::F64x2ExtractLane: extract(env_.f64, kNone); return true;
    case Opcode::I8x16ReplaceLane: replace(env_.i8); return true;
    case Opcode::I16x8ReplaceLane: replace(i16); return true;
    case Opcode::I32x4ReplaceLane: replace(env_.i32); return true;
    case Opcode::I64x2ReplaceLane: replace(env_.i64); return true;
    case Opcode::F32x4ReplaceLane: replace(env_.f32); return true;
    case Opcode::F64x2ReplaceLane: replace(env_.f64); return true;
    case Opcode::V128Not: push(b_.CreateNot(pop())); return true;
    case Opcode::V128And:
    case Opcode::V128Andnot:
    case Opcode::V128Or:
    case Opcode::V128Xor: {
      llvm::Value* b = pop();
      llvm::Value* a = pop();
      switch (in.op) {
        case Opcode::V128And: push(b_.CreateAnd(a, b)); break;
        case Opcode::V128Andnot: push(b_.CreateAnd(a, b_.CreateNot(b))); break;
        case Opcode::V128Or: push(b_.CreateOr(a, b)); break;
        default: push(b_.CreateXor(a, b)); break;
      }
      return true;
    }
    case Opcode::V128Bitselect: {
      llvm::Value* c = pop();
      llvm::Value* b = pop();
      llvm::Value* a = pop();
      push(b_.CreateOr(b_.CreateAnd(a, c), b_.CreateAnd(b, b_.CreateNot(c))));
      return true;
    }
    case Opcode::V128AnyTrue: {
      llvm::Value* wide = b_.CreateBitCast(pop(), b_.getInt128Ty());
      push(b_.CreateZExt(b_.CreateICmpNE(wide, llvm::ConstantInt::get(wide->getType(), 0)),
                         env_.i32));
      return true;
    }
    default: return false;
  }
}

}  // namespace lunatic::jit
