// The module walk (globals, functions, instructions) and the runtime ABI:
// value carriers, sites, string constants and runtime declarations.
#include "hw/instrument/instrumenter.h"

#include <string>
#include <vector>

#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

namespace smp_pass {
namespace {

constexpr char kCtorName[] = "__smp_register_globals";
constexpr int kSiteVolatile = 1;
// The accessed value is a pointer: the runtime names it in traces rather
// than printing an address that differs between runs.
constexpr int kSitePointer = 2;

}  // namespace

Instrumenter::Instrumenter(Module& m)
    : m_(m),
      ctx_(m.getContext()),
      dl_(m.getDataLayout()),
      namer_(m, dl_),
      i8p_(llvm::Type::getInt8PtrTy(ctx_)),
      i32_(llvm::Type::getInt32Ty(ctx_)),
      i64_(llvm::Type::getInt64Ty(ctx_)) {
  site_type_ = llvm::StructType::create(ctx_, {i8p_, i32_, i32_, i8p_},
                                        "__smp_site");
}

bool Instrumenter::Run() {
  // Snapshot the globals before this pass adds its own.
  std::vector<GlobalVariable*> globals;
  for (GlobalVariable& g : m_.globals()) globals.push_back(&g);
  CheckThreadLocal(globals);
  for (Function& f : m_) {
    if (f.isDeclaration() || f.getName().startswith("__smp_")) continue;
    InstrumentFunction(f);
  }
  RegisterGlobals(globals);
  return true;
}

void Instrumenter::Error(Function& f, Instruction* at, const std::string& msg) {
  // DiagnosticInfoUnsupported carries the DebugLoc, which clang prints as
  // file:line:col and counts as an error (the compile fails).
  ctx_.diagnose(llvm::DiagnosticInfoUnsupported(
      f, msg, at != nullptr ? at->getDebugLoc() : DebugLoc()));
}

void Instrumenter::CheckThreadLocal(const std::vector<GlobalVariable*>& globals) {
  for (GlobalVariable* g : globals) {
    if (!g->isThreadLocal()) continue;
    std::string where = "?";
    llvm::SmallVector<llvm::DIGlobalVariableExpression*, 1> gves;
    g->getDebugInfo(gves);
    std::string name = g->getName().str();
    for (auto* gve : gves) {
      if (llvm::DIGlobalVariable* v = gve->getVariable()) {
        where = v->getFilename().str() + ":" + std::to_string(v->getLine());
        name = v->getName().str();
        break;
      }
    }
    // A global has no function to hang a located diagnostic on, so the
    // location goes into the message text.
    ctx_.emitError(where + ": '" + name +
                   "': thread_local is not supported in target code: "
                   "per-CPU data lives in struct cpu_info (curcpu())");
  }
}

void Instrumenter::InstrumentFunction(Function& f) {
  std::vector<Instruction*> work;
  for (llvm::BasicBlock& bb : f) {
    for (Instruction& i : bb) work.push_back(&i);
  }
  // Name every access before any is rewritten: a rewritten load of a
  // pointer is a runtime call, which the namer can no longer see through.
  names_.clear();
  for (Instruction* i : work) {
    if (Value* addr = AccessedPointer(i)) names_[i] = namer_.Name(addr);
  }
  for (Instruction* i : work) {
    if (auto* load = llvm::dyn_cast<LoadInst>(i)) {
      DoLoad(f, load);
    } else if (auto* store = llvm::dyn_cast<StoreInst>(i)) {
      DoStore(f, store);
    } else if (auto* cas = llvm::dyn_cast<AtomicCmpXchgInst>(i)) {
      DoCas(f, cas);
    } else if (auto* rmw = llvm::dyn_cast<AtomicRMWInst>(i)) {
      DoRmw(f, rmw);
    } else if (auto* fence = llvm::dyn_cast<FenceInst>(i)) {
      DoFence(fence);
    } else if (auto* call = llvm::dyn_cast<CallBase>(i)) {
      DoCall(f, call);
    }
  }
}

Value* Instrumenter::AccessedPointer(Instruction* i) {
  if (auto* load = llvm::dyn_cast<LoadInst>(i)) {
    return load->getPointerOperand();
  }
  if (auto* store = llvm::dyn_cast<StoreInst>(i)) {
    return store->getPointerOperand();
  }
  if (auto* cas = llvm::dyn_cast<AtomicCmpXchgInst>(i)) {
    return cas->getPointerOperand();
  }
  if (auto* rmw = llvm::dyn_cast<AtomicRMWInst>(i)) {
    return rmw->getPointerOperand();
  }
  if (auto* mt = llvm::dyn_cast<llvm::MemTransferInst>(i)) {
    return IsPrivate(mt->getRawDest()) ? mt->getRawSource()
                                       : mt->getRawDest();
  }
  if (auto* ms = llvm::dyn_cast<llvm::MemSetInst>(i)) {
    return ms->getRawDest();
  }
  return nullptr;
}

void Instrumenter::RegisterGlobals(const std::vector<GlobalVariable*>& globals) {
  std::vector<GlobalVariable*> todo;
  for (GlobalVariable* g : globals) {
    if (g->isDeclaration() || g->isConstant() || g->isThreadLocal()) {
      continue;
    }
    if (g->getName().startswith("llvm.") ||
        g->getSection().startswith("llvm.")) {
      continue;
    }
    todo.push_back(g);
  }
  if (todo.empty()) return;
  Function* ctor = Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), false),
      GlobalVariable::InternalLinkage, kCtorName, m_);
  IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", ctor));
  llvm::FunctionCallee reg =
      Runtime("__smp_register_global", b.getVoidTy(),
              {i8p_, i64_, i8p_, i8p_, i32_});
  for (GlobalVariable* g : todo) {
    std::string name = g->getName().str();
    std::string file = "?";
    int line = 0;
    llvm::SmallVector<llvm::DIGlobalVariableExpression*, 1> gves;
    g->getDebugInfo(gves);
    for (auto* gve : gves) {
      if (llvm::DIGlobalVariable* v = gve->getVariable()) {
        name = v->getName().str();
        file = v->getFilename().str();
        line = int(v->getLine());
        break;
      }
    }
    uint64_t size = dl_.getTypeAllocSize(g->getValueType());
    b.CreateCall(reg, {Addr(b, g), ConstantInt::get(i64_, size),
                       String(name), String(file),
                       ConstantInt::get(i32_, line)});
  }
  b.CreateRetVoid();
  llvm::appendToGlobalCtors(m_, ctor, 0);
}

