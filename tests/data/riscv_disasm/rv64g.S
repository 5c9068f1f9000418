# RV64G without compression: every 32-bit instruction of RV64IMAFD, Zicsr,
# Zifencei and the privileged set (the H extension is in hext.S), with
# operands spread over all registers and immediate ranges.
# Built with clang and compared line by line against llvm-objdump.
	.option norvc
	.text

# RV64I: upper immediates and jumps
	lui ra, 0
	auipc a2, 0
	lui t1, 1
	auipc a7, 1
	lui a1, 524287
	auipc s6, 524287
	lui a6, 524288
	auipc s11, 524288
	lui s5, 1048575
	auipc zero, 1048575
	lui s10, 74565
	auipc t0, 74565
	lui zero, 5
1:
	jal t6, 0
	jal tp, 4
	jal s1, -4
	jal a4, 2048
	jal s3, -2048
	jal s8, 1048574
	jal t4, -1048576
	jal sp, 4660
	jal zero, 1b
	jal ra, 2f
	jalr t2, 0(s2)
	jalr a2, 4(s7)
	jalr a7, -1(t3)
	jalr s6, 2047(ra)
	jalr s11, -2048(t1)
	jalr zero, 0(ra)
	jalr ra, 0(t0)
2:

# RV64I: branches
	beq zero, a1, 8
	beq t0, a6, -8
	beq a0, s5, 4094
	beq a5, s10, -4096
	beq s4, t6, 0
	beq a0, zero, 1b
	beq zero, a1, 3f
	bne s9, tp, 8
	bne t5, s1, -8
	bne gp, a4, 4094
	bne s0, s3, -4096
	bne a3, s8, 0
	bne a0, zero, 1b
	bne zero, a1, 3f
	blt s2, t4, 8
	blt s7, sp, -8
	blt t3, t2, 4094
	blt ra, a2, -4096
	blt t1, a7, 0
	blt a0, zero, 1b
	blt zero, a1, 3f
	bge a1, s6, 8
	bge a6, s11, -8
	bge s5, zero, 4094
	bge s10, t0, -4096
	bge t6, a0, 0
	bge a0, zero, 1b
	bge zero, a1, 3f
	bltu tp, a5, 8
	bltu s1, s4, -8
	bltu a4, s9, 4094
	bltu s3, t5, -4096
	bltu s8, gp, 0
	bltu a0, zero, 1b
	bltu zero, a1, 3f
	bgeu t4, s0, 8
	bgeu sp, a3, -8
	bgeu t2, s2, 4094
	bgeu a2, s7, -4096
	bgeu a7, t3, 0
	bgeu a0, zero, 1b
	bgeu zero, a1, 3f
3:

# RV64I: loads and stores
	lb s6, 0(ra)
	lb s11, -2048(t1)
	lb zero, 2047(a1)
	lb t0, 8(a6)
	lb a0, -1(s5)
	lh a5, 0(s10)
	lh s4, -2048(t6)
	lh s9, 2047(tp)
	lh t5, 8(s1)
	lh gp, -1(a4)
	lw s0, 0(s3)
	lw a3, -2048(s8)
	lw s2, 2047(t4)
	lw s7, 8(sp)
	lw t3, -1(t2)
	ld ra, 0(a2)
	ld t1, -2048(a7)
	ld a1, 2047(s6)
	ld a6, 8(s11)
	ld s5, -1(zero)
	lbu s10, 0(t0)
	lbu t6, -2048(a0)
	lbu tp, 2047(a5)
	lbu s1, 8(s4)
	lbu a4, -1(s9)
	lhu s3, 0(t5)
	lhu s8, -2048(gp)
	lhu t4, 2047(s0)
	lhu sp, 8(a3)
	lhu t2, -1(s2)
	lwu a2, 0(s7)
	lwu a7, -2048(t3)
	lwu s6, 2047(ra)
	lwu s11, 8(t1)
	lwu zero, -1(a1)
	sb t0, 0(a6)
	sb a0, -2048(s5)
	sb a5, 2047(s10)
	sb s4, 8(t6)
	sb s9, -1(tp)
	sh t5, 0(s1)
	sh gp, -2048(a4)
	sh s0, 2047(s3)
	sh a3, 8(s8)
	sh s2, -1(t4)
	sw s7, 0(sp)
	sw t3, -2048(t2)
	sw ra, 2047(a2)
	sw t1, 8(a7)
	sw a1, -1(s6)
	sd a6, 0(s11)
	sd s5, -2048(zero)
	sd s10, 2047(t0)
	sd t6, 8(a0)
	sd tp, -1(a5)

