# H extension: llvm-objdump 14 does not know these encodings and prints
# <unknown>; the test holds the expected text for each one. .insn fields:
# r opcode, funct3, funct7, rd, rs1, rs2.
	.option norvc
	.text
# hlv.b, hlv.bu, hlv.h, hlv.hu, hlvx.hu, hlv.w, hlv.wu, hlvx.wu, hlv.d: rd, (rs1)
	.insn r SYSTEM, 4, 0x30, a0, a1, x0
	.insn r SYSTEM, 4, 0x30, t6, zero, x1
	.insn r SYSTEM, 4, 0x32, s0, sp, x0
	.insn r SYSTEM, 4, 0x32, ra, s11, x1
	.insn r SYSTEM, 4, 0x32, a7, t0, x3
	.insn r SYSTEM, 4, 0x34, a0, a1, x0
	.insn r SYSTEM, 4, 0x34, zero, a0, x0
	.insn r SYSTEM, 4, 0x34, s2, a3, x1
	.insn r SYSTEM, 4, 0x34, tp, gp, x3
	.insn r SYSTEM, 4, 0x36, a1, a0, x0
	.insn r SYSTEM, 4, 0x36, t3, s10, x0
# hsv.b, hsv.h, hsv.w, hsv.d: rs2, (rs1)
	.insn r SYSTEM, 4, 0x31, x0, a0, a1
	.insn r SYSTEM, 4, 0x33, x0, sp, zero
	.insn r SYSTEM, 4, 0x35, x0, a0, t6
	.insn r SYSTEM, 4, 0x37, x0, a0, a1
	.insn r SYSTEM, 4, 0x37, x0, s1, ra
# hfence.vvma, hfence.gvma: rs1, rs2
	.insn r SYSTEM, 0, 0x11, x0, x0, x0
	.insn r SYSTEM, 0, 0x11, x0, a0, x0
	.insn r SYSTEM, 0, 0x11, x0, a0, a1
	.insn r SYSTEM, 0, 0x11, x0, x0, a1
	.insn r SYSTEM, 0, 0x31, x0, x0, x0
	.insn r SYSTEM, 0, 0x31, x0, a0, x0
	.insn r SYSTEM, 0, 0x31, x0, a0, a1
	.insn r SYSTEM, 0, 0x31, x0, t5, s3
