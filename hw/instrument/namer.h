// The names of access sites: "g.f", "p->f", "a[2]", "*p", built from the
// address computation and debug info, as the trace shows them.
#ifndef SMPFUZZ_HW_INSTRUMENT_NAMER_H_
#define SMPFUZZ_HW_INSTRUMENT_NAMER_H_

#include <map>
#include <string>

#include "hw/instrument/pass_types.h"

namespace smp_pass {

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

// Builds the `what` of a site from the address computation and debug info.
class Namer {
 public:
  // Reads the module's debug composites (the fallback for a struct type
  // whose location has no debug type of its own).
  Namer(Module& m, const DataLayout& dl);
  // The name of the memory `ptr` points at, "" if it cannot be named.
  std::string Name(Value* ptr);

 private:
  static std::string Index(Value* idx);
  static std::string Paren(const std::string& ptr);
  static void AddField(Loc* loc, const std::string& field);
  static void AddIndex(Loc* loc, const std::string& index);
  static void AddOffset(Loc* loc, int64_t off);
  DIType* CompositeFor(Type* t);
  static std::string VariableName(Value* v);
  static DIType* VariableType(Value* v);

  // Names the memory `ptr` points at.
  bool DescribeLoc(Value* ptr, Loc* loc, int depth);
  // Names a pointer value and finds the debug type it points to.
  bool DescribeValue(Value* v, std::string* text, DIType** pointee,
                     int depth);
  void ApplyGep(llvm::GEPOperator* gep, Loc* loc);

  // A C multi-dimensional array is one debug composite with several
  // subranges, but several nested IR array types; count the dimensions
  // consumed so the element type is taken only after the last one.
  static void StepIntoArray(Loc* loc);

  const DataLayout& dl_;
  std::map<std::string, DIType*> composites_;
};

}  // namespace smp_pass

#endif  // SMPFUZZ_HW_INSTRUMENT_NAMER_H_
