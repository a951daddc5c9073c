// Growth of the tape during recording (Tape::grow_for_recording in tape.hpp).
//
// On x86-64 ELF targets the recording path reaches growth through an inline-asm call to
// tapir_tape_grow_for_recording_preserving_registers, which declares no clobbered register. That
// function therefore saves every register it or its callee may change, the whole vector and x87
// state included (XSAVE, or FXSAVE where the OS has not enabled XSAVE), runs the growth in C++, and
// restores them. Errors cannot unwind through it: they are caught, kept, and rethrown by
// Tape::rethrow_growth_error once the asm call has returned.
#include <exception>

#include "autodiff/tape.hpp"

namespace tapir::autodiff {

class GrowthAccess {
 public:
  static void grow(Tape* t) {
    if (!t->born()) t->be_born();
    if (t->nvars_ + 2 > t->var_capacity_) t->grow_vars(2);
  }
};

namespace {
thread_local std::exception_ptr growth_error;
}

void Tape::grow_plain() { GrowthAccess::grow(this); }

void Tape::rethrow_growth_error() {
  std::exception_ptr e = std::move(growth_error);
  growth_error = nullptr;
  std::rethrow_exception(e);
}

}  // namespace tapir::autodiff

// On failure the tape is left as it was, and the error kept for rethrow_growth_error.
extern "C" void tapir_tape_grow_for_recording_noexcept(tapir::autodiff::Tape* t) noexcept {
  try {
    tapir::autodiff::GrowthAccess::grow(t);
  } catch (...) {
    tapir::autodiff::growth_error = std::current_exception();
  }
}

#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__)
// In: rdi = tape. Every register is preserved.
// - General registers: pushed and popped (rbx and r12 hold values across cpuid and the call).
// - Vector, mask and x87 registers, MXCSR: XSAVE of every component enabled in XCR0 (XGETBV), into
//   an area of the size CPUID leaf 0xD reports, 64-byte aligned, header zeroed as XRSTOR requires
//   (Intel SDM vol. 1, 13.4.2). Without OSXSAVE (CPUID.1:ECX bit 27) the CPU has no AVX state,
//   and FXSAVE covers x87, MXCSR and xmm0-15.
// - The stack is aligned to 16 bytes at the call, as the System V ABI requires.
asm(R"(
    .text
    .p2align 4
    .globl tapir_tape_grow_for_recording_preserving_registers
    .type tapir_tape_grow_for_recording_preserving_registers, @function
tapir_tape_grow_for_recording_preserving_registers:
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset %rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register %rbp
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %rdi
    pushq %r12
    .cfi_offset %rbx, -32
    .cfi_offset %r12, -104
    movq %rdi, %r12             # r12: the tape
    movl $1, %eax
    cpuid
    btl $27, %ecx
    jnc 1f
    movl $0xd, %eax
    xorl %ecx, %ecx
    cpuid                       # ebx: XSAVE area size for the components enabled in XCR0
    subq %rbx, %rsp
    andq $-64, %rsp
    xorl %eax, %eax
    movq %rax, 512(%rsp)
    movq %rax, 520(%rsp)
    movq %rax, 528(%rsp)
    movq %rax, 536(%rsp)
    movq %rax, 544(%rsp)
    movq %rax, 552(%rsp)
    movq %rax, 560(%rsp)
    movq %rax, 568(%rsp)
    xorl %ecx, %ecx
    xgetbv                      # edx:eax = XCR0
    shlq $32, %rdx
    movl %eax, %eax
    orq %rdx, %rax
    movq %rax, %rbx             # rbx: the component mask, for XRSTOR
    movq %rbx, %rdx
    shrq $32, %rdx
    xsave64 (%rsp)
    movq %r12, %rdi
    call tapir_tape_grow_for_recording_noexcept@PLT
    movq %rbx, %rax
    movq %rbx, %rdx
    shrq $32, %rdx
    xrstor64 (%rsp)
    jmp 2f
1:
    subq $512, %rsp
    andq $-16, %rsp
    fxsave64 (%rsp)
    movq %r12, %rdi
    call tapir_tape_grow_for_recording_noexcept@PLT
    fxrstor64 (%rsp)
2:
    leaq -88(%rbp), %rsp
    popq %r12
    popq %rdi
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    popq %rbp
    .cfi_def_cfa %rsp, 8
    ret
    .cfi_endproc
    .size tapir_tape_grow_for_recording_preserving_registers, .-tapir_tape_grow_for_recording_preserving_registers
)");
#endif