# RV64I: register-immediate
	addi s1, s4, 0
	addi a4, s9, 1
	addi s3, t5, -1
	addi s8, gp, 2047
	addi t4, s0, -2048
	addi sp, a3, 255
	slti t2, s2, 0
	slti a2, s7, 1
	slti a7, t3, -1
	slti s6, ra, 2047
	slti s11, t1, -2048
	slti zero, a1, 255
	sltiu t0, a6, 0
	sltiu a0, s5, 1
	sltiu a5, s10, -1
	sltiu s4, t6, 2047
	sltiu s9, tp, -2048
	sltiu t5, s1, 255
	xori gp, a4, 0
	xori s0, s3, 1
	xori a3, s8, -1
	xori s2, t4, 2047
	xori s7, sp, -2048
	xori t3, t2, 255
	ori ra, a2, 0
	ori t1, a7, 1
	ori a1, s6, -1
	ori a6, s11, 2047
	ori s5, zero, -2048
	ori s10, t0, 255
	andi t6, a0, 0
	andi tp, a5, 1
	andi s1, s4, -1
	andi a4, s9, 2047
	andi s3, t5, -2048
	andi s8, gp, 255
	addiw t4, s0, 0
	addiw sp, a3, 1
	addiw t2, s2, -1
	addiw a2, s7, 2047
	addiw a7, t3, -2048
	addiw s6, ra, 255
	addi zero, zero, 0
	addi a0, zero, 5
	addi a0, a1, 0
	xori a0, a1, -1
	sltiu a0, a1, 1
	andi a0, a1, 255
	addiw a0, a1, 0
	slli s11, t1, 0
	slli zero, a1, 1
	slli t0, a6, 17
	slli a0, s5, 63
	srli a5, s10, 0
	srli s4, t6, 1
	srli s9, tp, 17
	srli t5, s1, 63
	srai gp, a4, 0
	srai s0, s3, 1
	srai a3, s8, 17
	srai s2, t4, 63
	slliw s7, sp, 0
	slliw t3, t2, 1
	slliw ra, a2, 17
	slliw t1, a7, 31
	srliw a1, s6, 0
	srliw a6, s11, 1
	srliw s5, zero, 17
	srliw s10, t0, 31
	sraiw t6, a0, 0
	sraiw tp, a5, 1
	sraiw s1, s4, 17
	sraiw a4, s9, 31

# RV64I: register-register
	add s3, t5, s1
	add s8, gp, a4
	add t4, s0, s3
	sub sp, a3, s8
	sub t2, s2, t4
	sub a2, s7, sp
	sll a7, t3, t2
	sll s6, ra, a2
	sll s11, t1, a7
	slt zero, a1, s6
	slt t0, a6, s11
	slt a0, s5, zero
	sltu a5, s10, t0
	sltu s4, t6, a0
	sltu s9, tp, a5
	xor t5, s1, s4
	xor gp, a4, s9
	xor s0, s3, t5
	srl a3, s8, gp
	srl s2, t4, s0
	srl s7, sp, a3
	sra t3, t2, s2
	sra ra, a2, s7
	sra t1, a7, t3
	or a1, s6, ra
	or a6, s11, t1
	or s5, zero, a1
	and s10, t0, a6
	and t6, a0, s5
	and tp, a5, s10
	addw s1, s4, t6
	addw a4, s9, tp
	addw s3, t5, s1
	subw s8, gp, a4
	subw t4, s0, s3
	subw sp, a3, s8
	sllw t2, s2, t4
	sllw a2, s7, sp
	sllw a7, t3, t2
	srlw s6, ra, a2
	srlw s11, t1, a7
	srlw zero, a1, s6
	sraw t0, a6, s11
	sraw a0, s5, zero
	sraw a5, s10, t0
	sub a0, zero, a1
	subw a0, zero, a1
	sltu a0, zero, a1
	slt a0, a1, zero
	slt a0, zero, a1
	add a0, zero, a1

# RV64I: fences and system
	fence rw, rw
	fence iorw, iorw
	fence r, w
	fence w, r
	fence i, o
	fence o, i
	fence iorw, rw
	fence rw, iorw
	fence ir, ow
	fence w, w
	fence i, w
	fence o, ior
	fence r, r
	fence w, rw
	fence io, o
	fence ir, ow
	fence iw, i
	fence or, or
	fence ow, iorw
	fence rw, iw
	fence ior, orw
	fence iow, ir
	fence irw, irw
	fence orw, io
	fence iorw, iow
	fence
	fence.tso
	fence.i
	ecall
	ebreak
	unimp

# M
	mul s4, t6, a0
	mul s9, tp, a5
	mul t5, s1, s4
	mulh gp, a4, s9
	mulh s0, s3, t5
	mulh a3, s8, gp
	mulhsu s2, t4, s0
	mulhsu s7, sp, a3
	mulhsu t3, t2, s2
	mulhu ra, a2, s7
	mulhu t1, a7, t3
	mulhu a1, s6, ra
	div a6, s11, t1
	div s5, zero, a1
	div s10, t0, a6
	divu t6, a0, s5
	divu tp, a5, s10
	divu s1, s4, t6
	rem a4, s9, tp
	rem s3, t5, s1
	rem s8, gp, a4
	remu t4, s0, s3
	remu sp, a3, s8
	remu t2, s2, t4
	mulw a2, s7, sp
	mulw a7, t3, t2
	mulw s6, ra, a2
	divw s11, t1, a7
	divw zero, a1, s6
	divw t0, a6, s11
	divuw a0, s5, zero
	divuw a5, s10, t0
	divuw s4, t6, a0
	remw s9, tp, a5
	remw t5, s1, s4
	remw gp, a4, s9
	remuw s0, s3, t5
	remuw a3, s8, gp
	remuw s2, t4, s0

