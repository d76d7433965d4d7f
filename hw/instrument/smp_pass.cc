// smp_pass: LLVM 14 pass plugin that routes the shared-memory accesses of
// target kernel C code through the smpfuzz runtime.
//
// Build:  clang++-14 -shared -fPIC $(llvm-config-14 --cxxflags) smp_pass.cc \
//             -o smp_pass.so
// Use:    clang-14 -fpass-plugin=smp_pass.so -g -O2 -ffreestanding ...
//
// Contract
// --------
// The pass runs once per module at the start of the pipeline (also at -O0),
// before any optimization, so locals are still allocas and the IR still has
// the frontend's structured GEPs (which is what the access names are built
// from).
//
// Instrumented (replaced by a call that the simulated machine performs):
//   - plain loads and stores            -> __smp_load_N / __smp_store_N
//   - atomic loads and stores           -> __smp_atomic_load_N / _store_N
//   - cmpxchg                           -> __smp_atomic_cas_N (returns old)
//   - atomicrmw                         -> __smp_atomic_rmw_N (returns old)
//   - fence (not syncscope singlethread)-> __smp_fence
//   - llvm.memcpy/memmove/memset        -> __smp_memcpy/_memmove/_memset
//   Every call gets its own private constant __smp_site {file, line, flags,
//   what}, so a trace line points at the source and names the location.
//   Every defined, non-constant global is announced to the runtime by a
//   module constructor calling __smp_register_global.
//
// Left alone, and why:
//   - accesses whose underlying objects are all allocas (or byval
//     arguments): the memory is private to the running context, so no other
//     CPU can observe it and routing it through the runtime would only cost.
//     A local whose address is handed to another context is therefore
//     invisible; target code must keep shared state in globals or the heap.
//   - loads from constant globals (and memcpy from them into locals): the
//     contents never change, so there is nothing to order or race on.
//   - syncscope("singlethread") fences (signal fences): they order nothing
//     between CPUs.
//   - functions named __smp_* and the constructor this pass creates: they
//     are the runtime side of the interface.
//   - inline asm without memory operands or memory clobber, and the empty
//     asm template with a "memory" clobber (a pure compiler barrier): neither
//     touches memory, and every shared access is already an opaque call, so
//     a compiler barrier has nothing left to order.
//
// Refused with a compile error at the offending file:line:
//   - inline asm with a non-empty template that has a "memory" clobber or a
//     memory operand (indirect "*m"-style constraints, or m/o/V/Q): the
//     runtime cannot see what it does.
//   - thread_local globals: per-CPU data lives in struct cpu_info.
//   - calls to pthread_*: contexts are simulated, use kthread_create.
//   - setjmp/longjmp and their variants: a jump cannot cross a scheduling
//     point.
//   - loads/stores/atomics of values that are not 1/8/16/32/64-bit
//     integers, pointers, or 16/32/64-bit floating point (vectors,
//     aggregates, i128, long double, ...): the runtime ABI has no entry for
//     them.

#include <map>
#include <string>
#include <vector>

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

