// The RSP framing: checksums, escapes, runs, and 100,000 hostile inputs.
#include <catch2/catch.hpp>

#include <random>

#include "emu/debug/gdb_packet.hpp"

using namespace hvemu::emu::debug;
using Ev = PacketDecoder::Event;

namespace {
std::vector<Ev> feed_all(PacketDecoder& d, std::string_view s) {
    std::vector<Ev> out;
    for (char c : s)
        if (Ev e = d.feed(static_cast<uint8_t>(c)); e != Ev::None) out.push_back(e);
    return out;
}
} // namespace

TEST_CASE("a framed packet decodes to its payload", "[gdb]") {
    PacketDecoder d;
    CHECK(frame_packet("g") == "$g#67");
    CHECK(feed_all(d, "$g#67") == std::vector<Ev>{Ev::Packet});
    CHECK(d.packet() == "g");
    // A payload with every special character survives framing.
    const std::string special = "a$b#c}d*e";
    CHECK(feed_all(d, frame_packet(special)) == std::vector<Ev>{Ev::Packet});
    CHECK(d.packet() == special);
}

TEST_CASE("acks, Ctrl-C and bad checksums are reported", "[gdb]") {
    PacketDecoder d;
    CHECK(feed_all(d, "+-\x03") == std::vector<Ev>{Ev::Ack, Ev::Nack, Ev::Interrupt});
    CHECK(feed_all(d, "$g#68") == std::vector<Ev>{Ev::Bad});
    CHECK(feed_all(d, "$g#zz") == std::vector<Ev>{Ev::Bad});
    // A '$' inside a packet restarts it: the truncated one is dropped.
    CHECK(feed_all(d, "$m12$g#67") == std::vector<Ev>{Ev::Packet});
    CHECK(d.packet() == "g");
}

TEST_CASE("run-length encoding is expanded on input", "[gdb]") {
    // "0* " is '0' followed by 3 more ('*' then ' ' = 32 - 29).
    CHECK(decode_body("0* ") == std::optional<std::string>("0000"));
    CHECK(!decode_body("*  "));     // nothing to repeat
    CHECK(!decode_body("0*"));      // truncated run
    CHECK(!decode_body("}"));       // dangling escape
    CHECK(decode_body("}\x03") == std::optional<std::string>("#"));
}

TEST_CASE("hex helpers", "[gdb]") {
    CHECK(le_hex(0x1122334455667788, 8) == "8877665544332211");
    CHECK(parse_le_hex("8877665544332211", 8) == std::optional<uint64_t>(0x1122334455667788));
    CHECK(!parse_le_hex("887766", 4));
    CHECK(parse_hex_u64("80000000") == std::optional<uint64_t>(0x80000000));
    CHECK(!parse_hex_u64("12345678901234567"));
    CHECK(!parse_hex_u64("x"));
    CHECK(from_hex("4142") == std::optional<std::string>("AB"));
    CHECK(!from_hex("414"));
}

TEST_CASE("100,000 random, truncated and oversized packets never crash the decoder", "[gdb][fuzz]") {
    std::mt19937_64 rng(12345);
    PacketDecoder d;
    const std::string alphabet = "$#}*+-\x03" "0123456789abcdefgmMpPqZzcsvk:;,";
    uint64_t packets = 0, bad = 0;
    for (int n = 0; n < 100000; n++) {
        std::string s;
        const unsigned kind = rng() % 32 == 0 ? 3 : static_cast<unsigned>(rng() % 3);
        switch (kind) {
        case 0: {   // random bytes
            const size_t len = rng() % 64;
            for (size_t i = 0; i < len; i++) s.push_back(static_cast<char>(rng()));
            break;
        }
        case 1: {   // protocol-like characters
            const size_t len = rng() % 64;
            for (size_t i = 0; i < len; i++) s.push_back(alphabet[rng() % alphabet.size()]);
            break;
        }
        case 2: {   // a valid packet, truncated at a random point
            std::string body;
            const size_t len = rng() % 40;
            for (size_t i = 0; i < len; i++) body.push_back(static_cast<char>(rng()));
            s = frame_packet(body);
            s.resize(rng() % (s.size() + 1));
            break;
        }
        default: {   // oversized: beyond the limit, sometimes with a right checksum
            const size_t len = PacketDecoder::kMaxPacket + rng() % PacketDecoder::kMaxPacket;
            s = frame_packet(std::string(len, static_cast<char>('a' + rng() % 26)));
            break;
        }
        }
        for (char c : s) {
            const Ev e = d.feed(static_cast<uint8_t>(c));
            if (e == Ev::Packet) {
                packets++;
                REQUIRE(d.packet().size() <= PacketDecoder::kMaxPacket);
            }
            bad += e == Ev::Bad;
        }
    }
    // The decoder recovers: a valid packet after all that still decodes
    // (a leading '#xx' ends anything left open).
    feed_all(d, "#00");
    CHECK(feed_all(d, "$qC#b4") == std::vector<Ev>{Ev::Packet});
    CHECK(d.packet() == "qC");
    CHECK(bad > 0);
    (void)packets;
}
