#include "cli/terminal.hpp"

#include <fcntl.h>
#include <qrencode.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>


namespace sotto::cli {

namespace {
constexpr std::size_t kMaxSecretInput = 64 * 1024;

// Reads `fd` to its end into wiping memory; an error past kMaxSecretInput bytes.
Outcome<Secret> read_all(int fd, const std::string& what) {
  std::string buf;
  buf.reserve(kMaxSecretInput + 1);  // never reallocated: no copy of the secret is left behind
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      wipe(buf);
      return Failure{"io", "cannot read " + what + ": " + std::strerror(errno)};
    }
    if (n == 0) break;
    if (buf.size() + static_cast<std::size_t>(n) > kMaxSecretInput) {
      wipe(buf);
      wipe(chunk, sizeof chunk);
      return Failure{"io", what + " is larger than " + std::to_string(kMaxSecretInput) + " bytes"};
    }
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  wipe(chunk, sizeof chunk);
  return Secret(std::move(buf));
}

Secret strip_newline(Secret s) {
  std::size_t n = s.size();
  if (n > 0 && s.str()[n - 1] == '\n') --n;
  if (n > 0 && s.str()[n - 1] == '\r') --n;
  if (n == s.size()) return s;
  return Secret(s.str().data(), n);
}
}  // namespace

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }
bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

std::optional<Secret> prompt_hidden(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  termios old{};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string line;
  line.reserve(kMaxSecretInput);
  char c = 0;
  while (line.size() < kMaxSecretInput) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line.push_back(c);
  }
  wipe(&c, sizeof c);
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  ::close(fd);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return Secret(std::move(line));
}

Outcome<Secret> read_secret_file(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Failure{"io", "cannot open " + what + " " + path + ": " + std::strerror(errno)};
  auto r = read_all(fd, what);
  ::close(fd);
  if (!r) return r;
  return strip_newline(std::move(*r));
}

Outcome<Secret> read_stdin_secret(const std::string& what) { return read_all(STDIN_FILENO, what); }

std::string qr_code(const std::string& text) {
  QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!qr) return {};
  const int w = qr->width, quiet = 2, full = w + 2 * quiet;
  auto dark = [&](int x, int y) {
    x -= quiet;
    y -= quiet;
    if (x < 0 || y < 0 || x >= w || y >= w) return false;
    return (qr->data[y * w + x] & 1) != 0;
  };
  // Two rows per line: light modules print as blocks, so the code reads on dark terminals.
  std::string out;
  for (int y = 0; y < full; y += 2) {
    for (int x = 0; x < full; ++x) {
      bool top = !dark(x, y), bottom = y + 1 < full ? !dark(x, y + 1) : true;
      out += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    out += '\n';
  }
  QRcode_free(qr);
  return out;
}

}  // namespace sotto::cli