IntegerType* Instrumenter::Carrier(Type* t) {
  if (auto* it = llvm::dyn_cast<IntegerType>(t)) {
    unsigned bits = it->getBitWidth();
    if (bits == 1) return llvm::Type::getInt8Ty(ctx_);
    if (bits == 8 || bits == 16 || bits == 32 || bits == 64) return it;
    return nullptr;
  }
  if (t->isPointerTy()) {
    unsigned bits = dl_.getPointerTypeSizeInBits(t);
    if (bits == 32 || bits == 64) return IntegerType::get(ctx_, bits);
    return nullptr;
  }
  if (t->isHalfTy() || t->isBFloatTy() || t->isFloatTy() ||
      t->isDoubleTy()) {
    return IntegerType::get(ctx_, t->getPrimitiveSizeInBits());
  }
  return nullptr;
}

Value* Instrumenter::ToCarrier(IRBuilder<>& b, Value* v, IntegerType* c) {
  Type* t = v->getType();
  if (t == c) return v;
  if (t->isIntegerTy()) return b.CreateZExt(v, c);
  if (t->isPointerTy()) return b.CreatePtrToInt(v, c);
  return b.CreateBitCast(v, c);
}

Value* Instrumenter::FromCarrier(IRBuilder<>& b, Value* v, Type* t) {
  if (t == v->getType()) return v;
  if (t->isIntegerTy()) return b.CreateTrunc(v, t);
  if (t->isPointerTy()) return b.CreateIntToPtr(v, t);
  return b.CreateBitCast(v, t);
}

std::string Instrumenter::TypeName(Type* t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t->print(os);
  return os.str();
}

Constant* Instrumenter::String(const std::string& s) {
  auto it = strings_.find(s);
  if (it != strings_.end()) return it->second;
  Constant* data = llvm::ConstantDataArray::getString(ctx_, s);
  auto* g = new GlobalVariable(m_, data->getType(), true,
                               GlobalVariable::PrivateLinkage, data,
                               "__smp_str");
  g->setUnnamedAddr(GlobalVariable::UnnamedAddr::Global);
  g->setAlignment(llvm::Align(1));
  Constant* p = llvm::ConstantExpr::getPointerCast(g, i8p_);
  strings_.emplace(s, p);
  return p;
}

Constant* Instrumenter::Site(Instruction* inst, bool is_volatile, bool is_pointer) {
  std::string file = "?";
  int line = 0;
  if (const llvm::DILocation* dl = inst->getDebugLoc().get()) {
    file = dl->getFilename().str();
    line = int(dl->getLine());
  }
  std::string what;
  auto it = names_.find(inst);
  if (it != names_.end()) what = it->second;
  Constant* init = llvm::ConstantStruct::get(
      site_type_,
      {String(file), ConstantInt::get(i32_, line),
       ConstantInt::get(i32_, (is_volatile ? kSiteVolatile : 0) |
                                   (is_pointer ? kSitePointer : 0)),
       String(what)});
  auto* g = new GlobalVariable(m_, site_type_, true,
                               GlobalVariable::PrivateLinkage, init,
                               "__smp_site");
  return llvm::ConstantExpr::getPointerCast(g, i8p_);
}

llvm::FunctionCallee Instrumenter::Runtime(const std::string& name, Type* ret,
                                           llvm::ArrayRef<Type*> params) {
  return m_.getOrInsertFunction(
      name, llvm::FunctionType::get(ret, params, false));
}

std::string Instrumenter::Suffix(IntegerType* c) {
  return "_" + std::to_string(c->getBitWidth() / 8);
}

Value* Instrumenter::Addr(IRBuilder<>& b, Value* p) {
  return b.CreatePointerBitCastOrAddrSpaceCast(p, i8p_);
}

Value* Instrumenter::Order(llvm::AtomicOrdering o) {
  return ConstantInt::get(i32_, static_cast<int>(o));
}

bool Instrumenter::Unsupported(Function& f, Instruction* i, Type* t) {
  Error(f, i,
        "smpfuzz cannot instrument an access of type '" + TypeName(t) +
            "': use integers of 8/16/32/64 bits, pointers, float or "
            "double, or copy with memcpy");
  return false;
}

}  // namespace smp_pass
