# RV64C: every compressed encoding and the hints the decoder accepts,
# mixed with 32-bit instructions at 2-byte-aligned addresses.
# Built with clang and compared line by line against llvm-objdump.
	.option rvc
	.text

# Quadrant 0
	c.addi4spn s0, sp, 4
	c.addi4spn s1, sp, 8
	c.addi4spn a0, sp, 16
	c.addi4spn a1, sp, 1020
	c.addi4spn a2, sp, 512
	c.addi4spn a3, sp, 36
	c.addi4spn a5, sp, 1020
	c.fld fs0, 0(a1)
	c.lw s1, 4(a3)
	c.ld a0, 0(a4)
	c.fsd fa2, 0(s1)
	c.sw a1, 124(a0)
	c.sd a2, 0(a5)
	c.fld fs1, 8(a2)
	c.lw a0, 4(a4)
	c.ld a1, 8(a5)
	c.fsd fa3, 8(a0)
	c.sw a2, 4(a1)
	c.sd a3, 8(s0)
	c.fld fa0, 248(a3)
	c.lw a1, 124(a5)
	c.ld a2, 248(s0)
	c.fsd fa4, 248(a1)
	c.sw a3, 124(a2)
	c.sd a4, 248(s1)
	c.fld fa1, 128(a4)
	c.lw a2, 64(s0)
	c.ld a3, 128(s1)
	c.fsd fa5, 128(a2)
	c.sw a4, 64(a3)
	c.sd a5, 128(a0)
	c.lw a0, 124(a1)

# Quadrant 1
	c.nop
	c.nop 5
	c.nop -32
	c.addi ra, 1
	c.addi t1, -1
	c.addi a1, 31
	c.addi a6, -32
	c.addi s5, 7
	c.addi s10, 0
	c.addiw tp, 1
	c.addiw a1, -1
	c.addiw s2, 31
	c.addiw s9, -32
	c.addiw ra, 0
	c.li ra, 0
	c.li a0, 1
	c.li s3, -1
	c.li t3, 31
	c.li t0, -32
	c.li zero, 5
	c.addi16sp sp, 16
	c.addi16sp sp, -16
	c.addi16sp sp, 496
	c.addi16sp sp, -512
	c.addi16sp sp, 64
	c.lui ra, 1
	c.lui s0, 31
	c.lui a4, 1048544
	c.lui s4, 1048575
	c.lui s10, 5
	c.srli s0, 1
	c.srai a5, 1
	c.srli s1, 31
	c.srai a4, 31
	c.srli a0, 32
	c.srai a3, 32
	c.srli a1, 63
	c.srai a2, 63
	c.andi s0, 0
	c.andi a1, 1
	c.andi a4, -1
	c.andi s1, 31
	c.andi a2, -32
	c.sub s1, a0
	c.sub a2, a5
	c.sub a5, a2
	c.xor s1, a0
	c.xor a2, a5
	c.xor a5, a2
	c.or s1, a0
	c.or a2, a5
	c.or a5, a2
	c.and s1, a0
	c.and a2, a5
	c.and a5, a2
	c.subw s1, a0
	c.subw a2, a5
	c.subw a5, a2
	c.addw s1, a0
	c.addw a2, a5
	c.addw a5, a2
1:
	c.j 0
	c.j 2
	c.j -2
	c.j 2046
	c.j -2048
	c.j 100
	c.j 1b
	c.j 2f
	c.beqz s0, 0
	c.bnez a5, 0
	c.beqz s1, 2
	c.bnez a4, 2
	c.beqz a0, -2
	c.bnez a3, -2
	c.beqz a1, 254
	c.bnez a2, 254
	c.beqz a2, -256
	c.bnez a1, -256
	c.beqz a0, 1b
	c.bnez a1, 2f
2:

# Quadrant 2
	c.slli ra, 1
	c.slli s0, 31
	c.slli a5, 32
	c.slli s6, 63
	c.slli t4, 5
	c.fldsp ft0, 0(sp)
	c.lwsp sp, 252(sp)
	c.ldsp gp, 0(sp)
	c.fsdsp ft4, 0(sp)
	c.swsp t0, 252(sp)
	c.sdsp t1, 0(sp)
	c.fldsp fs1, 8(sp)
	c.lwsp t2, 4(sp)
	c.ldsp a4, 8(sp)
	c.fsdsp fa7, 8(sp)
	c.swsp s0, 4(sp)
	c.sdsp a3, 8(sp)
	c.fldsp fs2, 504(sp)
	c.lwsp a2, 252(sp)
	c.ldsp s9, 504(sp)
	c.fsdsp ft10, 504(sp)
	c.swsp a1, 252(sp)
	c.sdsp s4, 504(sp)
	c.fldsp fs11, 256(sp)
	c.lwsp a7, 128(sp)
	c.ldsp t0, 256(sp)
	c.fsdsp fa1, 256(sp)
	c.swsp a4, 128(sp)
	c.sdsp s11, 256(sp)
	c.swsp zero, 4(sp)
	c.jr ra
	c.jalr ra
	c.jr a0
	c.jalr a0
	c.jr t6
	c.jalr t6
	c.jr sp
	c.jalr sp
	c.mv ra, tp
	c.add gp, s1
	c.mv t1, a3
	c.add a0, a2
	c.mv a1, s6
	c.add a7, a5
	c.mv a6, t6
	c.add s8, s2
	c.mv s5, s1
	c.add t6, s5
	c.ebreak
	c.unimp
	c.slli64 a0
	c.srli64 a1
	c.srai64 s0
	c.mv zero, a1
	c.add zero, a2
	c.lui zero, 1
	c.slli zero, 3
	c.li zero, 0
	c.addi zero, 0

# 32-bit instructions at 2-byte alignment
	addi a0, a1, 100
	c.nop
	beq a0, a1, 2b
	jal ra, 1b
	lui a0, 0x12345
	c.addi a0, 1
	fadd.d fa0, fa1, fa2
	csrrs a0, mstatus, zero
	c.nop
	bne a0, a1, 3f
	jal zero, 3f
3:
	c.ebreak
