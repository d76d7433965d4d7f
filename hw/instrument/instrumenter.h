// The rewriting of one module: every shared access becomes a call into the
// smpfuzz runtime, every global is registered, and what the machine cannot
// follow is a located compile error (the contract is smp_pass.cc's). The
// work is split by topic: instrumenter.cc walks the module and builds the
// runtime ABI's calls and sites, rewrite.cc rewrites each kind of access,
// rules.cc says what is left alone and what is refused.
#ifndef SMPFUZZ_HW_INSTRUMENT_INSTRUMENTER_H_
#define SMPFUZZ_HW_INSTRUMENT_INSTRUMENTER_H_

#include <map>
#include <string>
#include <vector>

#include "hw/instrument/namer.h"
#include "hw/instrument/pass_types.h"

namespace llvm {
class InlineAsm;
class MemIntrinsic;
}  // namespace llvm

namespace smp_pass {

class Instrumenter {
 public:
  explicit Instrumenter(Module& m);
  // Instruments every function not named __smp_* and registers the
  // globals; errors are reported through the LLVMContext (clang fails the
  // compile).
  bool Run();

 private:
  // ---- The module walk (instrumenter.cc) ----
  void Error(Function& f, Instruction* at, const std::string& msg);
  void CheckThreadLocal(const std::vector<GlobalVariable*>& globals);
  void InstrumentFunction(Function& f);
  // The address a site should be named after; for a copy, the destination
  // unless only the source is shared.
  static Value* AccessedPointer(Instruction* i);
  void RegisterGlobals(const std::vector<GlobalVariable*>& globals);

  // ---- The runtime ABI (instrumenter.cc) ----
  // Integer type the runtime ABI carries a value of type `t` in, or null.
  IntegerType* Carrier(Type* t);
  static Value* ToCarrier(IRBuilder<>& b, Value* v, IntegerType* c);
  static Value* FromCarrier(IRBuilder<>& b, Value* v, Type* t);
  static std::string TypeName(Type* t);
  Constant* String(const std::string& s);
  Constant* Site(Instruction* inst, bool is_volatile, bool is_pointer = false);
  llvm::FunctionCallee Runtime(const std::string& name, Type* ret,
                               llvm::ArrayRef<Type*> params);
  static std::string Suffix(IntegerType* c);
  Value* Addr(IRBuilder<>& b, Value* p);
  Value* Order(llvm::AtomicOrdering o);
  bool Unsupported(Function& f, Instruction* i, Type* t);

  // ---- Each kind of access (rewrite.cc) ----
  void DoCall(Function& f, CallBase* call);
  void DoMem(llvm::MemIntrinsic* mi);
  void DoLoad(Function& f, LoadInst* load);
  void DoStore(Function& f, StoreInst* store);
  void DoCas(Function& f, AtomicCmpXchgInst* cas);
  static int RmwOp(AtomicRMWInst::BinOp op);
  void DoRmw(Function& f, AtomicRMWInst* rmw);
  void DoFence(FenceInst* fence);

  // ---- What is left alone or refused (rules.cc) ----
  // True when every object `ptr` may point into is private to the running
  // context: a local (alloca) or a byval argument copy.
  static bool IsPrivate(Value* ptr);
  static bool IsConstantMemory(Value* ptr);
  static bool IsSetjmpFamily(StringRef n);
  // The rule for inline asm: it is refused when it can touch memory, i.e.
  // when it has a "memory" clobber or any memory operand, unless its
  // template is empty (a pure compiler barrier such as __insn_barrier()).
  static bool AsmTouchesMemory(const llvm::InlineAsm* ia);

  Module& m_;
  llvm::LLVMContext& ctx_;
  const DataLayout& dl_;
  Namer namer_;
  Type* i8p_;
  IntegerType* i32_;
  IntegerType* i64_;
  llvm::StructType* site_type_;
  std::map<std::string, Constant*> strings_;
  std::map<Instruction*, std::string> names_;  // of the current function
};

}  // namespace smp_pass

#endif  // SMPFUZZ_HW_INSTRUMENT_INSTRUMENTER_H_
