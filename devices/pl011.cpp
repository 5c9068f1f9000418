// PL011 register semantics, following the PL011 TRM with QEMU's choices
// where the model has no notion of time: characters leave at once (TXFE
// always set, BUSY never), every write to UARTDR raises the transmit
// interrupt, and the receive interrupt asserts from the first character
// in the receiver (QEMU's trigger level of 1, standing in for the
// receive-timeout interrupt a real part would raise). As on QEMU, UARTCR's
// enable bits do not gate transmission, so programs that write UARTDR
// straight out of reset still print.
#include "devices/pl011.hpp"

#include <ostream>

namespace hvemu::dev {

namespace {
// PeriphID0-3 and CellID0-3 of an Arm PL011 r1p5.
constexpr uint8_t kIdRegs[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
constexpr uint32_t kRxTrigger = 1;
constexpr uint32_t kCrReset = Pl011::CR_TXE | Pl011::CR_RXE;
constexpr uint32_t kIflsReset = 0x12;   // both FIFOs at 1/2
} // namespace

Pl011::TxSink Pl011::to_file(std::FILE* f) {
    return [f](uint8_t b) { std::fputc(b, f); };
}

Pl011::TxSink Pl011::to_stream(std::ostream& os) {
    return [&os](uint8_t b) { os.put(static_cast<char>(b)); };
}

Pl011::Pl011(TxSink tx) : tx_(std::move(tx)) { reset(); }

void Pl011::reset() {
    rx_.clear();
    overrun_ = false;
    rsr_ = ilpr_ = ibrd_ = fbrd_ = lcr_h_ = imsc_ = ris_ = dmacr_ = 0;
    cr_ = kCrReset;
    ifls_ = kIflsReset;
    update_irq();
}

unsigned Pl011::rx_space() const {
    const unsigned cap = rx_capacity();
    return rx_.size() >= cap ? 0 : cap - static_cast<unsigned>(rx_.size());
}

void Pl011::receive(uint16_t entry) {
    if (rx_.size() >= rx_capacity()) {
        // The character in the shift register is lost; the FIFO keeps its
        // contents and the next character that fits carries the flag.
        overrun_ = true;
        rsr_ |= RSR_OE;
        ris_ |= INT_OE;
    } else {
        if (overrun_) entry |= static_cast<uint16_t>(RSR_OE << 8);
        overrun_ = false;
        rx_.push_back(entry);
        if (rx_.size() >= kRxTrigger) ris_ |= INT_RX;
    }
    update_irq();
}

void Pl011::push_rx(uint8_t byte) {
    if (cr_ & CR_LBE) return;   // the receiver listens to the transmitter
    receive(byte);
}

uint32_t Pl011::read_dr() {
    if (rx_.empty()) return 0;
    const uint16_t entry = rx_.front();
    rx_.pop_front();
    rsr_ = (rsr_ & RSR_OE) | ((entry >> 8) & (RSR_FE | RSR_PE | RSR_BE));
    if (rx_.size() < kRxTrigger) ris_ &= ~INT_RX;
    update_irq();
    return entry;
}

uint32_t Pl011::flags() const {
    uint32_t fr = FR_TXFE;   // the transmitter is always empty and idle
    if (rx_.empty()) fr |= FR_RXFE;
    if (rx_.size() >= rx_capacity()) fr |= FR_RXFF;
    return fr;
}

bool Pl011::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    value = 0;
    if (width != 1 && width != 2 && width != 4 && width != 8) return false;
    // Registers are words; a narrower access at the word's start reads its
    // low bits (drivers use byte and halfword accesses to UARTDR and UARTFR).
    if ((offset & 3) != 0 || width == 8) return true;   // RAZ
    uint32_t v = 0;
    if (offset >= PeriphID0 && offset <= CellID3) {
        v = kIdRegs[(offset - PeriphID0) / 4];
    } else {
        switch (offset) {
        case DR: v = read_dr(); break;
        case RSR: v = rsr_; break;
        case FR: v = flags(); break;
        case ILPR: v = ilpr_; break;
        case IBRD: v = ibrd_; break;
        case FBRD: v = fbrd_; break;
        case LCR_H: v = lcr_h_; break;
        case CR: v = cr_; break;
        case IFLS: v = ifls_; break;
        case IMSC: v = imsc_; break;
        case RIS: v = ris_; break;
        case MIS: v = ris_ & imsc_; break;
        case DMACR: v = dmacr_; break;
        default: break;   // ICR is write-only; reserved offsets RAZ
        }
    }
    value = width == 4 ? v : (v & ((1u << (8 * width)) - 1));
    return true;
}

bool Pl011::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    if (width != 1 && width != 2 && width != 4 && width != 8) return false;
    if ((offset & 3) != 0 || width == 8) return true;   // WI
    const uint32_t v = static_cast<uint32_t>(value);
    switch (offset) {
    case DR: {
        const auto ch = static_cast<uint8_t>(v);
        if (cr_ & CR_LBE) {
            receive(ch);
        } else if (tx_) {
            tx_(ch);
        }
        ris_ |= INT_TX;   // the FIFO drained at once, below any trigger level
        break;
    }
    case ECR: rsr_ = 0; break;
    case ILPR: ilpr_ = v & 0xFF; break;
    case IBRD: ibrd_ = v & 0xFFFF; break;
    case FBRD: fbrd_ = v & 0x3F; break;
    case LCR_H:
        // Switching the FIFOs on or off empties them.
        if ((lcr_h_ ^ v) & LCR_H_FEN) {
            rx_.clear();
            overrun_ = false;
            ris_ &= ~INT_RX;
        }
        lcr_h_ = v & 0xFF;
        break;
    case CR: cr_ = v & 0xFF87; break;
    case IFLS: ifls_ = v & 0x3F; break;
    case IMSC: imsc_ = v & INT_ALL; break;
    case ICR: ris_ &= ~(v & INT_ALL); break;
    case DMACR: dmacr_ = v & 0x7; break;
    default: break;   // FR, RIS, MIS and the ID registers are read-only
    }
    update_irq();
    return true;
}

} // namespace hvemu::dev
