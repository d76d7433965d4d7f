// The LLVM 14 headers and names the smp_pass plugin's files share
// (smp_pass.cc has the plugin's contract). Headers only one file needs
// are that file's: each is parsed once per file.
#ifndef SMPFUZZ_HW_INSTRUMENT_PASS_TYPES_H_
#define SMPFUZZ_HW_INSTRUMENT_PASS_TYPES_H_

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"

namespace smp_pass {

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

}  // namespace smp_pass

#endif  // SMPFUZZ_HW_INSTRUMENT_PASS_TYPES_H_