# A: every AMO with every aq/rl combination
	lr.w s7, (sp)
	sc.w t3, t2, (s2)
	amoswap.w ra, a2, (s7)
	amoadd.w t1, a7, (t3)
	amoxor.w a1, s6, (ra)
	amoand.w a6, s11, (t1)
	amoor.w s5, zero, (a1)
	amomin.w s10, t0, (a6)
	amomax.w t6, a0, (s5)
	amominu.w tp, a5, (s10)
	amomaxu.w s1, s4, (t6)
	lr.w.aq a4, (s9)
	sc.w.aq s3, t5, (s1)
	amoswap.w.aq s8, gp, (a4)
	amoadd.w.aq t4, s0, (s3)
	amoxor.w.aq sp, a3, (s8)
	amoand.w.aq t2, s2, (t4)
	amoor.w.aq a2, s7, (sp)
	amomin.w.aq a7, t3, (t2)
	amomax.w.aq s6, ra, (a2)
	amominu.w.aq s11, t1, (a7)
	amomaxu.w.aq zero, a1, (s6)
	lr.w.rl t0, (a6)
	sc.w.rl a0, s5, (zero)
	amoswap.w.rl a5, s10, (t0)
	amoadd.w.rl s4, t6, (a0)
	amoxor.w.rl s9, tp, (a5)
	amoand.w.rl t5, s1, (s4)
	amoor.w.rl gp, a4, (s9)
	amomin.w.rl s0, s3, (t5)
	amomax.w.rl a3, s8, (gp)
	amominu.w.rl s2, t4, (s0)
	amomaxu.w.rl s7, sp, (a3)
	lr.w.aqrl t3, (t2)
	sc.w.aqrl ra, a2, (s7)
	amoswap.w.aqrl t1, a7, (t3)
	amoadd.w.aqrl a1, s6, (ra)
	amoxor.w.aqrl a6, s11, (t1)
	amoand.w.aqrl s5, zero, (a1)
	amoor.w.aqrl s10, t0, (a6)
	amomin.w.aqrl t6, a0, (s5)
	amomax.w.aqrl tp, a5, (s10)
	amominu.w.aqrl s1, s4, (t6)
	amomaxu.w.aqrl a4, s9, (tp)
	lr.d s3, (t5)
	sc.d s8, gp, (a4)
	amoswap.d t4, s0, (s3)
	amoadd.d sp, a3, (s8)
	amoxor.d t2, s2, (t4)
	amoand.d a2, s7, (sp)
	amoor.d a7, t3, (t2)
	amomin.d s6, ra, (a2)
	amomax.d s11, t1, (a7)
	amominu.d zero, a1, (s6)
	amomaxu.d t0, a6, (s11)
	lr.d.aq a0, (s5)
	sc.d.aq a5, s10, (t0)
	amoswap.d.aq s4, t6, (a0)
	amoadd.d.aq s9, tp, (a5)
	amoxor.d.aq t5, s1, (s4)
	amoand.d.aq gp, a4, (s9)
	amoor.d.aq s0, s3, (t5)
	amomin.d.aq a3, s8, (gp)
	amomax.d.aq s2, t4, (s0)
	amominu.d.aq s7, sp, (a3)
	amomaxu.d.aq t3, t2, (s2)
	lr.d.rl ra, (a2)
	sc.d.rl t1, a7, (t3)
	amoswap.d.rl a1, s6, (ra)
	amoadd.d.rl a6, s11, (t1)
	amoxor.d.rl s5, zero, (a1)
	amoand.d.rl s10, t0, (a6)
	amoor.d.rl t6, a0, (s5)
	amomin.d.rl tp, a5, (s10)
	amomax.d.rl s1, s4, (t6)
	amominu.d.rl a4, s9, (tp)
	amomaxu.d.rl s3, t5, (s1)
	lr.d.aqrl s8, (gp)
	sc.d.aqrl t4, s0, (s3)
	amoswap.d.aqrl sp, a3, (s8)
	amoadd.d.aqrl t2, s2, (t4)
	amoxor.d.aqrl a2, s7, (sp)
	amoand.d.aqrl a7, t3, (t2)
	amoor.d.aqrl s6, ra, (a2)
	amomin.d.aqrl s11, t1, (a7)
	amomax.d.aqrl zero, a1, (s6)
	amominu.d.aqrl t0, a6, (s11)
	amomaxu.d.aqrl a0, s5, (zero)

