// 16550A register semantics, following the National/TI data sheet with
// QEMU's choices where the data sheet leaves room (instant transmission,
// modem inputs CTS/DSR/DCD asserted, registers aliased every 8 bytes).
#include "devices/uart16550.hpp"

#include <ostream>

namespace hvemu::dev {

namespace {
// Modem inputs of an unconnected line as QEMU reports them.
constexpr uint8_t kIdleModemInputs = Uart16550::MSR_CTS | Uart16550::MSR_DSR | Uart16550::MSR_DCD;
} // namespace

Uart16550::TxSink Uart16550::to_file(std::FILE* f) {
    return [f](uint8_t b) { std::fputc(b, f); };
}

Uart16550::TxSink Uart16550::to_stream(std::ostream& os) {
    return [&os](uint8_t b) { os.put(static_cast<char>(b)); };
}

Uart16550::Uart16550(TxSink tx) : tx_(std::move(tx)) { reset(); }

void Uart16550::reset() {
    rx_.clear();
    ier_ = fcr_ = lcr_ = mcr_ = lsr_errors_ = scr_ = 0;
    dll_ = dlm_ = 0;
    msr_ = kIdleModemInputs;
    thr_ipending_ = false;
    update_irq();
}

unsigned Uart16550::rx_trigger() const {
    static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
    return (fcr_ & FCR_FIFOE) ? kLevels[fcr_ >> 6] : 1;
}

unsigned Uart16550::rx_space() const {
    const unsigned cap = rx_capacity();
    return rx_.size() >= cap ? 0 : cap - static_cast<unsigned>(rx_.size());
}

void Uart16550::push_rx(uint8_t byte) {
    if (rx_.size() >= rx_capacity()) {
        lsr_errors_ |= LSR_OE;
    } else {
        rx_.push_back(byte);
    }
    update_irq();
}

uint8_t Uart16550::compute_iir() const {
    // Priority order of the data sheet: line status, received data,
    // transmitter empty, modem status.
    uint8_t id = IIR_NONE;
    if ((ier_ & IER_ELSI) && (lsr_errors_ & LSR_ERRORS)) {
        id = IIR_RLS;
    } else if ((ier_ & IER_ERBFI) && !rx_.empty()) {
        // Below the trigger level the real part reports a character
        // timeout after four character times; we report it at once.
        id = rx_.size() >= rx_trigger() ? IIR_RDA : IIR_TIMEOUT;
    } else if ((ier_ & IER_ETBEI) && thr_ipending_) {
        id = IIR_THRE;
    } else if ((ier_ & IER_EDSSI) && (msr_ & 0x0F)) {
        id = IIR_MSR;
    }
    if (fcr_ & FCR_FIFOE) id |= IIR_FIFO;
    return id;
}

void Uart16550::update_irq() { irq_.set((compute_iir() & IIR_NONE) == 0); }

void Uart16550::set_msr_inputs(uint8_t inputs) {
    const uint8_t old = msr_ & 0xF0;
    uint8_t delta = 0;
    if ((old ^ inputs) & MSR_CTS) delta |= MSR_DCTS;
    if ((old ^ inputs) & MSR_DSR) delta |= MSR_DDSR;
    if ((old & MSR_RI) && !(inputs & MSR_RI)) delta |= MSR_TERI;   // trailing edge only
    if ((old ^ inputs) & MSR_DCD) delta |= MSR_DDCD;
    msr_ = static_cast<uint8_t>(inputs | (msr_ & 0x0F) | delta);
}

bool Uart16550::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    uint8_t v = 0;
    const bool dlab = lcr_ & LCR_DLAB;
    switch (offset & 7) {
    case RBR:
        if (dlab) {
            v = dll_;
        } else if (!rx_.empty()) {
            v = rx_.front();
            rx_.pop_front();
        }
        break;
    case IER: v = dlab ? dlm_ : ier_; break;
    case IIR:
        v = compute_iir();
        // Reading IIR acknowledges a transmitter-empty interrupt.
        if ((v & 0x0F) == IIR_THRE) thr_ipending_ = false;
        break;
    case LCR: v = lcr_; break;
    case MCR: v = mcr_; break;
    case LSR:
        v = static_cast<uint8_t>(LSR_THRE | LSR_TEMT | lsr_errors_ | (rx_.empty() ? 0 : LSR_DR));
        lsr_errors_ = 0;   // error bits clear on read
        break;
    case MSR:
        v = msr_;
        msr_ &= 0xF0;      // delta bits clear on read
        break;
    case SCR: v = scr_; break;
    }
    value = v;
    update_irq();
    return true;
}

bool Uart16550::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    const uint8_t v = static_cast<uint8_t>(value);
    const bool dlab = lcr_ & LCR_DLAB;
    switch (offset & 7) {
    case THR:
        if (dlab) {
            dll_ = v;
            break;
        }
        if (mcr_ & MCR_LOOP) {
            push_rx(v);
        } else if (tx_) {
            tx_(v);
        }
        // The byte leaves at once, so the holding register is empty again.
        thr_ipending_ = true;
        break;
    case IER:
        if (dlab) {
            dlm_ = v;
            break;
        }
        {
            const uint8_t changed = static_cast<uint8_t>((ier_ ^ v) & 0x0F);
            ier_ = v & 0x0F;
            // Enabling the THRE interrupt while the transmitter is empty
            // raises it at once (drivers rely on this to start output).
            if (changed & IER_ETBEI) thr_ipending_ = (ier_ & IER_ETBEI) != 0;
        }
        break;
    case FCR:
        if ((v ^ fcr_) & FCR_FIFOE) rx_.clear();   // switching FIFO mode empties them
        if ((v & FCR_FIFOE) && (v & FCR_RXCLR)) rx_.clear();
        fcr_ = (v & FCR_FIFOE) ? static_cast<uint8_t>(v & 0xC9) : 0;
        break;
    case LCR: lcr_ = v; break;
    case MCR: {
        mcr_ = v & 0x1F;
        uint8_t inputs = kIdleModemInputs;
        if (mcr_ & MCR_LOOP) {
            // Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
            inputs = static_cast<uint8_t>(((mcr_ & 1) ? MSR_DSR : 0) | ((mcr_ & 2) ? MSR_CTS : 0) |
                                          ((mcr_ & 4) ? MSR_RI : 0) | ((mcr_ & 8) ? MSR_DCD : 0));
        }
        set_msr_inputs(inputs);
        break;
    }
    case LSR: break;   // read-only (factory test register on some parts)
    case MSR: break;   // read-only
    case SCR: scr_ = v; break;
    }
    update_irq();
    return true;
}

} // namespace hvemu::dev
