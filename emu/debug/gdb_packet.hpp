// The framing of GDB's remote serial protocol: `$payload#cc` packets with
// a modulo-256 checksum, `+`/`-` acknowledgements, Ctrl-C (0x03) as an
// out-of-band interrupt, `}` escapes and `*` run-length encoding. The
// decoder takes any byte stream (hostile or truncated) one byte at a time
// with bounded memory; it never throws and never waits for input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hvemu::emu::debug {

class PacketDecoder {
public:
    // The largest payload accepted (after decoding); announced in qSupported.
    static constexpr size_t kMaxPacket = 16384;

    enum class Event : uint8_t {
        None,        // byte consumed, nothing complete yet
        Packet,      // packet() holds a checked, decoded payload: send '+'
        Bad,         // checksum wrong, malformed escape/run or too long: send '-'
        Interrupt,   // 0x03 outside a packet
        Ack,         // '+'
        Nack,        // '-': resend the last reply
    };

    Event feed(uint8_t byte);
    const std::string& packet() const { return packet_; }

private:
    enum class State : uint8_t { Idle, Body, Sum1, Sum2 };
    State state_ = State::Idle;
    std::string raw_;          // bytes between '$' and '#', capped
    bool overflow_ = false;
    uint8_t sum_ = 0;          // running checksum of raw bytes
    int sum_hi_ = 0;           // first checksum digit
    std::string packet_;
};

// Undo `}` escapes and `*` runs of a raw packet body. nullopt when the body
// is malformed (a dangling `}`, a run with nothing to repeat or a bad
// count) or decodes to more than `max` bytes.
std::optional<std::string> decode_body(std::string_view raw, size_t max = PacketDecoder::kMaxPacket);

// `$payload#cc`, escaping `$`, `#`, `}` and `*` in the payload.
std::string frame_packet(std::string_view payload);

// Hex helpers for payloads.
int hex_digit(char c);                                   // -1 when not hex
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);   // nullopt on odd length or non-hex
std::optional<uint64_t> parse_hex_u64(std::string_view hex); // 1..16 digits
// A little-endian value of `size` bytes as hex (GDB's register format on RISC-V).
std::string le_hex(uint64_t value, unsigned size);
std::optional<uint64_t> parse_le_hex(std::string_view hex, unsigned size);

} // namespace hvemu::emu::debug