# Zicsr: named and numbered CSRs
	csrrw a5, fflags, s10
	csrrwi t0, fflags, 0
	csrrs s4, frm, t6
	csrrsi a0, frm, 7
	csrrc s9, fcsr, tp
	csrrci a5, fcsr, 14
	csrrw t5, cycle, s1
	csrrwi s4, cycle, 21
	csrrs gp, time, a4
	csrrsi s9, time, 28
	csrrc s0, instret, s3
	csrrci t5, instret, 3
	csrrw a3, hpmcounter3, s8
	csrrwi gp, hpmcounter3, 10
	csrrs s2, hpmcounter31, t4
	csrrsi s0, hpmcounter31, 17
	csrrc s7, sstatus, sp
	csrrci a3, sstatus, 24
	csrrw t3, sie, t2
	csrrwi s2, sie, 31
	csrrs ra, stvec, a2
	csrrsi s7, stvec, 6
	csrrc t1, scounteren, a7
	csrrci t3, scounteren, 13
	csrrw a1, senvcfg, s6
	csrrwi ra, senvcfg, 20
	csrrs a6, sscratch, s11
	csrrsi t1, sscratch, 27
	csrrc s5, sepc, zero
	csrrci a1, sepc, 2
	csrrw s10, scause, t0
	csrrwi a6, scause, 9
	csrrs t6, stval, a0
	csrrsi s5, stval, 16
	csrrc tp, sip, a5
	csrrci s10, sip, 23
	csrrw s1, stimecmp, s4
	csrrwi t6, stimecmp, 30
	csrrs a4, satp, s9
	csrrsi tp, satp, 5
	csrrc s3, hstatus, t5
	csrrci s1, hstatus, 12
	csrrw s8, hedeleg, gp
	csrrwi a4, hedeleg, 19
	csrrs t4, hideleg, s0
	csrrsi s3, hideleg, 26
	csrrc sp, hie, a3
	csrrci s8, hie, 1
	csrrw t2, htimedelta, s2
	csrrwi t4, htimedelta, 8
	csrrs a2, hcounteren, s7
	csrrsi sp, hcounteren, 15
	csrrc a7, hgeie, t3
	csrrci t2, hgeie, 22
	csrrw s6, henvcfg, ra
	csrrwi a2, henvcfg, 29
	csrrs s11, htval, t1
	csrrsi a7, htval, 4
	csrrc zero, hip, a1
	csrrci s6, hip, 11
	csrrw t0, hvip, a6
	csrrwi s11, hvip, 18
	csrrs a0, htinst, s5
	csrrsi zero, htinst, 25
	csrrc a5, hgatp, s10
	csrrci t0, hgatp, 0
	csrrw s4, hgeip, t6
	csrrwi a0, hgeip, 7
	csrrs s9, vsstatus, tp
	csrrsi a5, vsstatus, 14
	csrrc t5, vsie, s1
	csrrci s4, vsie, 21
	csrrw gp, vstvec, a4
	csrrwi s9, vstvec, 28
	csrrs s0, vsscratch, s3
	csrrsi t5, vsscratch, 3
	csrrc a3, vsepc, s8
	csrrci gp, vsepc, 10
	csrrw s2, vscause, t4
	csrrwi s0, vscause, 17
	csrrs s7, vstval, sp
	csrrsi a3, vstval, 24
	csrrc t3, vsip, t2
	csrrci s2, vsip, 31
	csrrw ra, vstimecmp, a2
	csrrwi s7, vstimecmp, 6
	csrrs t1, vsatp, a7
	csrrsi t3, vsatp, 13
	csrrc a1, mvendorid, s6
	csrrci ra, mvendorid, 20
	csrrw a6, marchid, s11
	csrrwi t1, marchid, 27
	csrrs s5, mimpid, zero
	csrrsi a1, mimpid, 2
	csrrc s10, mhartid, t0
	csrrci a6, mhartid, 9
	csrrw t6, mconfigptr, a0
	csrrwi s5, mconfigptr, 16
	csrrs tp, mstatus, a5
	csrrsi s10, mstatus, 23
	csrrc s1, misa, s4
	csrrci t6, misa, 30
	csrrw a4, medeleg, s9
	csrrwi tp, medeleg, 5
	csrrs s3, mideleg, t5
	csrrsi s1, mideleg, 12
	csrrc s8, mie, gp
	csrrci a4, mie, 19
	csrrw t4, mtvec, s0
	csrrwi s3, mtvec, 26
	csrrs sp, mcounteren, a3
	csrrsi s8, mcounteren, 1
	csrrc t2, menvcfg, s2
	csrrci t4, menvcfg, 8
	csrrw a2, mcountinhibit, s7
	csrrwi sp, mcountinhibit, 15
	csrrs a7, mhpmevent3, t3
	csrrsi t2, mhpmevent3, 22
	csrrc s6, mhpmevent31, ra
	csrrci a2, mhpmevent31, 29
	csrrw s11, mscratch, t1
	csrrwi a7, mscratch, 4
	csrrs zero, mepc, a1
	csrrsi s6, mepc, 11
	csrrc t0, mcause, a6
	csrrci s11, mcause, 18
	csrrw a0, mtval, s5
	csrrwi zero, mtval, 25
	csrrs a5, mip, s10
	csrrsi t0, mip, 0
	csrrc s4, mtinst, t6
	csrrci a0, mtinst, 7
	csrrw s9, mtval2, tp
	csrrwi a5, mtval2, 14
	csrrs t5, pmpcfg0, s1
	csrrsi s4, pmpcfg0, 21
	csrrc gp, pmpcfg14, a4
	csrrci s9, pmpcfg14, 28
	csrrw s0, pmpaddr0, s3
	csrrwi t5, pmpaddr0, 3
	csrrs a3, pmpaddr63, s8
	csrrsi gp, pmpaddr63, 10
	csrrc s2, mcycle, t4
	csrrci s0, mcycle, 17
	csrrw s7, minstret, sp
	csrrwi a3, minstret, 24
	csrrs t3, mhpmcounter3, t2
	csrrsi s2, mhpmcounter3, 31
	csrrc ra, mhpmcounter31, a2
	csrrci s7, mhpmcounter31, 6
	csrrw t1, tselect, a7
	csrrwi t3, tselect, 13
	csrrs a1, 0x7c0, s6
	csrrsi ra, 0x7c0, 20
	csrrc a6, 0x800, s11
	csrrci t1, 0x800, 27
	csrrw s5, 0xfff, zero
	csrrwi a1, 0xfff, 2
	csrrs s10, 1, t0
	csrrsi a6, 1, 9
	csrrc t6, 0x5c0, a0
	csrrci s5, 0x5c0, 16
	csrrs a0, cycle, zero
	csrrw zero, cycle, a1
	csrrs zero, cycle, a1
	csrrc zero, cycle, a1
	csrrw a0, cycle, a1
	csrrwi zero, cycle, 3
	csrrsi zero, cycle, 3
	csrrci zero, cycle, 3
	csrrwi a0, cycle, 3
	csrrs a0, time, zero
	csrrw zero, time, a1
	csrrs zero, time, a1
	csrrc zero, time, a1
	csrrw a0, time, a1
	csrrwi zero, time, 3
	csrrsi zero, time, 3
	csrrci zero, time, 3
	csrrwi a0, time, 3
	csrrs a0, instret, zero
	csrrw zero, instret, a1
	csrrs zero, instret, a1
	csrrc zero, instret, a1
	csrrw a0, instret, a1
	csrrwi zero, instret, 3
	csrrsi zero, instret, 3
	csrrci zero, instret, 3
	csrrwi a0, instret, 3
	csrrs a0, fflags, zero
	csrrw zero, fflags, a1
	csrrs zero, fflags, a1
	csrrc zero, fflags, a1
	csrrw a0, fflags, a1
	csrrwi zero, fflags, 3
	csrrsi zero, fflags, 3
	csrrci zero, fflags, 3
	csrrwi a0, fflags, 3
	csrrs a0, frm, zero
	csrrw zero, frm, a1
	csrrs zero, frm, a1
	csrrc zero, frm, a1
	csrrw a0, frm, a1
	csrrwi zero, frm, 3
	csrrsi zero, frm, 3
	csrrci zero, frm, 3
	csrrwi a0, frm, 3
	csrrs a0, fcsr, zero
	csrrw zero, fcsr, a1
	csrrs zero, fcsr, a1
	csrrc zero, fcsr, a1
	csrrw a0, fcsr, a1
	csrrwi zero, fcsr, 3
	csrrsi zero, fcsr, 3
	csrrci zero, fcsr, 3
	csrrwi a0, fcsr, 3
	csrrs a0, mstatus, zero
	csrrw zero, mstatus, a1
	csrrs zero, mstatus, a1
	csrrc zero, mstatus, a1
	csrrw a0, mstatus, a1
	csrrwi zero, mstatus, 3
	csrrsi zero, mstatus, 3
	csrrci zero, mstatus, 3
	csrrwi a0, mstatus, 3
	csrrs zero, mstatus, zero