namespace {

using llvm::AllocaInst;
using llvm::Argument;
using llvm::AtomicCmpXchgInst;
using llvm::AtomicRMWInst;
using llvm::CallBase;
using llvm::Constant;
using llvm::ConstantInt;
using llvm::DataLayout;
using llvm::DebugLoc;
using llvm::DICompositeType;
using llvm::DIDerivedType;
using llvm::DIType;
using llvm::FenceInst;
using llvm::Function;
using llvm::GlobalVariable;
using llvm::Instruction;
using llvm::IntegerType;
using llvm::IRBuilder;
using llvm::LoadInst;
using llvm::Module;
using llvm::StoreInst;
using llvm::StringRef;
using llvm::Type;
using llvm::Value;

constexpr char kCtorName[] = "__smp_register_globals";
constexpr int kSiteVolatile = 1;
// The accessed value is a pointer: the runtime names it in traces rather
// than printing an address that differs between runs.
constexpr int kSitePointer = 2;

// Readable name of a memory location, built bottom-up from the address
// computation. `text` names the location itself ("g.f", "p->f", "*p").
// When the location is exactly "*ptr" (nothing applied yet), `deref` is set
// and `ptr` holds the pointer's text, so a following field or index can be
// spelled "ptr->f" / "ptr[i]" instead of "(*ptr).f".
struct Loc {
  std::string text;
  bool deref = false;
  std::string ptr;
  DIType* type = nullptr;  // debug type of the location, if known
  unsigned array_dims_used = 0;  // subranges of `type` already indexed
};

// Strips typedefs and qualifiers, which do not change the layout.
DIType* StripType(DIType* t) {
  for (int i = 0; t != nullptr && i < 32; ++i) {
    auto* d = llvm::dyn_cast<DIDerivedType>(t);
    if (d == nullptr) return t;
    switch (d->getTag()) {
      case llvm::dwarf::DW_TAG_typedef:
      case llvm::dwarf::DW_TAG_const_type:
      case llvm::dwarf::DW_TAG_volatile_type:
      case llvm::dwarf::DW_TAG_restrict_type:
      case llvm::dwarf::DW_TAG_atomic_type:
        t = d->getBaseType();
        break;
      default:
        return t;
    }
  }
  return t;
}

DIType* PointeeType(DIType* t) {
  auto* d = llvm::dyn_cast_or_null<DIDerivedType>(StripType(t));
  if (d == nullptr || d->getTag() != llvm::dwarf::DW_TAG_pointer_type) {
    return nullptr;
  }
  return d->getBaseType();
}

// Looks through bitcasts and address-space casts only. Value's
// stripPointerCasts() would also drop all-zero GEPs, which are exactly the
// accesses of a struct's first field ("x.first" would read as "x").
Value* StripCasts(Value* v) {
  for (int i = 0; i < 16; ++i) {
    auto* op = llvm::dyn_cast<llvm::Operator>(v);
    if (op == nullptr || (op->getOpcode() != Instruction::BitCast &&
                          op->getOpcode() != Instruction::AddrSpaceCast)) {
      return v;
    }
    v = op->getOperand(0);
  }
  return v;
}

// Finds the member of struct/union `t` that starts at `bits`. An IR struct
// field corresponds to exactly one member, which may be an anonymous
// struct/union (name "" then: C spells its fields directly). A raw byte
// offset has no such member boundary, so with `descend` the search goes on
// into anonymous members to reach a named field.
bool FindMember(DIType* t, uint64_t bits, bool descend, std::string* name,
                DIType** type, int depth = 0) {
  auto* c = llvm::dyn_cast_or_null<DICompositeType>(StripType(t));
  if (c == nullptr || depth > 8) return false;
  if (c->getTag() != llvm::dwarf::DW_TAG_structure_type &&
      c->getTag() != llvm::dwarf::DW_TAG_union_type &&
      c->getTag() != llvm::dwarf::DW_TAG_class_type) {
    return false;
  }
  for (llvm::DINode* n : c->getElements()) {
    auto* m = llvm::dyn_cast_or_null<DIDerivedType>(n);
    if (m == nullptr || m->getTag() != llvm::dwarf::DW_TAG_member) continue;
    uint64_t off = m->getOffsetInBits();
    if (!m->getName().empty() || !descend) {
      if (off == bits) {
        *name = m->getName().str();
        *type = m->getBaseType();
        return true;
      }
      continue;
    }
    if (bits >= off && bits < off + m->getSizeInBits() &&
        FindMember(m->getBaseType(), bits - off, descend, name, type,
                   depth + 1)) {
      return true;
    }
  }
  return false;
}

// Builds the `what` of a site from the address computation and debug info.
class Namer {
 public:
  Namer(Module& m, const DataLayout& dl) : dl_(dl) {
    // Struct IR types are named "struct.TAG"; their debug composites are the
    // fallback when the base's own debug type is unknown (e.g. a pointer
    // returned by a call).
    llvm::DebugInfoFinder finder;
    finder.processModule(m);
    for (DIType* t : finder.types()) {
      auto* c = llvm::dyn_cast<DICompositeType>(t);
      if (c == nullptr || c->getName().empty() || c->isForwardDecl()) continue;
      if (c->getTag() == llvm::dwarf::DW_TAG_structure_type) {
        composites_.emplace("struct." + c->getName().str(), c);
      } else if (c->getTag() == llvm::dwarf::DW_TAG_union_type) {
        composites_.emplace("union." + c->getName().str(), c);
      }
    }
  }

