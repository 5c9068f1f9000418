# Every CSR number, 0 to 4095, as csrrs a0, <csr>, zero: the CSR name table
# against llvm-objdump's.
	.text
	.set csr, 0
	.rept 4096
	.word 0x00002573 | (csr << 20)
	.set csr, csr + 1
	.endr
