// The host-code assembler against Capstone: every form the block compiler
// emits, with low and extended registers and short and long displacements,
// must disassemble to the instruction meant, with nothing left over.
#include <capstone/capstone.h>
#include <catch2/catch.hpp>

#include <string>

#include "isa/common/x64_asm.hpp"

using namespace hvemu::isa::x64;

namespace {

// Capstone's text of the one instruction in `a` ("" when it is not exactly
// one instruction).
std::string one(const Asm& a) {
    csh h;
    REQUIRE(cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK);
    cs_insn* insn = nullptr;
    const size_t n = cs_disasm(h, a.code.data(), a.code.size(), 0x1000, 0, &insn);
    std::string text;
    if (n == 1 && insn[0].size == a.code.size()) text = std::string(insn[0].mnemonic) + " " + insn[0].op_str;
    if (n) cs_free(insn, n);
    cs_close(&h);
    return text;
}

template <class F> std::string enc(F f) {
    Asm a;
    f(a);
    return one(a);
}

} // namespace

TEST_CASE("x64 assembler: moves", "[x64asm]") {
    CHECK(enc([](Asm& a) { a.mov(RAX, Mem{RDI, 0x10}); }) == "mov rax, qword ptr [rdi + 0x10]");
    CHECK(enc([](Asm& a) { a.mov(R9, Mem{R8, 0x1234}); }) == "mov r9, qword ptr [r8 + 0x1234]");
    CHECK(enc([](Asm& a) { a.mov(RAX, Mem{RDI, 8}, 4); }) == "mov eax, dword ptr [rdi + 8]");
    CHECK(enc([](Asm& a) { a.mov(Mem{RDI, -8}, R15); }) == "mov qword ptr [rdi - 8], r15");
    CHECK(enc([](Asm& a) { a.mov(Mem{RAX, 0}, R9, 1); }) == "mov byte ptr [rax], r9b");
    CHECK(enc([](Asm& a) { a.mov(Mem{RAX, 0}, RSI, 1); }) == "mov byte ptr [rax], sil");
    CHECK(enc([](Asm& a) { a.mov(Mem{RAX, 0}, R9, 2); }) == "mov word ptr [rax], r9w");
    CHECK(enc([](Asm& a) { a.mov(Mem{RAX, 0}, R9, 4); }) == "mov dword ptr [rax], r9d");
    CHECK(enc([](Asm& a) { a.mov(Mem{RSP, 8}, RBX); }) == "mov qword ptr [rsp + 8], rbx");
    CHECK(enc([](Asm& a) { a.mov(Mem{R12, 8}, RBX); }) == "mov qword ptr [r12 + 8], rbx");
    CHECK(enc([](Asm& a) { a.mov(Mem{R13, 0}, RBX); }) == "mov qword ptr [r13], rbx");
    CHECK(enc([](Asm& a) { a.mov(R11, RCX); }) == "mov r11, rcx");
    CHECK(enc([](Asm& a) { a.mov(RBP, R14); }) == "mov rbp, r14");
    CHECK(enc([](Asm& a) { a.mov(RCX, R12, 4); }) == "mov ecx, r12d");
    CHECK(enc([](Asm& a) { a.mov_imm(RAX, 0x12345678); }) == "mov eax, 0x12345678");
    CHECK(enc([](Asm& a) { a.mov_imm(R8, ~0ull); }) == "mov r8, -1");
    CHECK(enc([](Asm& a) { a.mov_imm(R10, 0x123456789abcull); }) == "movabs r10, 0x123456789abc");
    CHECK(enc([](Asm& a) { a.mov_simm(Mem{RDI, 0x100}, -5); }) == "mov qword ptr [rdi + 0x100], -5");
    CHECK(enc([](Asm& a) { a.mov_imm(RBX, 0xffffffff80000000ull); }) == "mov rbx, -0x80000000");
    CHECK(enc([](Asm& a) { a.movsx(R9, Mem{RAX, 0}, 1); }) == "movsx r9, byte ptr [rax]");
    CHECK(enc([](Asm& a) { a.movsx(R9, Mem{RAX, 0}, 2); }) == "movsx r9, word ptr [rax]");
    CHECK(enc([](Asm& a) { a.movsx(R9, Mem{RAX, 0}, 4); }) == "movsxd r9, dword ptr [rax]");
    CHECK(enc([](Asm& a) { a.movzx(R9, Mem{RAX, 0}, 1); }) == "movzx r9d, byte ptr [rax]");
    CHECK(enc([](Asm& a) { a.movzx(R9, Mem{RAX, 0}, 2); }) == "movzx r9d, word ptr [rax]");
    CHECK(enc([](Asm& a) { a.movzx(R9, Mem{RAX, 0}, 4); }) == "mov r9d, dword ptr [rax]");
    CHECK(enc([](Asm& a) { a.movzx8(RAX, RAX); }) == "movzx eax, al");
    CHECK(enc([](Asm& a) { a.movzx8(R10, RSI); }) == "movzx r10d, sil");
    CHECK(enc([](Asm& a) { a.movsxd(RAX, RAX); }) == "movsxd rax, eax");
    CHECK(enc([](Asm& a) { a.movsxd(R13, RBX); }) == "movsxd r13, ebx");
    CHECK(enc([](Asm& a) { a.lea(R9, Mem{RAX, 7}); }) == "lea r9, [rax + 7]");
    CHECK(enc([](Asm& a) { a.push(RBX); }) == "push rbx");
    CHECK(enc([](Asm& a) { a.push(R15); }) == "push r15");
    CHECK(enc([](Asm& a) { a.pop(R12); }) == "pop r12");
    CHECK(enc([](Asm& a) { a.pop(RBP); }) == "pop rbp");
}

