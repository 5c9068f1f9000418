// A 16550A UART as on QEMU's virt board (registers one byte apart): the
// console of full-system machines. Transmission is instantaneous; received
// bytes come from whoever calls push_rx() (the machine feeds stdin).
#pragma once
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <iosfwd>

#include "devices/device.hpp"

namespace hvemu::dev {

class Uart16550 final : public Device {
public:
    static constexpr uint64_t kSize = 0x100;
    static constexpr unsigned kFifoDepth = 16;

    // Register offsets (DLAB selects DLL/DLM at 0/1).
    static constexpr unsigned RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1;
    static constexpr unsigned IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    // IER bits
    static constexpr uint8_t IER_ERBFI = 1, IER_ETBEI = 2, IER_ELSI = 4, IER_EDSSI = 8;
    // IIR values (bit 0 set: nothing pending; bits 7:6 set: FIFOs on)
    static constexpr uint8_t IIR_NONE = 0x01, IIR_MSR = 0x00, IIR_THRE = 0x02, IIR_RDA = 0x04;
    static constexpr uint8_t IIR_RLS = 0x06, IIR_TIMEOUT = 0x0C, IIR_FIFO = 0xC0;
    // FCR bits
    static constexpr uint8_t FCR_FIFOE = 1, FCR_RXCLR = 2, FCR_TXCLR = 4;
    // LCR / MCR bits
    static constexpr uint8_t LCR_DLAB = 0x80, MCR_LOOP = 0x10;
    // LSR bits
    static constexpr uint8_t LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08;
    static constexpr uint8_t LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static constexpr uint8_t LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;
    // MSR bits
    static constexpr uint8_t MSR_DCTS = 1, MSR_DDSR = 2, MSR_TERI = 4, MSR_DDCD = 8;
    static constexpr uint8_t MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;

    using TxSink = std::function<void(uint8_t)>;
    static TxSink to_file(std::FILE* f);
    static TxSink to_stream(std::ostream& os);

    explicit Uart16550(TxSink tx = {});

    void set_tx(TxSink tx) { tx_ = std::move(tx); }
    IrqLine& irq() { return irq_; }

    // A byte arrives on the wire. With the receiver full it is lost and
    // LSR.OE is set, as on the real part.
    void push_rx(uint8_t byte);
    // How many bytes the receiver can take now without an overrun.
    unsigned rx_space() const;
    unsigned rx_count() const { return static_cast<unsigned>(rx_.size()); }

    // Device
    std::string_view name() const override { return "uart16550"; }
    uint64_t size() const override { return kSize; }
    void reset() override;
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    uint8_t compute_iir() const;
    void update_irq();
    void set_msr_inputs(uint8_t inputs);   // CTS/DSR/RI/DCD: records deltas
    unsigned rx_capacity() const { return (fcr_ & FCR_FIFOE) ? kFifoDepth : 1; }
    unsigned rx_trigger() const;

    TxSink tx_;
    IrqLine irq_;
    std::deque<uint8_t> rx_;
    uint8_t ier_ = 0, fcr_ = 0, lcr_ = 0, mcr_ = 0, lsr_errors_ = 0, msr_ = 0, scr_ = 0;
    uint8_t dll_ = 0, dlm_ = 0;
    bool thr_ipending_ = false;
};

} // namespace hvemu::dev
