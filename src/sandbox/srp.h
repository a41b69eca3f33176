// The server side of the SRP-6a variant Apple's idmsa sign-in uses (apple-apis.md Part II
// §A.5–A.6): RFC 5054 2048-bit group, SHA-256, x without the user name, M1 with H(N) xor H(g),
// and M2 = H(A | M1 | K) sent by the client. Byte strings are big-endian, minimal unless said.
#pragma once

#include <string>
#include <string_view>

namespace orchard::sandbox::srp {

std::string Sha256(std::string_view data);
// PBKDF2-HMAC-SHA256 of SHA-256(password) ("s2k") or of its lowercase hex ("s2k_fo").
std::string PasswordKey(std::string_view password, std::string_view protocol,
                        std::string_view salt, int iterations);
// v = g^x mod N with x = H(salt | H(":" | key)).
std::string Verifier(std::string_view salt, std::string_view key);
// B = (k·v + g^b) mod N for the server secret b.
std::string ServerPublic(std::string_view verifier, std::string_view b);
// g^a mod N (the client's A; for tests).
std::string ClientPublic(std::string_view a);
// True when A is acceptable (A mod N != 0).
bool ValidPublic(std::string_view a_bytes);
// Checks the client's proofs. A and B are the byte strings exchanged; the variants that pad A, B
// or S to 256 bytes are accepted too, and M2 is compared as a number (leading zeros dropped).
bool VerifyProofs(std::string_view account, std::string_view salt, std::string_view verifier,
                  std::string_view A, std::string_view b, std::string_view B,
                  std::string_view m1, std::string_view m2);

}  // namespace orchard::sandbox::srp
