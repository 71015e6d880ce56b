#include "proto/envelope.hpp"

#include "proto/constants.hpp"
#include "proto/protos/session.pb.h"
#include "proto/protos/websocket.pb.h"

namespace sotto::proto {

namespace {

template <class Msg>
bool parse(Msg& msg, ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return false;
  return msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

template <class Msg>
Bytes serialize(const Msg& msg) {
  Bytes out(msg.ByteSizeLong());
  msg.SerializeWithCachedSizesToArray(out.data());
  return out;
}

}  // namespace

Bytes encode_content(const Content& c) {
  wire::Content msg;
  auto* dm = msg.mutable_datamessage();
  dm->set_body(c.body);
  dm->set_timestamp(c.timestamp_ms);
  if (c.display_name) dm->mutable_profile()->set_displayname(*c.display_name);
  if (c.expiration_type != ExpirationType::Unknown) {
    msg.set_expirationtype(static_cast<wire::Content::ExpirationType>(c.expiration_type));
    msg.set_expirationtimer(c.expiration_timer_s);
  }
  if (c.sig_timestamp_ms) msg.set_sigtimestamp(*c.sig_timestamp_ms);
  return serialize(msg);
}

Result<Content> decode_content(ByteView bytes) {
  wire::Content msg;
  if (!parse(msg, bytes)) return Error(Errc::BadContent, "the decrypted message is not a valid Content protobuf");
  if (!msg.has_datamessage()) return Error(Errc::NoContent, "the message carries no data message (e.g. a typing or receipt message)");
  const auto& dm = msg.datamessage();
  Content c;
  c.body = dm.body();
  c.timestamp_ms = dm.timestamp();
  if (dm.has_profile() && dm.profile().has_displayname()) c.display_name = dm.profile().displayname();
  if (msg.has_expirationtype() && msg.expirationtype() != wire::Content::UNKNOWN) {
    c.expiration_type = static_cast<ExpirationType>(msg.expirationtype());
    c.expiration_timer_s = msg.expirationtimer();
  }
  if (msg.has_sigtimestamp()) c.sig_timestamp_ms = msg.sigtimestamp();
  return c;
}

Bytes wrap_envelope(const Envelope& e) {
  wire::Envelope env;
  env.set_type(wire::Envelope::SESSION_MESSAGE);
  env.set_sourcedevice(kSourceDevice);
  env.set_timestamp(e.timestamp_ms);
  env.set_content(e.content.data(), e.content.size());
  wire::WebSocketMessage ws;
  ws.set_type(wire::WebSocketMessage::REQUEST);
  auto* req = ws.mutable_request();
  req->set_verb("");
  req->set_path("");
  req->set_body(env.SerializeAsString());
  req->set_requestid(0);
  return serialize(ws);
}

Result<Envelope> unwrap_envelope(ByteView data) {
  wire::Envelope env;
  bool found = false;
  {
    wire::WebSocketMessage ws;
    if (parse(ws, data) && ws.type() == wire::WebSocketMessage::REQUEST && ws.has_request() && ws.request().has_body()) {
      const std::string& body = ws.request().body();
      found = parse(env, as_bytes(body));
    }
  }
  if (!found && !parse(env, data))
    return Error(Errc::BadFraming, "the data is neither a WebSocketMessage nor an Envelope");
  if (!env.has_type() || env.type() != wire::Envelope::SESSION_MESSAGE)
    return Error(Errc::UnsupportedEnvelope, "not a 1:1 message envelope (type " +
                                                (env.has_type() ? std::to_string(env.type()) : std::string("missing")) + ")");
  if (!env.has_timestamp()) return Error(Errc::UnsupportedEnvelope, "the envelope has no timestamp");
  if (!env.has_content()) return Error(Errc::UnsupportedEnvelope, "the envelope has no content");
  return Envelope{env.timestamp(), Bytes(env.content().begin(), env.content().end())};
}

}  // namespace sotto::proto
