#pragma once
// Private to net/: the one place that includes Boost.Asio and Boost.Beast. Debian's Boost
// 1.74 Asio needs <utility> before it.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/errc.hpp"
#include "net/http.hpp"

namespace sotto::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// What the clients (client.cpp, async_client.cpp) share about reading a reply.
inline constexpr std::size_t kMaxReplyBody = 64 * 1024 * 1024;

// A read that failed this way on a kept-alive connection, before any byte of the reply,
// means the server had closed it: the request cannot have been processed.
inline bool closed_before_reply(const beast::error_code& ec, bool got_some) {
  return !got_some && (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
                       ec == ssl::error::stream_truncated);
}

// A failure after the connection was made: no answer in time, or the connection broke.
inline Errc io_code(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::timed_out ? Errc::Timeout : Errc::Closed;
}

inline HttpResponse to_response(http::response<http::string_body>&& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  out.content_type = std::string(res[http::field::content_type]);
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}
}  // namespace sotto::net
