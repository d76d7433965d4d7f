// Site names from the address computation and debug info (namer.h).
#include "hw/instrument/namer.h"

#include <string>

#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/IntrinsicInst.h"

namespace smp_pass {
namespace {

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

}  // namespace

Namer::Namer(Module& m, const DataLayout& dl) : dl_(dl) {
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

std::string Namer::Name(Value* ptr) {
  Loc loc;
  if (!DescribeLoc(ptr, &loc, 0)) return "";
  return loc.text;
}

std::string Namer::Index(Value* idx) {
  if (auto* c = llvm::dyn_cast<ConstantInt>(idx)) {
    return "[" + std::to_string(c->getSExtValue()) + "]";
  }
  return "[]";
}

std::string Namer::Paren(const std::string& ptr) {
  if (!ptr.empty() && (ptr[0] == '*' || ptr[0] == '&')) {
    return "(" + ptr + ")";
  }
  return ptr;
}

void Namer::AddField(Loc* loc, const std::string& field) {
  loc->text = loc->deref ? Paren(loc->ptr) + "->" + field
                         : loc->text + "." + field;
  loc->deref = false;
}

void Namer::AddIndex(Loc* loc, const std::string& index) {
  loc->text = loc->deref ? Paren(loc->ptr) + index : loc->text + index;
  loc->deref = false;
}

void Namer::AddOffset(Loc* loc, int64_t off) {
  if (off == 0) return;
  loc->text = (loc->deref ? Paren(loc->ptr) : loc->text) +
              (off > 0 ? "+" : "") + std::to_string(off);
  loc->deref = false;
  loc->type = nullptr;
}

DIType* Namer::CompositeFor(Type* t) {
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

std::string Namer::VariableName(Value* v) {
  for (llvm::DbgDeclareInst* d : llvm::FindDbgDeclareUses(v)) {
    if (d->getVariable() != nullptr) return d->getVariable()->getName().str();
  }
  return "";
}

DIType* Namer::VariableType(Value* v) {
  for (llvm::DbgDeclareInst* d : llvm::FindDbgDeclareUses(v)) {
    if (d->getVariable() != nullptr) return d->getVariable()->getType();
  }
  return nullptr;
}

bool Namer::DescribeLoc(Value* ptr, Loc* loc, int depth) {
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

bool Namer::DescribeValue(Value* v, std::string* text, DIType** pointee,
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

void Namer::ApplyGep(llvm::GEPOperator* gep, Loc* loc) {
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

void Namer::StepIntoArray(Loc* loc) {
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

}  // namespace smp_pass