# Privileged
	sret
	mret
	wfi
	sfence.vma zero, zero
	sfence.vma a0, zero
	sfence.vma zero, a1
	sfence.vma t6, s11

# F
	flw ft4, 0(s1)
	fsw fa5, 0(s4)
	flw fa4, -2048(s3)
	fsw fs9, -2048(t5)
	flw fs8, 2047(t4)
	fsw ft3, 2047(s0)
	flw ft2, 8(t2)
	fsw fa3, 8(s2)
	fmadd.s fa2, fs7, ft2, fa3, rne
	fmadd.s fa7, ft8, ft7, fs2, rtz
	fmadd.s fs6, ft1, fa2, fs7, rdn
	fmadd.s fs11, ft6, fa7, ft8, rup
	fmadd.s ft0, fa1, fs6, ft1, rmm
	fmadd.s ft5, fa6, fs11, ft6, dyn
	fmadd.s fa0, fs5, ft0, fa1
	fmsub.s fa5, fs10, ft5, fa6, rne
	fmsub.s fs4, ft11, fa0, fs5, rtz
	fmsub.s fs9, ft4, fa5, fs10, rdn
	fmsub.s ft10, fs1, fs4, ft11, rup
	fmsub.s ft3, fa4, fs9, ft4, rmm
	fmsub.s fs0, fs3, ft10, fs1, dyn
	fmsub.s fa3, fs8, ft3, fa4
	fnmsub.s fs2, ft9, fs0, fs3, rne
	fnmsub.s fs7, ft2, fa3, fs8, rtz
	fnmsub.s ft8, ft7, fs2, ft9, rdn
	fnmsub.s ft1, fa2, fs7, ft2, rup
	fnmsub.s ft6, fa7, ft8, ft7, rmm
	fnmsub.s fa1, fs6, ft1, fa2, dyn
	fnmsub.s fa6, fs11, ft6, fa7
	fnmadd.s fs5, ft0, fa1, fs6, rne
	fnmadd.s fs10, ft5, fa6, fs11, rtz
	fnmadd.s ft11, fa0, fs5, ft0, rdn
	fnmadd.s ft4, fa5, fs10, ft5, rup
	fnmadd.s fs1, fs4, ft11, fa0, rmm
	fnmadd.s fa4, fs9, ft4, fa5, dyn
	fnmadd.s fs3, ft10, fs1, fs4
	fadd.s fs8, ft3, fa4, rne
	fadd.s ft9, fs0, fs3, rtz
	fadd.s ft2, fa3, fs8, rdn
	fadd.s ft7, fs2, ft9, rup
	fadd.s fa2, fs7, ft2, rmm
	fadd.s fa7, ft8, ft7, dyn
	fadd.s fs6, ft1, fa2
	fsub.s fs11, ft6, fa7, rne
	fsub.s ft0, fa1, fs6, rtz
	fsub.s ft5, fa6, fs11, rdn
	fsub.s fa0, fs5, ft0, rup
	fsub.s fa5, fs10, ft5, rmm
	fsub.s fs4, ft11, fa0, dyn
	fsub.s fs9, ft4, fa5
	fmul.s ft10, fs1, fs4, rne
	fmul.s ft3, fa4, fs9, rtz
	fmul.s fs0, fs3, ft10, rdn
	fmul.s fa3, fs8, ft3, rup
	fmul.s fs2, ft9, fs0, rmm
	fmul.s fs7, ft2, fa3, dyn
	fmul.s ft8, ft7, fs2
	fdiv.s ft1, fa2, fs7, rne
	fdiv.s ft6, fa7, ft8, rtz
	fdiv.s fa1, fs6, ft1, rdn
	fdiv.s fa6, fs11, ft6, rup
	fdiv.s fs5, ft0, fa1, rmm
	fdiv.s fs10, ft5, fa6, dyn
	fdiv.s ft11, fa0, fs5
	fsqrt.s ft4, fa5, rne
	fsqrt.s fs1, fs4, rtz
	fsqrt.s fa4, fs9, rdn
	fsqrt.s fs3, ft10, rup
	fsqrt.s fs8, ft3, rmm
	fsqrt.s ft9, fs0, dyn
	fsgnj.s ft2, fa3, fs8
	fsgnj.s ft7, fs2, ft9
	fsgnj.s fa0, fa1, fa1
	fsgnjn.s fa2, fs7, ft2
	fsgnjn.s fa7, ft8, ft7
	fsgnjn.s fa0, fa1, fa1
	fsgnjx.s fs6, ft1, fa2
	fsgnjx.s fs11, ft6, fa7
	fsgnjx.s fa0, fa1, fa1
	fmin.s ft0, fa1, fs6
	fmin.s ft5, fa6, fs11
	fmin.s fa0, fa1, fa1
	fmax.s fa0, fs5, ft0
	fmax.s fa5, fs10, ft5
	fmax.s fa0, fa1, fa1
	feq.s s9, ft11, fa0
	feq.s gp, fs1, fs4
	flt.s a3, fs3, ft10
	flt.s s7, ft9, fs0
	fle.s ra, ft7, fs2
	fle.s a1, fa7, ft8
	fcvt.w.s s5, fs11, rne
	fcvt.s.w fa6, zero, rne
	fcvt.w.s t6, ft5, rtz
	fcvt.s.w fs10, a0, rtz
	fcvt.w.s s1, fa5, rdn
	fcvt.s.w ft4, s4, rdn
	fcvt.w.s s3, fs9, rup
	fcvt.s.w fa4, t5, rup
	fcvt.w.s t4, ft3, rmm
	fcvt.s.w fs8, s0, rmm
	fcvt.w.s t2, fa3, dyn
	fcvt.s.w ft2, s2, dyn
	fcvt.wu.s a7, fs7, rne
	fcvt.s.wu fa2, t3, rne
	fcvt.wu.s s11, ft1, rtz
	fcvt.s.wu fs6, t1, rtz
	fcvt.wu.s t0, fa1, rdn
	fcvt.s.wu ft0, a6, rdn
	fcvt.wu.s a5, fs5, rup
	fcvt.s.wu fa0, s10, rup
	fcvt.wu.s s9, ft11, rmm
	fcvt.s.wu fs4, tp, rmm
	fcvt.wu.s gp, fs1, dyn
	fcvt.s.wu ft10, a4, dyn
	fcvt.l.s a3, fs3, rne
	fcvt.s.l fs0, s8, rne
	fcvt.l.s s7, ft9, rtz
	fcvt.s.l fs2, sp, rtz
	fcvt.l.s ra, ft7, rdn
	fcvt.s.l ft8, a2, rdn
	fcvt.l.s a1, fa7, rup
	fcvt.s.l ft6, s6, rup
	fcvt.l.s s5, fs11, rmm
	fcvt.s.l fa6, zero, rmm
	fcvt.l.s t6, ft5, dyn
	fcvt.s.l fs10, a0, dyn
	fcvt.lu.s s1, fa5, rne
	fcvt.s.lu ft4, s4, rne
	fcvt.lu.s s3, fs9, rtz
	fcvt.s.lu fa4, t5, rtz
	fcvt.lu.s t4, ft3, rdn
	fcvt.s.lu fs8, s0, rdn
	fcvt.lu.s t2, fa3, rup
	fcvt.s.lu ft2, s2, rup
	fcvt.lu.s a7, fs7, rmm
	fcvt.s.lu fa2, t3, rmm
	fcvt.lu.s s11, ft1, dyn
	fcvt.s.lu fs6, t1, dyn
	fmv.x.w t0, fa1
	fmv.w.x ft0, a6
	fclass.s s11, fs6
	fmv.x.w a5, fs5
	fmv.w.x fa0, s10
	fclass.s t0, ft0

