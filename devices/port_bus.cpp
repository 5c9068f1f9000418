// Port dispatch: one call when the access fits a device's range and
// width, byte pieces otherwise.
#include "devices/port_bus.hpp"

#include <algorithm>
#include <stdexcept>

namespace hvemu::dev {

void PortBus::map(uint16_t base, uint32_t size, isa::MmioTarget* dev, std::string name, unsigned max_width) {
    if (size == 0 || uint32_t{base} + size > 0x10000 || !dev || max_width == 0 || max_width > 4)
        throw std::invalid_argument("PortBus::map: bad range for " + name);
    for (const Range& r : ranges_)
        if (base < r.base + r.size && r.base < base + size)
            throw std::invalid_argument("PortBus::map: " + name + " overlaps " + r.name);
    ranges_.push_back({base, size, dev, max_width, std::move(name)});
    std::sort(ranges_.begin(), ranges_.end(), [](const Range& a, const Range& b) { return a.base < b.base; });
}

const PortBus::Range* PortBus::find(uint16_t port) const {
    for (const Range& r : ranges_)
        if (port >= r.base && port < r.base + r.size) return &r;
    return nullptr;
}

bool PortBus::io_read(uint16_t port, unsigned width, uint32_t& value) {
    if (width != 1 && width != 2 && width != 4) width = 1;
    const Range* dev = nullptr;
    const bool ok = read_pieces(port, width, value, dev);
    if (observer) observer->on_port(port, width, value, false, ok, dev ? dev->name : std::string());
    return ok;
}

bool PortBus::io_write(uint16_t port, unsigned width, uint32_t value) {
    if (width != 1 && width != 2 && width != 4) width = 1;
    const Range* dev = nullptr;
    const bool ok = write_pieces(port, width, value, dev);
    if (observer) observer->on_port(port, width, value, true, ok, dev ? dev->name : std::string());
    return ok;
}

bool PortBus::read_pieces(uint16_t port, unsigned width, uint32_t& value, const Range*& first) {
    const Range* r = find(port);
    if (r && width <= r->max_width && uint32_t{port} + width <= uint32_t{r->base} + r->size) {
        first = r;
        uint64_t v = 0;
        if (!r->dev->mmio_read(port - r->base, width, v)) v = ~uint64_t{0};
        value = width == 4 ? static_cast<uint32_t>(v) : static_cast<uint32_t>(v & ((1u << (8 * width)) - 1));
        return true;
    }
    // Byte pieces (ports wrap at 0xffff as the address bus does).
    bool any = false;
    value = 0;
    for (unsigned i = 0; i < width; i++) {
        const uint16_t p = static_cast<uint16_t>(port + i);
        uint64_t b = 0xFF;
        if (const Range* q = find(p)) {
            if (!any) first = q;
            any = true;
            if (!q->dev->mmio_read(p - q->base, 1, b)) b = 0xFF;
        }
        value |= static_cast<uint32_t>(b & 0xFF) << (8 * i);
    }
    if (!any) unknown_reads_++;
    return any;
}

bool PortBus::write_pieces(uint16_t port, unsigned width, uint32_t value, const Range*& first) {
    const Range* r = find(port);
    if (r && width <= r->max_width && uint32_t{port} + width <= uint32_t{r->base} + r->size) {
        first = r;
        r->dev->mmio_write(port - r->base, width, value);
        return true;
    }
    bool any = false;
    for (unsigned i = 0; i < width; i++) {
        const uint16_t p = static_cast<uint16_t>(port + i);
        if (const Range* q = find(p)) {
            if (!any) first = q;
            any = true;
            q->dev->mmio_write(p - q->base, 1, (value >> (8 * i)) & 0xFF);
        }
    }
    if (!any) unknown_writes_++;
    return any;
}

} // namespace hvemu::dev
