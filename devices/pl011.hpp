// The Arm PrimeCell PL011 UART (r1p5) as on QEMU's aarch64 virt board
// (0x09000000, SPI 1 = INTID 33): the console of aarch64 full-system
// machines. Transmission is instantaneous; received bytes come from
// whoever calls push_rx() (the machine feeds stdin). One combined
// interrupt line (UARTINTR), as QEMU virt wires it.
#pragma once
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <iosfwd>

#include "devices/device.hpp"

namespace hvemu::dev {

class Pl011 final : public Device {
public:
    static constexpr uint64_t kSize = 0x1000;
    static constexpr unsigned kFifoDepth = 32;

    // Register offsets
    static constexpr uint64_t DR = 0x000, RSR = 0x004, ECR = 0x004, FR = 0x018, ILPR = 0x020;
    static constexpr uint64_t IBRD = 0x024, FBRD = 0x028, LCR_H = 0x02C, CR = 0x030, IFLS = 0x034;
    static constexpr uint64_t IMSC = 0x038, RIS = 0x03C, MIS = 0x040, ICR = 0x044, DMACR = 0x048;
    static constexpr uint64_t PeriphID0 = 0xFE0, CellID3 = 0xFFC;
    // UARTDR / UARTRSR error bits (DR carries them in bits 11:8)
    static constexpr uint32_t RSR_FE = 1, RSR_PE = 2, RSR_BE = 4, RSR_OE = 8;
    // UARTFR
    static constexpr uint32_t FR_CTS = 0x01, FR_DSR = 0x02, FR_DCD = 0x04, FR_BUSY = 0x08;
    static constexpr uint32_t FR_RXFE = 0x10, FR_TXFF = 0x20, FR_RXFF = 0x40, FR_TXFE = 0x80, FR_RI = 0x100;
    // UARTLCR_H
    static constexpr uint32_t LCR_H_BRK = 0x01, LCR_H_FEN = 0x10;
    // UARTCR
    static constexpr uint32_t CR_UARTEN = 0x001, CR_LBE = 0x080, CR_TXE = 0x100, CR_RXE = 0x200;
    // Interrupt bits of UARTIMSC / RIS / MIS / ICR
    static constexpr uint32_t INT_RI = 1u << 0, INT_CTS = 1u << 1, INT_DCD = 1u << 2, INT_DSR = 1u << 3;
    static constexpr uint32_t INT_RX = 1u << 4, INT_TX = 1u << 5, INT_RT = 1u << 6, INT_FE = 1u << 7;
    static constexpr uint32_t INT_PE = 1u << 8, INT_BE = 1u << 9, INT_OE = 1u << 10;
    static constexpr uint32_t INT_ALL = 0x7FF;

    using TxSink = std::function<void(uint8_t)>;
    static TxSink to_file(std::FILE* f);
    static TxSink to_stream(std::ostream& os);

    explicit Pl011(TxSink tx = {});

    void set_tx(TxSink tx) { tx_ = std::move(tx); }
    IrqLine& irq() { return irq_; }

    // A byte arrives on the wire. With the receiver full it is lost and an
    // overrun is recorded (RSR.OE, RIS.OE, DR.OE on the next character).
    // Ignored in loopback mode, where the receiver hears the transmitter.
    void push_rx(uint8_t byte);
    // How many bytes the receiver can take now without an overrun.
    unsigned rx_space() const;
    unsigned rx_count() const { return static_cast<unsigned>(rx_.size()); }

    // Device
    std::string_view name() const override { return "pl011"; }
    uint64_t size() const override { return kSize; }
    void reset() override;
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    unsigned rx_capacity() const { return (lcr_h_ & LCR_H_FEN) ? kFifoDepth : 1; }
    void receive(uint16_t entry);
    uint32_t read_dr();
    uint32_t flags() const;
    void update_irq() { irq_.set((ris_ & imsc_) != 0); }

    TxSink tx_;
    IrqLine irq_;
    std::deque<uint16_t> rx_;   // data in bits 7:0, its error bits in 11:8
    bool overrun_ = false;      // the next received character carries DR.OE
    uint32_t rsr_ = 0, ilpr_ = 0, ibrd_ = 0, fbrd_ = 0, lcr_h_ = 0, cr_ = 0, ifls_ = 0;
    uint32_t imsc_ = 0, ris_ = 0, dmacr_ = 0;
};

} // namespace hvemu::dev
