#include "crypto/pwhash.hpp"

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace sotto::crypto {

static_assert(kPwhashSaltBytes == crypto_pwhash_SALTBYTES);

Result<base::Secret<32>> argon2id(ByteView password, std::span<const std::uint8_t, kPwhashSaltBytes> salt,
                                  PwhashParams params) {
  detail::ensure_sodium();
  base::Secret<32> key;
  // libsodium takes an empty password as a null pointer with length 0.
  const char* pw = password.empty() ? "" : reinterpret_cast<const char*>(password.data());
  if (crypto_pwhash(key.data(), key.size(), pw, password.size(), salt.data(), params.opslimit,
                    std::size_t{params.memlimit_kib} * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Error(Errc::OutOfMemory, "Argon2id could not allocate " + std::to_string(params.memlimit_kib / 1024) + " MiB");
  return key;
}

}  // namespace sotto::crypto