# D
	fld fs4, 0(s9)
	fsd ft11, 0(tp)
	fld ft10, -2048(gp)
	fsd fs1, -2048(a4)
	fld fs0, 2047(a3)
	fsd fs3, 2047(s8)
	fld fs2, 8(s7)
	fsd ft9, 8(sp)
	fmadd.d ft8, ft7, fs2, ft9, rne
	fmadd.d ft1, fa2, fs7, ft2, rtz
	fmadd.d ft6, fa7, ft8, ft7, rdn
	fmadd.d fa1, fs6, ft1, fa2, rup
	fmadd.d fa6, fs11, ft6, fa7, rmm
	fmadd.d fs5, ft0, fa1, fs6, dyn
	fmadd.d fs10, ft5, fa6, fs11
	fmsub.d ft11, fa0, fs5, ft0, rne
	fmsub.d ft4, fa5, fs10, ft5, rtz
	fmsub.d fs1, fs4, ft11, fa0, rdn
	fmsub.d fa4, fs9, ft4, fa5, rup
	fmsub.d fs3, ft10, fs1, fs4, rmm
	fmsub.d fs8, ft3, fa4, fs9, dyn
	fmsub.d ft9, fs0, fs3, ft10
	fnmsub.d ft2, fa3, fs8, ft3, rne
	fnmsub.d ft7, fs2, ft9, fs0, rtz
	fnmsub.d fa2, fs7, ft2, fa3, rdn
	fnmsub.d fa7, ft8, ft7, fs2, rup
	fnmsub.d fs6, ft1, fa2, fs7, rmm
	fnmsub.d fs11, ft6, fa7, ft8, dyn
	fnmsub.d ft0, fa1, fs6, ft1
	fnmadd.d ft5, fa6, fs11, ft6, rne
	fnmadd.d fa0, fs5, ft0, fa1, rtz
	fnmadd.d fa5, fs10, ft5, fa6, rdn
	fnmadd.d fs4, ft11, fa0, fs5, rup
	fnmadd.d fs9, ft4, fa5, fs10, rmm
	fnmadd.d ft10, fs1, fs4, ft11, dyn
	fnmadd.d ft3, fa4, fs9, ft4
	fadd.d fs0, fs3, ft10, rne
	fadd.d fa3, fs8, ft3, rtz
	fadd.d fs2, ft9, fs0, rdn
	fadd.d fs7, ft2, fa3, rup
	fadd.d ft8, ft7, fs2, rmm
	fadd.d ft1, fa2, fs7, dyn
	fadd.d ft6, fa7, ft8
	fsub.d fa1, fs6, ft1, rne
	fsub.d fa6, fs11, ft6, rtz
	fsub.d fs5, ft0, fa1, rdn
	fsub.d fs10, ft5, fa6, rup
	fsub.d ft11, fa0, fs5, rmm
	fsub.d ft4, fa5, fs10, dyn
	fsub.d fs1, fs4, ft11
	fmul.d fa4, fs9, ft4, rne
	fmul.d fs3, ft10, fs1, rtz
	fmul.d fs8, ft3, fa4, rdn
	fmul.d ft9, fs0, fs3, rup
	fmul.d ft2, fa3, fs8, rmm
	fmul.d ft7, fs2, ft9, dyn
	fmul.d fa2, fs7, ft2
	fdiv.d fa7, ft8, ft7, rne
	fdiv.d fs6, ft1, fa2, rtz
	fdiv.d fs11, ft6, fa7, rdn
	fdiv.d ft0, fa1, fs6, rup
	fdiv.d ft5, fa6, fs11, rmm
	fdiv.d fa0, fs5, ft0, dyn
	fdiv.d fa5, fs10, ft5
	fsqrt.d fs4, ft11, rne
	fsqrt.d fs9, ft4, rtz
	fsqrt.d ft10, fs1, rdn
	fsqrt.d ft3, fa4, rup
	fsqrt.d fs0, fs3, rmm
	fsqrt.d fa3, fs8, dyn
	fsgnj.d fs2, ft9, fs0
	fsgnj.d fs7, ft2, fa3
	fsgnj.d fa0, fa1, fa1
	fsgnjn.d ft8, ft7, fs2
	fsgnjn.d ft1, fa2, fs7
	fsgnjn.d fa0, fa1, fa1
	fsgnjx.d ft6, fa7, ft8
	fsgnjx.d fa1, fs6, ft1
	fsgnjx.d fa0, fa1, fa1
	fmin.d fa6, fs11, ft6
	fmin.d fs5, ft0, fa1
	fmin.d fa0, fa1, fa1
	fmax.d fs10, ft5, fa6
	fmax.d ft11, fa0, fs5
	fmax.d fa0, fa1, fa1
	feq.d s1, fa5, fs10
	feq.d s3, fs9, ft4
	flt.d t4, ft3, fa4
	flt.d t2, fa3, fs8
	fle.d a7, fs7, ft2
	fle.d s11, ft1, fa2
	fcvt.w.d t0, fa1, rne
	fcvt.d.w ft0, a6
	fcvt.w.d a5, fs5, rtz
	fcvt.d.w fa0, s10
	fcvt.w.d s9, ft11, rdn
	fcvt.d.w fs4, tp
	fcvt.w.d gp, fs1, rup
	fcvt.d.w ft10, a4
	fcvt.w.d a3, fs3, rmm
	fcvt.d.w fs0, s8
	fcvt.w.d s7, ft9, dyn
	fcvt.d.w fs2, sp
	fcvt.wu.d ra, ft7, rne
	fcvt.d.wu ft8, a2
	fcvt.wu.d a1, fa7, rtz
	fcvt.d.wu ft6, s6
	fcvt.wu.d s5, fs11, rdn
	fcvt.d.wu fa6, zero
	fcvt.wu.d t6, ft5, rup
	fcvt.d.wu fs10, a0
	fcvt.wu.d s1, fa5, rmm
	fcvt.d.wu ft4, s4
	fcvt.wu.d s3, fs9, dyn
	fcvt.d.wu fa4, t5
	fcvt.l.d t4, ft3, rne
	fcvt.d.l fs8, s0, rne
	fcvt.l.d t2, fa3, rtz
	fcvt.d.l ft2, s2, rtz
	fcvt.l.d a7, fs7, rdn
	fcvt.d.l fa2, t3, rdn
	fcvt.l.d s11, ft1, rup
	fcvt.d.l fs6, t1, rup
	fcvt.l.d t0, fa1, rmm
	fcvt.d.l ft0, a6, rmm
	fcvt.l.d a5, fs5, dyn
	fcvt.d.l fa0, s10, dyn
	fcvt.lu.d s9, ft11, rne
	fcvt.d.lu fs4, tp, rne
	fcvt.lu.d gp, fs1, rtz
	fcvt.d.lu ft10, a4, rtz
	fcvt.lu.d a3, fs3, rdn
	fcvt.d.lu fs0, s8, rdn
	fcvt.lu.d s7, ft9, rup
	fcvt.d.lu fs2, sp, rup
	fcvt.lu.d ra, ft7, rmm
	fcvt.d.lu ft8, a2, rmm
	fcvt.lu.d a1, fa7, dyn
	fcvt.d.lu ft6, s6, dyn
	fmv.x.d s5, fs11
	fmv.d.x fa6, zero
	fclass.d a1, ft6
	fmv.x.d t6, ft5
	fmv.d.x fs10, a0
	fclass.d s5, fa6
	fcvt.s.d ft4, fa5, rne
	fcvt.s.d fs1, fs4, rtz
	fcvt.s.d fa4, fs9, rdn
	fcvt.s.d fs3, ft10, rup
	fcvt.s.d fs8, ft3, rmm
	fcvt.s.d ft9, fs0, dyn
	fcvt.d.s ft2, fa3
	fcvt.d.s ft0, ft1
	fcvt.d.w fa0, zero
	fcvt.d.wu fa0, a0

