#include "proto/errc.hpp"

namespace sotto::proto {

std::string to_token(Errc e) {
  switch (e) {
    case Errc::TooShort: return "too_short";
    case Errc::BoxOpenFailed: return "box_open_failed";
    case Errc::BadSignature: return "bad_signature";
    case Errc::BadSenderKey: return "bad_sender_key";
    case Errc::BadFraming: return "bad_framing";
    case Errc::UnsupportedEnvelope: return "unsupported_envelope";
    case Errc::BadContent: return "bad_content";
    case Errc::NoContent: return "no_content";
    case Errc::BadRecipient: return "bad_recipient";
  }
  return "unknown";
}
SOTTO_DEFINE_ERRC(Errc, "sotto.proto")

}  // namespace sotto::proto
