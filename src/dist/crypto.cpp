// libcrypto, loaded on first use (dlopen) rather than linked: the few functions distribution
// calls, through pointers of the types OpenSSL's headers declare.
#include "dist/crypto.hpp"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>

#include <mutex>

namespace lunatic::dist {
namespace {

struct Crypto {
  decltype(&::EVP_Digest) digest = nullptr;
  decltype(&::EVP_md5) md5 = nullptr;
  decltype(&::EVP_sha256) sha256 = nullptr;
  decltype(&::RAND_bytes) rand_bytes = nullptr;
};

/// The soname of the libcrypto whose headers this is built against ("libcrypto.so.3").
const std::string& library_name() {
  static const std::string name = "libcrypto.so." + std::to_string(OPENSSL_VERSION_MAJOR);
  return name;
}

template <typename F> bool bind(void* handle, const char* symbol, F& out) {
  out = reinterpret_cast<F>(dlsym(handle, symbol));
  return out != nullptr;
}

Result<Crypto> load() {
  // Kept loaded for the rest of the process (OpenSSL does not support unloading).
  void* handle = dlopen(library_name().c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Error(Phase::Host, "distribution needs " + library_name() + ": " + dlerror());
  }
  Crypto crypto;
  if (!bind(handle, "EVP_Digest", crypto.digest) || !bind(handle, "EVP_md5", crypto.md5) ||
      !bind(handle, "EVP_sha256", crypto.sha256) ||
      !bind(handle, "RAND_bytes", crypto.rand_bytes)) {
    return Error(Phase::Host, library_name() + " lacks a function distribution needs");
  }
  return crypto;
}

const Result<Crypto>& loaded() {
  static std::once_flag once;
  static std::optional<Result<Crypto>> result;
  std::call_once(once, [] { result.emplace(load()); });
  return *result;
}

/// The loaded library, or nullptr.
const Crypto* crypto() { return loaded() ? &*loaded() : nullptr; }

template <size_t N, typename Md>
std::optional<std::array<uint8_t, N>> hash(std::span<const uint8_t> bytes, Md md) {
  const Crypto* c = crypto();
  if (c == nullptr) return std::nullopt;
  std::array<uint8_t, N> out{};
  unsigned int size = 0;
  if (c->digest(bytes.data(), bytes.size(), out.data(), &size, (c->*md)(), nullptr) != 1 ||
      size != N) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

Result<void> load_crypto() {
  if (!loaded()) return loaded().error();
  return {};
}

std::optional<std::array<uint8_t, 16>> md5(std::span<const uint8_t> bytes) {
  return hash<16>(bytes, &Crypto::md5);
}

std::optional<std::array<uint8_t, 32>> sha256(std::span<const uint8_t> bytes) {
  return hash<32>(bytes, &Crypto::sha256);
}

bool random_bytes(uint8_t* out, size_t size) {
  const Crypto* c = crypto();
  return c != nullptr && size <= INT32_MAX && c->rand_bytes(out, static_cast<int>(size)) == 1;
}

bool equal_in_constant_time(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  // Volatile: every byte is compared, whatever the first difference.
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace lunatic::dist
