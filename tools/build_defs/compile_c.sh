#!/bin/bash
# Compiles one target C file for the simulated machine (smp_target runs
# this in a genrule): clang-14, freestanding, against hw/include, with the
# instrumentation plugin, position-independent (the same object serves
# static binaries and the shared libraries of tests).
#   compile_c.sh PLUGIN HW_HEADER SRC OUT [EXTRA_FLAG...]
# HW_HEADER is hw/include/smp/hw.h (its path locates the include folder).
# EXTRA_FLAGs come before hw/include: a kernel library's include folder
# (-I kern/include) overrides hw's defaults, such as <sys/cpu_data.h>.
set -euo pipefail
plugin="$1"; hw_header="$2"; src="$3"; out="$4"; shift 4
hw_include="$(dirname "$(dirname "$hw_header")")"
resource="$(clang-14 -print-resource-dir)/include"
exec clang-14 -c -std=gnu11 -O2 -g -fPIC -ffreestanding -nostdinc \
  -fno-omit-frame-pointer -fno-common "$@" \
  -isystem "$resource" -I "$hw_include" -I . -iquote "$(dirname "$src")" \
  -Wall -Werror=implicit-function-declaration \
  -fpass-plugin="$plugin" "$src" -o "$out"