  std::string Name(Value* ptr) {
    Loc loc;
    if (!DescribeLoc(ptr, &loc, 0)) return "";
    return loc.text;
  }

 private:
  static std::string Index(Value* idx) {
    if (auto* c = llvm::dyn_cast<ConstantInt>(idx)) {
      return "[" + std::to_string(c->getSExtValue()) + "]";
    }
    return "[]";
  }

  static std::string Paren(const std::string& ptr) {
    if (!ptr.empty() && (ptr[0] == '*' || ptr[0] == '&')) {
      return "(" + ptr + ")";
    }
    return ptr;
  }

  static void AddField(Loc* loc, const std::string& field) {
    loc->text = loc->deref ? Paren(loc->ptr) + "->" + field
                           : loc->text + "." + field;
    loc->deref = false;
  }

  static void AddIndex(Loc* loc, const std::string& index) {
    loc->text = loc->deref ? Paren(loc->ptr) + index : loc->text + index;
    loc->deref = false;
  }

  static void AddOffset(Loc* loc, int64_t off) {
    if (off == 0) return;
    loc->text = (loc->deref ? Paren(loc->ptr) : loc->text) +
                (off > 0 ? "+" : "") + std::to_string(off);
    loc->deref = false;
    loc->type = nullptr;
  }

  DIType* CompositeFor(Type* t) {
    auto* st = llvm::dyn_cast<llvm::StructType>(t);
    if (st == nullptr || !st->hasName()) return nullptr;
    StringRef name = st->getName();
    // Clang appends ".N" to renamed duplicates; the tag is before that.
    auto it = composites_.find(name.str());
    if (it == composites_.end()) {
      size_t dot = name.rfind('.');
      if (dot != StringRef::npos && dot > 6) {
        it = composites_.find(name.substr(0, dot).str());
      }
    }
    return it == composites_.end() ? nullptr : it->second;
  }

  static std::string VariableName(Value* v) {
    for (llvm::DbgDeclareInst* d : llvm::FindDbgDeclareUses(v)) {
      if (d->getVariable() != nullptr) return d->getVariable()->getName().str();
    }
    return "";
  }

  static DIType* VariableType(Value* v) {
    for (llvm::DbgDeclareInst* d : llvm::FindDbgDeclareUses(v)) {
      if (d->getVariable() != nullptr) return d->getVariable()->getType();
    }
    return nullptr;
  }

  // Names the memory `ptr` points at.
  bool DescribeLoc(Value* ptr, Loc* loc, int depth) {
    if (depth > 12 || ptr == nullptr) return false;
    ptr = StripCasts(ptr);
    if (auto* g = llvm::dyn_cast<GlobalVariable>(ptr)) {
      llvm::SmallVector<llvm::DIGlobalVariableExpression*, 1> gves;
      g->getDebugInfo(gves);
      for (auto* gve : gves) {
        if (gve->getVariable() != nullptr) {
          loc->text = gve->getVariable()->getName().str();
          loc->type = gve->getVariable()->getType();
          return true;
        }
      }
      loc->text = g->getName().str();
      return !loc->text.empty();
    }
    if (auto* a = llvm::dyn_cast<AllocaInst>(ptr)) {
      loc->text = VariableName(a);
      loc->type = VariableType(a);
      return !loc->text.empty();
    }
    if (auto* gep = llvm::dyn_cast<llvm::GEPOperator>(ptr)) {
      if (!DescribeLoc(gep->getPointerOperand(), loc, depth + 1)) return false;
      ApplyGep(gep, loc);
      return true;
    }
    // Anything else is a pointer value: the location is "*value".
    std::string text;
    DIType* pointee = nullptr;
    if (!DescribeValue(ptr, &text, &pointee, depth + 1)) return false;
    loc->text = "*" + Paren(text);
    loc->deref = true;
    loc->ptr = text;
    loc->type = pointee;
    return true;
  }

