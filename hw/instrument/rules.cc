// What the pass leaves alone (private and constant memory) and what it
// refuses (setjmp/longjmp, inline asm that touches memory); smp_pass.cc's
// contract says why.
#include "hw/instrument/instrumenter.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/InlineAsm.h"

namespace smp_pass {

bool Instrumenter::IsPrivate(Value* ptr) {
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

bool Instrumenter::IsConstantMemory(Value* ptr) {
  llvm::SmallVector<const Value*, 4> objects;
  llvm::getUnderlyingObjects(ptr, objects);
  if (objects.empty()) return false;
  for (const Value* o : objects) {
    auto* g = llvm::dyn_cast<GlobalVariable>(o);
    if (g == nullptr || !g->isConstant()) return false;
  }
  return true;
}

bool Instrumenter::IsSetjmpFamily(StringRef n) {
  return n == "setjmp" || n == "_setjmp" || n == "sigsetjmp" ||
         n == "__sigsetjmp" || n == "longjmp" || n == "_longjmp" ||
         n == "siglongjmp" || n == "__builtin_setjmp" ||
         n == "__builtin_longjmp";
}

bool Instrumenter::AsmTouchesMemory(const llvm::InlineAsm* ia) {
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

}  // namespace smp_pass