TEST_CASE("x64 assembler: arithmetic", "[x64asm]") {
    CHECK(enc([](Asm& a) { a.alu(ADD, RAX, Mem{RDI, 0x18}); }) == "add rax, qword ptr [rdi + 0x18]");
    CHECK(enc([](Asm& a) { a.alu(SUB, R14, RBX); }) == "sub r14, rbx");
    CHECK(enc([](Asm& a) { a.alu(XOR, RDX, RDX, 4); }) == "xor edx, edx");
    CHECK(enc([](Asm& a) { a.alu(CMP, R9, Mem{R8, 0x898}); }) == "cmp r9, qword ptr [r8 + 0x898]");
    CHECK(enc([](Asm& a) { a.alu(AND, RAX, 0xffe, 4); }) == "and eax, 0xffe");
    CHECK(enc([](Asm& a) { a.alu(AND, RDX, -2); }) == "and rdx, 0xfffffffffffffffe");
    CHECK(enc([](Asm& a) { a.alu(OR, R11, 100); }) == "or r11, 0x64");
    CHECK(enc([](Asm& a) { a.alu(SUB, RCX, 0x801); }) == "sub rcx, 0x801");
    CHECK(enc([](Asm& a) { a.alu(CMP, R8, -1, 4); }) == "cmp r8d, -1");
    CHECK(enc([](Asm& a) { a.alu(CMP, RDX, 0x7fffffff); }) == "cmp rdx, 0x7fffffff");
    CHECK(enc([](Asm& a) { a.test(R8, R8); }) == "test r8, r8");
    CHECK(enc([](Asm& a) { a.shift(SHR, R8, 12); }) == "shr r8, 0xc");
    CHECK(enc([](Asm& a) { a.shift(SAR, RAX, 63); }) == "sar rax, 0x3f");
    CHECK(enc([](Asm& a) { a.shift(SHL, RSI, 4, 4); }) == "shl esi, 4");
    CHECK(enc([](Asm& a) { a.shift_cl(SHL, RAX); }) == "shl rax, cl");
    CHECK(enc([](Asm& a) { a.shift_cl(SAR, RAX, 4); }) == "sar eax, cl");
    CHECK(enc([](Asm& a) { a.imul(RAX, Mem{RDI, 0x20}); }) == "imul rax, qword ptr [rdi + 0x20]");
    CHECK(enc([](Asm& a) { a.imul(RAX, R13, 4); }) == "imul eax, r13d");
    CHECK(enc([](Asm& a) { a.imul_imm(R8, R8, 48); }) == "imul r8, r8, 0x30");
    CHECK(enc([](Asm& a) { a.mul(Mem{RDI, 0x20}, false); }) == "mul qword ptr [rdi + 0x20]");
    CHECK(enc([](Asm& a) { a.mul(RBX, true); }) == "imul rbx");
    CHECK(enc([](Asm& a) { a.div(R8, true, 8); }) == "idiv r8");
    CHECK(enc([](Asm& a) { a.div(R8, false, 4); }) == "div r8d");
    CHECK(enc([](Asm& a) { a.neg(RAX, 4); }) == "neg eax");
    CHECK(enc([](Asm& a) { a.cqo(); }) == "cqo ");
    CHECK(enc([](Asm& a) { a.cdq(); }) == "cdq ");
    CHECK(enc([](Asm& a) { a.setcc(L, RAX); }) == "setl al");
    CHECK(enc([](Asm& a) { a.setcc(B, RAX); }) == "setb al");
}

TEST_CASE("x64 assembler: control and labels", "[x64asm]") {
    CHECK(enc([](Asm& a) { a.jmp(Mem{RSI, 0}); }) == "jmp qword ptr [rsi]");
    CHECK(enc([](Asm& a) { a.jmp(RAX); }) == "jmp rax");
    CHECK(enc([](Asm& a) { a.jmp(R8); }) == "jmp r8");
    CHECK(enc([](Asm& a) { a.ret(); }) == "ret ");

    // A forward and a backward jump land on their labels.
    Asm a;
    Asm::Label fwd, back;
    a.bind(back);
    a.jcc(NE, fwd);        // 6 bytes at 0
    a.jmp(back);           // 5 bytes at 6: back to 0
    a.bind(fwd);           // 11
    a.ret();
    csh h;
    REQUIRE(cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK);
    cs_insn* insn = nullptr;
    const size_t n = cs_disasm(h, a.code.data(), a.code.size(), 0x1000, 0, &insn);
    REQUIRE(n == 3);
    CHECK(std::string(insn[0].mnemonic) + " " + insn[0].op_str == "jne 0x100b");
    CHECK(std::string(insn[1].mnemonic) + " " + insn[1].op_str == "jmp 0x1000");
    cs_free(insn, n);
    cs_close(&h);
}
