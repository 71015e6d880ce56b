#include "client/profile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "base/fd_io.hpp"
#include "client/key_file.hpp"

namespace sotto::client {

namespace fs = std::filesystem;

Result<fs::path> default_profile_dir() {
  // The XDG spec says to ignore a relative XDG_DATA_HOME.
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/') return fs::path(x) / "sotto" / "default";
  const char* home = std::getenv("HOME");
  if (!home || *home != '/')
    return Error(Errc::Io, "HOME is not set to an absolute path, so there is no default profile: give --profile DIR");
  return fs::path(home) / ".local" / "share" / "sotto" / "default";
}

namespace {

Error io(const std::string& what, const fs::path& p, int err) {
  return Error(Errc::Io, what + " " + p.string() + ": " + std::strerror(err));
}

// Closes a descriptor on every path out of a scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens the profile directory, creating it (0700, parents as needed) if it is missing,
// and refuses one that another user owns or that others may write to: whoever can write
// there could swap in a key file of their own.
Result<void> open_private_dir(const fs::path& dir, Fd& out) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    if (errno != ENOENT) return io("cannot create directory", dir, errno);
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (ec) return io("cannot create directory", dir.parent_path(), ec.value());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return io("cannot create directory", dir, errno);
  }
  out.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (out.fd < 0) return io("cannot open directory", dir, errno);
  struct stat st{};
  if (::fstat(out.fd, &st) != 0) return io("cannot inspect directory", dir, errno);
  if (st.st_uid != ::geteuid())
    return Error(Errc::Io, "the profile directory " + dir.string() + " belongs to another user; refusing to keep a key there");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return Error(Errc::Io, "the profile directory " + dir.string() +
                               " is writable by other users; refusing to keep a key there (chmod 700 it)");
  return {};
}

// Writes `data` into an unnamed file in `dirfd` (O_TMPFILE, 0600), syncs it, and links
// that very file in as `name`: linkat fails with EEXIST rather than replace an existing
// entry, and no other process can swap the file between writing and linking.
Result<void> write_new_file(int dirfd, const fs::path& dir, const char* name, ByteView data) {
  fs::path path = dir / name;
  Fd f{::openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)};
  if (f.fd < 0) return io("cannot create a file in", dir, errno);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(f.fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io("cannot write", path, errno);
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) return io("cannot sync", path, errno);
  std::string proc = "/proc/self/fd/" + std::to_string(f.fd);
  if (::linkat(AT_FDCWD, proc.c_str(), dirfd, name, AT_SYMLINK_FOLLOW) != 0) {
    if (errno == EEXIST) return Error(Errc::AccountExists, "this profile already has an account (" + path.string() + "); it is never overwritten");
    return io("cannot create", path, errno);
  }
  if (::fsync(dirfd) != 0) return io("cannot sync directory", dir, errno);  // make the new entry durable
  return {};
}

}  // namespace

bool Profile::has_account() const {
  std::error_code ec;
  return fs::exists(key_path(), ec);
}

Result<void> Profile::check_no_account() const {
  std::error_code ec;
  if (fs::exists(key_path(), ec))
    return Error(Errc::AccountExists, "this profile already has an account (" + key_path().string() +
                                          "); it is never overwritten. Use --profile DIR for another one");
  return {};
}

Result<void> Profile::create_account(const crypto::Seed16& seed, const base::SecretBytes* passphrase,
                                     crypto::PwhashParams params, base::Rng& rng) {
  if (auto r = check_no_account(); !r) return r;
  Fd dir;
  if (auto r = open_private_dir(dir_, dir); !r) return r;
  auto bytes = encode_key_file(seed, passphrase, params, rng);
  if (!bytes) return std::move(bytes).error();
  auto r = write_new_file(dir.fd, dir_, kKeyFileName, *bytes);
  base::secure_wipe(bytes->data(), bytes->size());
  return r;
}

Result<base::SecretBytes> Profile::read_key_file() const {
  fs::path p = key_path();
  Fd f{::open(p.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return Error(Errc::NoAccount, "no account in " + dir_.string() + ": run `sotto init` or `sotto restore` first");
    return io("cannot open", p, errno);
  }
  auto data = base::read_all(f.fd, kEncryptedKeyFileSize, "the key file " + p.string());
  if (!data) return Error(Errc::BadKeyFile, data.error().message());
  return data;
}

Result<bool> Profile::account_encrypted() const {
  auto f = read_key_file();
  if (!f) return std::move(f).error();
  return key_file_encrypted(f->span());
}

Result<crypto::Seed16> Profile::load_seed(const base::SecretBytes* passphrase) const {
  auto f = read_key_file();
  if (!f) return std::move(f).error();
  return decode_key_file(f->span(), passphrase);
}

Result<crypto::Keypair> Profile::load_keys(const base::SecretBytes* passphrase) const {
  auto seed = load_seed(passphrase);
  if (!seed) return std::move(seed).error();
  return crypto::Keypair::from_seed(crypto::session_seed(*seed));
}

Result<void> Profile::replace_file(const std::string& name, std::string_view data) const {
  if (name.empty() || name == kKeyFileName || name.find('/') != std::string::npos || name[0] == '.')
    return Error(Errc::Io, "not a profile file name: " + name);
  Fd dir;
  if (auto r = open_private_dir(dir_, dir); !r) return r;
  // A temporary name of this writer's own: two Messengers of one profile (a `listen` and
  // a `send`, or threads of one process) may replace the same file at once.
  static std::atomic<unsigned long> writes{0};
  std::string tmp = "." + name + "." + std::to_string(::getpid()) + "." + std::to_string(writes++) + ".tmp";
  fs::path path = dir_ / name;
  Fd f{::openat(dir.fd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (f.fd < 0) return io("cannot create", dir_ / tmp, errno);
  auto failed = [&](const char* what, const fs::path& p) {
    int err = errno;
    ::unlinkat(dir.fd, tmp.c_str(), 0);  // no half-written file left behind
    return io(what, p, err);
  };
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(f.fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed("cannot write", dir_ / tmp);
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) return failed("cannot sync", dir_ / tmp);
  if (::renameat(dir.fd, tmp.c_str(), dir.fd, name.c_str()) != 0) return failed("cannot replace", path);
  if (::fsync(dir.fd) != 0) return io("cannot sync directory", dir_, errno);
  return {};
}

Result<std::optional<std::string>> Profile::read_file(const std::string& name, std::size_t max_bytes) const {
  fs::path p = dir_ / name;
  Fd f{::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return io("cannot open", p, errno);
  }
  struct stat st{};
  if (::fstat(f.fd, &st) != 0) return io("cannot inspect", p, errno);
  if (!S_ISREG(st.st_mode)) return Error(Errc::Io, p.string() + " is not a regular file");
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io("cannot read", p, errno);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) return Error(Errc::Io, p.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace sotto::client