  // Names a pointer value and finds the debug type it points to.
  bool DescribeValue(Value* v, std::string* text, DIType** pointee,
                     int depth) {
    if (depth > 12) return false;
    v = StripCasts(v);
    if (auto* load = llvm::dyn_cast<LoadInst>(v)) {
      Loc held;
      if (!DescribeLoc(load->getPointerOperand(), &held, depth + 1)) {
        return false;
      }
      *text = held.text;
      *pointee = PointeeType(held.type);
      return true;
    }
    if (auto* arg = llvm::dyn_cast<Argument>(v)) {
      if (!arg->hasName()) return false;
      *text = arg->getName().str();
      return true;
    }
    if (auto* call = llvm::dyn_cast<llvm::CallInst>(v)) {
      Function* callee = call->getCalledFunction();
      if (callee == nullptr || !callee->hasName()) return false;
      *text = callee->getName().str() + "()";
      if (llvm::DISubprogram* sp = callee->getSubprogram()) {
        if (llvm::DISubroutineType* st = sp->getType()) {
          auto types = st->getTypeArray();
          if (types.size() > 0) *pointee = PointeeType(types[0]);
        }
      }
      return true;
    }
    if (auto* g = llvm::dyn_cast<llvm::GEPOperator>(v)) {
      Loc loc;
      if (!DescribeLoc(g, &loc, depth + 1)) return false;
      *text = "&" + loc.text;
      *pointee = loc.type;
      return true;
    }
    return false;
  }

  void ApplyGep(llvm::GEPOperator* gep, Loc* loc) {
    Type* t = gep->getSourceElementType();
    auto idx = gep->idx_begin();
    if (idx == gep->idx_end()) return;
    if (loc->type == nullptr) loc->type = CompositeFor(t);
    // The first index is pointer arithmetic on the base.
    Value* first = idx->get();
    ++idx;
    auto* first_c = llvm::dyn_cast<ConstantInt>(first);
    if (t->isIntegerTy(8) && first_c != nullptr) {
      // A byte offset (container_of, or clang's lowering of odd layouts):
      // resolve it through the debug type when there is one.
      int64_t off = first_c->getSExtValue();
      std::string field;
      DIType* ftype = nullptr;
      if (off >= 0 && FindMember(loc->type, uint64_t(off) * 8, true,
                                 &field, &ftype)) {
        AddField(loc, field);
        loc->type = ftype;
        loc->array_dims_used = 0;
      } else {
        AddOffset(loc, off);
      }
      return;
    }
    if (first_c == nullptr || !first_c->isZero()) {
      AddIndex(loc, Index(first));
    }
    for (; idx != gep->idx_end(); ++idx) {
      if (auto* st = llvm::dyn_cast<llvm::StructType>(t)) {
        auto* field_c = llvm::dyn_cast<ConstantInt>(idx->get());
        if (field_c == nullptr || st->isOpaque()) return;
        unsigned field = unsigned(field_c->getZExtValue());
        if (field >= st->getNumElements()) return;
        uint64_t off = dl_.getStructLayout(st)->getElementOffset(field);
        if (loc->type == nullptr) loc->type = CompositeFor(st);
        std::string name;
        DIType* ftype = nullptr;
        if (FindMember(loc->type, off * 8, false, &name, &ftype)) {
          if (!name.empty()) AddField(loc, name);
        } else {
          AddField(loc, "+" + std::to_string(off));
        }
        loc->type = ftype;
        loc->array_dims_used = 0;
        t = st->getElementType(field);
      } else if (auto* at = llvm::dyn_cast<llvm::ArrayType>(t)) {
        AddIndex(loc, Index(idx->get()));
        StepIntoArray(loc);
        t = at->getElementType();
      } else if (auto* vt = llvm::dyn_cast<llvm::VectorType>(t)) {
        AddIndex(loc, Index(idx->get()));
        loc->type = nullptr;
        t = vt->getElementType();
      } else {
        return;
      }
    }
  }