# Corner cases of the alias printer (llvm-objdump without -M no-aliases)
	csrrs zero, cycle, zero
	csrrs zero, fflags, zero
	csrrs zero, fcsr, zero
	csrrw zero, fflags, zero
	csrrwi zero, frm, 0
	beq zero, zero, 0
	bne zero, zero, 0
	bge zero, zero, 0
	blt zero, zero, 0
	bltu zero, a0, 0
	bgeu a0, zero, 0
	jalr zero, 4(a1)
	jalr ra, 4(a1)
	jalr zero, 0(zero)
	jalr ra, 0(ra)
	jalr zero, 0(ra)
	jalr a0, 0(ra)
	addi zero, a0, 0
	addi zero, zero, 5
	addi a0, zero, 0
	addi a0, a0, 0
	addiw a0, zero, 0
	xori zero, zero, -1
	sub zero, zero, zero
	sltiu a0, zero, 1
	sltu a0, zero, zero
	slt a0, zero, zero
	jal zero, 0
	jal ra, 0
	jal a0, 0
	sfence.vma zero, a0
	fsgnj.s fa0, fa0, fa0
	fence rw, rw
	fence.tso
	fcvt.d.s fa0, fa1
	fcvt.d.w fa0, a1
	fcvt.d.wu fa0, a1
	unimp
	sltiu a0, a1, 2
