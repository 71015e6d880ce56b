#include "cli/terminal.hpp"

#include <fcntl.h>
#include <qrencode.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/errc.hpp"
#include "base/fd_io.hpp"

namespace sotto::cli {

namespace {
constexpr std::size_t kMaxSecretInput = 64 * 1024;

base::SecretBytes strip_newline(base::SecretBytes s) {
  std::size_t n = s.size();
  if (n > 0 && s.data()[n - 1] == '\n') --n;
  if (n > 0 && s.data()[n - 1] == '\r') --n;
  if (n == s.size()) return s;
  return base::SecretBytes(s.span().first(n));
}
}  // namespace

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }
bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

std::optional<base::SecretBytes> prompt_hidden(const std::string& prompt) {
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
  base::SecretBytes line(kMaxSecretInput);
  std::size_t off = 0;
  char c = 0;
  while (off < line.size()) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line.data()[off++] = static_cast<std::uint8_t>(c);
  }
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  ::close(fd);
  if (off > 0 && line.data()[off - 1] == '\r') --off;
  return base::SecretBytes(line.span().first(off));
}

Result<base::SecretBytes> read_secret_file(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(base::Errc::Io, "cannot open " + what + " " + path + ": " + std::strerror(errno));
  auto r = base::read_all(fd, kMaxSecretInput, what);
  ::close(fd);
  if (!r) return r;
  return strip_newline(std::move(*r));
}

Result<base::SecretBytes> read_stdin_secret(const std::string& what) {
  return base::read_all(STDIN_FILENO, kMaxSecretInput, what);
}

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
