#include "client/profile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "client/key_file.hpp"

namespace sotto::client {

namespace fs = std::filesystem;

fs::path default_profile_dir() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fs::path(x) / "sotto" / "default";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "sotto" / "default";
}

namespace {

Error io(const std::string& what, const fs::path& p, int err) {
  return Error(Errc::Io, what + " " + p.string() + ": " + std::strerror(err));
}

// Writes `data` to a fresh temporary file (0600), syncs it, and links it to `path`,
// which fails with EEXIST rather than replacing an existing file.
Result<void> write_new_file(const fs::path& path, ByteView data) {
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io("cannot create", tmp, errno);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io("cannot write", tmp, e);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return io("cannot sync", tmp, e);
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int e = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (e == EEXIST) return Error(Errc::AccountExists, "this profile already has an account (" + path.string() + "); it is never overwritten");
    return io("cannot create", path, e);
  }
  // Make the new directory entry durable.
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

bool Profile::has_account() const {
  std::error_code ec;
  return fs::exists(key_path(), ec);
}

Result<void> Profile::create_account(const crypto::Seed16& seed, const base::SecretBytes* passphrase,
                                     crypto::PwhashParams params, base::Rng& rng) {
  if (has_account()) return Error(Errc::AccountExists, "this profile already has an account (" + key_path().string() + "); it is never overwritten");
  std::error_code ec;
  if (!fs::exists(dir_, ec)) {
    fs::create_directories(dir_, ec);
    if (ec) return io("cannot create directory", dir_, ec.value());
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return io("cannot set permissions of", dir_, ec.value());
  }
  auto bytes = encode_key_file(seed, passphrase, params, rng);
  if (!bytes) return std::move(bytes).error();
  auto r = write_new_file(key_path(), *bytes);
  base::secure_wipe(bytes->data(), bytes->size());
  return r;
}

Result<Bytes> Profile::read_key_file() const {
  fs::path p = key_path();
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error(Errc::NoAccount, "no account in " + dir_.string() + ": run `sotto init` or `sotto restore` first");
    return io("cannot open", p, errno);
  }
  Bytes data(kEncryptedKeyFileSize + 1);  // one more than any valid file, to see oversize ones
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::read(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return io("cannot read", p, e);
    }
    if (n == 0) break;
    off += static_cast<std::size_t>(n);
  }
  ::close(fd);
  data.resize(off);
  return data;
}

Result<bool> Profile::account_encrypted() const {
  auto f = read_key_file();
  if (!f) return std::move(f).error();
  auto r = key_file_encrypted(*f);
  base::secure_wipe(f->data(), f->size());
  return r;
}

Result<crypto::Seed16> Profile::load_seed(const base::SecretBytes* passphrase) const {
  auto f = read_key_file();
  if (!f) return std::move(f).error();
  auto seed = decode_key_file(*f, passphrase);
  base::secure_wipe(f->data(), f->size());
  return seed;
}

Result<crypto::Keypair> Profile::load_keys(const base::SecretBytes* passphrase) const {
  auto seed = load_seed(passphrase);
  if (!seed) return std::move(seed).error();
  return crypto::Keypair::from_seed(crypto::session_seed(*seed));
}

}  // namespace sotto::client
