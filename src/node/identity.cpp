#include "node/identity.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errc.hpp"
#include "base/fd_io.hpp"

namespace sotto::node {

namespace {
constexpr char kMagic[] = "SOTTONODEKEY1\n";  // then 32 seed bytes
constexpr std::size_t kMagicLen = sizeof(kMagic) - 1;
}  // namespace

Result<crypto::Keypair> load_or_create_identity(const std::filesystem::path& dir, base::Rng& rng, bool& created) {
  auto path = dir / "node.key";
  created = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error(base::Errc::Io, "cannot create " + path.string() + ": " + std::strerror(errno));
    crypto::Seed seed;
    rng.fill(seed.span());
    base::SecretBytes file(kMagicLen + 32);
    std::memcpy(file.data(), kMagic, kMagicLen);
    std::memcpy(file.data() + kMagicLen, seed.data(), 32);
    bool ok = ::write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()) && ::fsync(fd) == 0;
    int e = errno;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return Error(base::Errc::Io, "cannot write " + path.string() + ": " + std::strerror(e));
    }
    created = true;
    return crypto::Keypair::from_seed(seed);
  }
  if (fd < 0) return Error(base::Errc::Io, "cannot open " + path.string() + ": " + std::strerror(errno));
  auto data = base::read_all(fd, kMagicLen + 32, "the node key " + path.string());
  ::close(fd);
  if (!data) return std::move(data).error();
  if (data->size() != kMagicLen + 32 || std::memcmp(data->data(), kMagic, kMagicLen) != 0)
    return Error(base::Errc::Io, "the node key " + path.string() + " is damaged or not a sotto node key");
  return crypto::Keypair::from_seed(crypto::Seed(std::span<const std::uint8_t, 32>(data->data() + kMagicLen, 32)));
}

}  // namespace sotto::node