  // A C multi-dimensional array is one debug composite with several
  // subranges, but several nested IR array types; count the dimensions
  // consumed so the element type is taken only after the last one.
  static void StepIntoArray(Loc* loc) {
    auto* c = llvm::dyn_cast_or_null<DICompositeType>(StripType(loc->type));
    if (c == nullptr || c->getTag() != llvm::dwarf::DW_TAG_array_type) {
      loc->type = nullptr;
      return;
    }
    ++loc->array_dims_used;
    if (loc->array_dims_used >= c->getElements().size()) {
      loc->type = c->getBaseType();
      loc->array_dims_used = 0;
    }
  }

  const DataLayout& dl_;
  std::map<std::string, DIType*> composites_;
};

class Instrumenter {
 public:
  explicit Instrumenter(Module& m)
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

  bool Run() {
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

 private:
  void Error(Function& f, Instruction* at, const std::string& msg) {
    // DiagnosticInfoUnsupported carries the DebugLoc, which clang prints as
    // file:line:col and counts as an error (the compile fails).
    ctx_.diagnose(llvm::DiagnosticInfoUnsupported(
        f, msg, at != nullptr ? at->getDebugLoc() : DebugLoc()));
  }

  void CheckThreadLocal(const std::vector<GlobalVariable*>& globals) {
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

  // Integer type the runtime ABI carries a value of type `t` in, or null.
  IntegerType* Carrier(Type* t) {
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

  static Value* ToCarrier(IRBuilder<>& b, Value* v, IntegerType* c) {
    Type* t = v->getType();
    if (t == c) return v;
    if (t->isIntegerTy()) return b.CreateZExt(v, c);
    if (t->isPointerTy()) return b.CreatePtrToInt(v, c);
    return b.CreateBitCast(v, c);
  }

  static Value* FromCarrier(IRBuilder<>& b, Value* v, Type* t) {
    if (t == v->getType()) return v;
    if (t->isIntegerTy()) return b.CreateTrunc(v, t);
    if (t->isPointerTy()) return b.CreateIntToPtr(v, t);
    return b.CreateBitCast(v, t);
  }

  static std::string TypeName(Type* t) {
    std::string s;
    llvm::raw_string_ostream os(s);
    t->print(os);
    return os.str();
  }

  Constant* String(const std::string& s) {
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

  Constant* Site(Instruction* inst, bool is_volatile, bool is_pointer = false) {
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

  llvm::FunctionCallee Runtime(const std::string& name, Type* ret,
                               llvm::ArrayRef<Type*> params) {
    return m_.getOrInsertFunction(
        name, llvm::FunctionType::get(ret, params, false));
  }

  static std::string Suffix(IntegerType* c) {
    return "_" + std::to_string(c->getBitWidth() / 8);
  }

  Value* Addr(IRBuilder<>& b, Value* p) {
    return b.CreatePointerBitCastOrAddrSpaceCast(p, i8p_);
  }

  // True when every object `ptr` may point into is private to the running
  // context: a local (alloca) or a byval argument copy.
  static bool IsPrivate(Value* ptr) {
    llvm::SmallVector<const Value*, 4> objects;
    llvm::getUnderlyingObjects(ptr, objects);
    if (objects.empty()) return false;
    for (const Value* o : objects) {
      if (llvm::isa<AllocaInst>(o)) continue;
      auto* a = llvm::dyn_cast<Argument>(o);
      if (a != nullptr && a->hasByValAttr()) continue;
      return false;
    }
    return true;
  }

  static bool IsConstantMemory(Value* ptr) {
    llvm::SmallVector<const Value*, 4> objects;
    llvm::getUnderlyingObjects(ptr, objects);
    if (objects.empty()) return false;
    for (const Value* o : objects) {
      auto* g = llvm::dyn_cast<GlobalVariable>(o);
      if (g == nullptr || !g->isConstant()) return false;
    }
    return true;
  }

  static bool IsSetjmpFamily(StringRef n) {
    return n == "setjmp" || n == "_setjmp" || n == "sigsetjmp" ||
           n == "__sigsetjmp" || n == "longjmp" || n == "_longjmp" ||
           n == "siglongjmp" || n == "__builtin_setjmp" ||
           n == "__builtin_longjmp";
  }

  // The rule for inline asm: it is refused when it can touch memory, i.e.
  // when it has a "memory" clobber or any memory operand, unless its
  // template is empty (a pure compiler barrier such as __insn_barrier()).
  static bool AsmTouchesMemory(const llvm::InlineAsm* ia) {
    bool memory = false;
    for (const llvm::InlineAsm::ConstraintInfo& ci : ia->ParseConstraints()) {
      if (ci.isIndirect) memory = true;
      for (const std::string& code : ci.Codes) {
        if (ci.Type == llvm::InlineAsm::isClobber && code == "{memory}") {
          memory = true;
        }
        if (ci.Type != llvm::InlineAsm::isClobber &&
            (code == "m" || code == "o" || code == "V" || code == "Q")) {
          memory = true;
        }
      }
    }
    if (!memory) return false;
    return StringRef(ia->getAsmString()).trim().size() != 0;
  }

  void InstrumentFunction(Function& f) {
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

  // The address a site should be named after; for a copy, the destination
  // unless only the source is shared.
  static Value* AccessedPointer(Instruction* i) {
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

  void DoCall(Function& f, CallBase* call) {
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

  void DoMem(llvm::MemIntrinsic* mi) {
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

  bool Unsupported(Function& f, Instruction* i, Type* t) {
    Error(f, i,
          "smpfuzz cannot instrument an access of type '" + TypeName(t) +
              "': use integers of 8/16/32/64 bits, pointers, float or "
              "double, or copy with memcpy");
    return false;
  }

  void DoLoad(Function& f, LoadInst* load) {
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

  void DoStore(Function& f, StoreInst* store) {
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

  void DoCas(Function& f, AtomicCmpXchgInst* cas) {
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

  static int RmwOp(AtomicRMWInst::BinOp op) {
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

  void DoRmw(Function& f, AtomicRMWInst* rmw) {
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

  void DoFence(FenceInst* fence) {
    if (fence->getSyncScopeID() == llvm::SyncScope::SingleThread) return;
    IRBuilder<> b(fence);
    Constant* site = Site(fence, false);
    b.CreateCall(Runtime("__smp_fence", b.getVoidTy(), {i32_, i8p_}),
                 {Order(fence->getOrdering()), site});
    fence->eraseFromParent();
  }

  Value* Order(llvm::AtomicOrdering o) {
    return ConstantInt::get(i32_, static_cast<int>(o));
  }

  void RegisterGlobals(const std::vector<GlobalVariable*>& globals) {
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

struct SmpPass : llvm::PassInfoMixin<SmpPass> {
  llvm::PreservedAnalyses run(Module& m, llvm::ModuleAnalysisManager&) {
    Instrumenter(m).Run();
    return llvm::PreservedAnalyses::none();
  }
  // Without this, -O0's optnone functions would be skipped.
  static bool isRequired() { return true; }
};

}  // namespace

extern "C" LLVM_ATTRIBUTE_WEAK ::llvm::PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "smp_pass", "1",
          [](llvm::PassBuilder& pb) {
            // PipelineStart runs at every -O level (OptimizerLast does not
            // at -O0) and before SROA, so locals are still allocas.
            pb.registerPipelineStartEPCallback(
                [](llvm::ModulePassManager& mpm, llvm::OptimizationLevel) {
                  mpm.addPass(SmpPass());
                });
          }};
}
