// RSP framing: the byte-at-a-time decoder and the encoders.
#include "emu/debug/gdb_packet.hpp"

#include <algorithm>

namespace hvemu::emu::debug {

namespace {
// Raw bodies may be longer than decoded ones only through escapes (two
// bytes for one); anything beyond twice the limit cannot be valid.
constexpr size_t kMaxRaw = 2 * PacketDecoder::kMaxPacket;
constexpr char kHex[] = "0123456789abcdef";
} // namespace

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

PacketDecoder::Event PacketDecoder::feed(uint8_t byte) {
    switch (state_) {
    case State::Idle:
        if (byte == '$') {
            state_ = State::Body;
            raw_.clear();
            overflow_ = false;
            sum_ = 0;
            return Event::None;
        }
        if (byte == 0x03) return Event::Interrupt;
        if (byte == '+') return Event::Ack;
        if (byte == '-') return Event::Nack;
        return Event::None;   // noise between packets is ignored, as GDB's own stubs do
    case State::Body:
        if (byte == '#') {
            state_ = State::Sum1;
            return Event::None;
        }
        if (byte == '$') {   // a new packet starts: the old one was truncated
            raw_.clear();
            overflow_ = false;
            sum_ = 0;
            return Event::None;
        }
        sum_ = static_cast<uint8_t>(sum_ + byte);
        if (raw_.size() < kMaxRaw) raw_.push_back(static_cast<char>(byte));
        else overflow_ = true;
        return Event::None;
    case State::Sum1:
        sum_hi_ = hex_digit(static_cast<char>(byte));
        state_ = State::Sum2;
        return Event::None;
    case State::Sum2: {
        state_ = State::Idle;
        const int lo = hex_digit(static_cast<char>(byte));
        if (sum_hi_ < 0 || lo < 0 || overflow_ || ((sum_hi_ << 4) | lo) != sum_) return Event::Bad;
        auto body = decode_body(raw_);
        raw_.clear();
        if (!body) return Event::Bad;
        packet_ = std::move(*body);
        return Event::Packet;
    }
    }
    return Event::None;
}

std::optional<std::string> decode_body(std::string_view raw, size_t max) {
    std::string out;
    out.reserve(std::min(raw.size(), max));
    for (size_t i = 0; i < raw.size(); i++) {
        const char c = raw[i];
        if (c == '}') {
            if (++i >= raw.size()) return std::nullopt;
            out.push_back(static_cast<char>(raw[i] ^ 0x20));
        } else if (c == '*') {
            // "x*n": x repeated n - 29 more times; n is a printable byte.
            if (out.empty() || ++i >= raw.size()) return std::nullopt;
            const int n = static_cast<uint8_t>(raw[i]) - 29;
            if (n < 3 || n > 97) return std::nullopt;
            out.append(static_cast<size_t>(n), out.back());
        } else {
            out.push_back(c);
        }
        if (out.size() > max) return std::nullopt;
    }
    return out;
}

std::string frame_packet(std::string_view payload) {
    std::string out = "$";
    uint8_t sum = 0;
    auto put = [&](char c) {
        out.push_back(c);
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    };
    for (char c : payload) {
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            put('}');
            put(static_cast<char>(c ^ 0x20));
        } else {
            put(c);
        }
    }
    out.push_back('#');
    out.push_back(kHex[sum >> 4]);
    out.push_back(kHex[sum & 15]);
    return out;
}

std::string to_hex(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto b = static_cast<uint8_t>(c);
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

std::optional<uint64_t> parse_hex_u64(std::string_view hex) {
    if (hex.empty() || hex.size() > 16) return std::nullopt;
    uint64_t v = 0;
    for (char c : hex) {
        const int d = hex_digit(c);
        if (d < 0) return std::nullopt;
        v = (v << 4) | static_cast<uint64_t>(d);
    }
    return v;
}

std::string le_hex(uint64_t value, unsigned size) {
    std::string out;
    for (unsigned i = 0; i < size; i++) {
        const auto b = static_cast<uint8_t>(i < 8 ? value >> (8 * i) : 0);
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

std::optional<uint64_t> parse_le_hex(std::string_view hex, unsigned size) {
    if (size > 8 || hex.size() != 2 * size) return std::nullopt;
    auto bytes = from_hex(hex);
    if (!bytes) return std::nullopt;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint64_t{static_cast<uint8_t>((*bytes)[i])} << (8 * i);
    return v;
}

} // namespace hvemu::emu::debug
