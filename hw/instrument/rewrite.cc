// The rewrite of each kind of access into its runtime call: calls (inline
// asm, refused functions, memory intrinsics), loads, stores, cmpxchg,
// atomicrmw and fences.
#include <string>

#include "hw/instrument/instrumenter.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/IntrinsicInst.h"

namespace smp_pass {

void Instrumenter::DoCall(Function& f, CallBase* call) {
  if (auto* ia = llvm::dyn_cast<llvm::InlineAsm>(call->getCalledOperand())) {
    if (AsmTouchesMemory(ia)) {
      Error(f, call,
            "inline assembly that touches memory is not visible to "
            "smpfuzz; use atomic_ops(3) / membar_ops(3)");
    }
    return;
  }
  auto* callee = llvm::dyn_cast<Function>(
      call->getCalledOperand()->stripPointerCasts());
  if (callee == nullptr) return;
  StringRef name = callee->getName();
  if (name.startswith("pthread_")) {
    Error(f, call, "call to '" + name.str() +
                       "': real threads are not available: use "
                       "kthread_create");
    return;
  }
  if (IsSetjmpFamily(name) ||
      callee->getIntrinsicID() == llvm::Intrinsic::eh_sjlj_setjmp ||
      callee->getIntrinsicID() == llvm::Intrinsic::eh_sjlj_longjmp) {
    Error(f, call, "call to '" + name.str() +
                       "': setjmp/longjmp cannot cross a scheduling "
                       "point: restructure with return codes");
    return;
  }
  if (auto* mi = llvm::dyn_cast<llvm::MemIntrinsic>(call)) DoMem(mi);
}

void Instrumenter::DoMem(llvm::MemIntrinsic* mi) {
  Value* dst = mi->getRawDest();
  Value* src = nullptr;
  std::string fn;
  switch (mi->getIntrinsicID()) {
    case llvm::Intrinsic::memcpy:
    case llvm::Intrinsic::memcpy_inline:
      fn = "__smp_memcpy";
      src = llvm::cast<llvm::MemTransferInst>(mi)->getRawSource();
      break;
    case llvm::Intrinsic::memmove:
      fn = "__smp_memmove";
      src = llvm::cast<llvm::MemTransferInst>(mi)->getRawSource();
      break;
    case llvm::Intrinsic::memset:
      fn = "__smp_memset";
      break;
    default:
      return;
  }
  bool src_ok = src == nullptr || IsPrivate(src) || IsConstantMemory(src);
  if (IsPrivate(dst) && src_ok) return;
  IRBuilder<> b(mi);
  Constant* site = Site(mi, mi->isVolatile());
  Value* len = b.CreateZExtOrTrunc(mi->getLength(), i64_);
  if (src != nullptr) {
    b.CreateCall(Runtime(fn, b.getVoidTy(), {i8p_, i8p_, i64_, i8p_}),
                 {Addr(b, dst), Addr(b, src), len, site});
  } else {
    Value* byte = b.CreateZExt(llvm::cast<llvm::MemSetInst>(mi)->getValue(),
                               i32_);
    b.CreateCall(Runtime(fn, b.getVoidTy(), {i8p_, i32_, i64_, i8p_}),
                 {Addr(b, dst), byte, len, site});
  }
  mi->eraseFromParent();
}

void Instrumenter::DoLoad(Function& f, LoadInst* load) {
  Value* ptr = load->getPointerOperand();
  if (IsPrivate(ptr)) return;
  if (!load->isAtomic() && IsConstantMemory(ptr)) return;
  Type* t = load->getType();
  IntegerType* c = Carrier(t);
  if (c == nullptr) {
    Unsupported(f, load, t);
    return;
  }
  IRBuilder<> b(load);
  Constant* site = Site(load, load->isVolatile(), t->isPointerTy());
  Value* v;
  if (load->isAtomic()) {
    v = b.CreateCall(Runtime("__smp_atomic_load" + Suffix(c), c,
                             {i8p_, i32_, i8p_}),
                     {Addr(b, ptr), Order(load->getOrdering()), site});
  } else {
    v = b.CreateCall(Runtime("__smp_load" + Suffix(c), c, {i8p_, i8p_}),
                     {Addr(b, ptr), site});
  }
  Value* result = FromCarrier(b, v, t);
  result->takeName(load);
  load->replaceAllUsesWith(result);
  load->eraseFromParent();
}

void Instrumenter::DoStore(Function& f, StoreInst* store) {
  Value* ptr = store->getPointerOperand();
  if (IsPrivate(ptr)) return;
  Type* t = store->getValueOperand()->getType();
  IntegerType* c = Carrier(t);
  if (c == nullptr) {
    Unsupported(f, store, t);
    return;
  }
  IRBuilder<> b(store);
  Constant* site = Site(store, store->isVolatile(), t->isPointerTy());
  Value* v = ToCarrier(b, store->getValueOperand(), c);
  if (store->isAtomic()) {
    b.CreateCall(Runtime("__smp_atomic_store" + Suffix(c), b.getVoidTy(),
                         {i8p_, c, i32_, i8p_}),
                 {Addr(b, ptr), v, Order(store->getOrdering()), site});
  } else {
    b.CreateCall(Runtime("__smp_store" + Suffix(c), b.getVoidTy(),
                         {i8p_, c, i8p_}),
                 {Addr(b, ptr), v, site});
  }
  store->eraseFromParent();
}

void Instrumenter::DoCas(Function& f, AtomicCmpXchgInst* cas) {
  Value* ptr = cas->getPointerOperand();
  if (IsPrivate(ptr)) return;
  Type* t = cas->getNewValOperand()->getType();
  IntegerType* c = Carrier(t);
  if (c == nullptr) {
    Unsupported(f, cas, t);
    return;
  }
  IRBuilder<> b(cas);
  Constant* site = Site(cas, cas->isVolatile(), t->isPointerTy());
  Value* expected = ToCarrier(b, cas->getCompareOperand(), c);
  Value* desired = ToCarrier(b, cas->getNewValOperand(), c);
  // Passing the success ordering: the runtime orders a failed CAS at least
  // as strongly as a successful one, which is never weaker than asked.
  Value* old = b.CreateCall(
      Runtime("__smp_atomic_cas" + Suffix(c), c, {i8p_, c, c, i32_, i8p_}),
      {Addr(b, ptr), expected, desired, Order(cas->getSuccessOrdering()),
       site});
  // A weak cmpxchg may fail spuriously but need not; never failing keeps
  // the outcome a function of the schedule alone.
  Value* success = b.CreateICmpEQ(old, expected);
  Value* pair = llvm::UndefValue::get(cas->getType());
  pair = b.CreateInsertValue(pair, FromCarrier(b, old, t), 0);
  pair = b.CreateInsertValue(pair, success, 1);
  pair->takeName(cas);
  cas->replaceAllUsesWith(pair);
  cas->eraseFromParent();
}

int Instrumenter::RmwOp(AtomicRMWInst::BinOp op) {
  switch (op) {
    case AtomicRMWInst::Xchg: return 0;
    case AtomicRMWInst::Add: return 1;
    case AtomicRMWInst::Sub: return 2;
    case AtomicRMWInst::And: return 3;
    case AtomicRMWInst::Or: return 4;
    case AtomicRMWInst::Xor: return 5;
    case AtomicRMWInst::Nand: return 6;
    case AtomicRMWInst::Max: return 7;
    case AtomicRMWInst::Min: return 8;
    case AtomicRMWInst::UMax: return 9;
    case AtomicRMWInst::UMin: return 10;
    default: return -1;
  }
}

void Instrumenter::DoRmw(Function& f, AtomicRMWInst* rmw) {
  Value* ptr = rmw->getPointerOperand();
  if (IsPrivate(ptr)) return;
  Type* t = rmw->getValOperand()->getType();
  IntegerType* c = Carrier(t);
  int op = RmwOp(rmw->getOperation());
  if (op < 0) {
    Error(f, rmw, "smpfuzz cannot instrument atomicrmw " +
                      AtomicRMWInst::getOperationName(rmw->getOperation())
                          .str() +
                      ": use an integer atomic or a lock");
    return;
  }
  if (c == nullptr || (op != 0 && !t->isIntegerTy())) {
    Unsupported(f, rmw, t);
    return;
  }
  IRBuilder<> b(rmw);
  Constant* site = Site(rmw, rmw->isVolatile(), t->isPointerTy());
  Value* old = b.CreateCall(
      Runtime("__smp_atomic_rmw" + Suffix(c), c, {i8p_, i32_, c, i32_, i8p_}),
      {Addr(b, ptr), ConstantInt::get(i32_, op),
       ToCarrier(b, rmw->getValOperand(), c), Order(rmw->getOrdering()),
       site});
  Value* result = FromCarrier(b, old, t);
  result->takeName(rmw);
  rmw->replaceAllUsesWith(result);
  rmw->eraseFromParent();
}

void Instrumenter::DoFence(FenceInst* fence) {
  if (fence->getSyncScopeID() == llvm::SyncScope::SingleThread) return;
  IRBuilder<> b(fence);
  Constant* site = Site(fence, false);
  b.CreateCall(Runtime("__smp_fence", b.getVoidTy(), {i32_, i8p_}),
               {Order(fence->getOrdering()), site});
  fence->eraseFromParent();
}

}  // namespace smp_pass
