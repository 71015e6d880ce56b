// The storage RPC's dispatch on a node: a body decoded once into its typed request, run
// by its method (the table of which methods write is the codec's, proto/storage_rpc.cpp),
// batches one subrequest after another, and every error turned into its status at this
// edge only.

#include <nlohmann/json.hpp>

#include "node/rpc/handler.hpp"
#include "node/rpc/methods.hpp"

namespace sotto::node::rpc {

namespace {

using nlohmann::json;
using namespace proto::rpc;

Reply text_reply(int status, std::string sentence) { return Reply{status, std::move(sentence), false, {}, {}, {}}; }

// An error as the node answers it: its status, its sentence (a 421's is the right swarm,
// JSON). An error of another module is an internal one.
Reply fail(const Error& e, std::string method = {}) {
  auto code = static_cast<Errc>(e.code().value());
  if (e.code().category() != errc_category(Errc::BadRequest)) code = Errc::Internal;
  return Reply{to_wire_status(code), e.detail(), code == Errc::WrongSwarm, std::move(method), {}, {}};
}

Reply to_reply(R r, std::string method) {
  if (!r) return fail(r.error(), std::move(method));
  return Reply{r->status, std::move(r->body), true, std::move(method), std::move(r->wait), std::move(r->swarm)};
}

R run_single(Context& ctx, Single&& s, std::int64_t now) {
  return std::visit(
      [&](auto&& r) -> R {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Store>) {
          auto plan = plan_store(ctx, std::move(r), now);
          if (!plan) return std::move(plan).error();
          return commit_store(ctx, *plan, now);
        } else if constexpr (std::is_same_v<T, Retrieve>) return retrieve(ctx, r, now);
        else if constexpr (std::is_same_v<T, Delete>) return delete_msgs(ctx, r, now);
        else if constexpr (std::is_same_v<T, DeleteAll>) return delete_all(ctx, r, now);
        else if constexpr (std::is_same_v<T, DeleteBefore>) return delete_before(ctx, r, now);
        else if constexpr (std::is_same_v<T, ExpireAll>) return expire_all(ctx, r, now);
        else if constexpr (std::is_same_v<T, Expire>) return expire(ctx, r, now);
        else if constexpr (std::is_same_v<T, GetExpiries>) return get_expiries(ctx, r, now);
        else if constexpr (std::is_same_v<T, RevokeSubaccount>) return revoke_subaccount(ctx, r, now);
        else if constexpr (std::is_same_v<T, UnrevokeSubaccount>) return unrevoke_subaccount(ctx, r, now);
        else if constexpr (std::is_same_v<T, RevokedSubaccounts>) return revoked_subaccounts(ctx, r, now);
        else if constexpr (std::is_same_v<T, GetSwarm>) return get_swarm(ctx, r, now);
        else return info(ctx, r, now);
      },
      std::move(s));
}

Reply run_call(Context& ctx, std::string method, Result<Single>&& call, std::int64_t now) {
  if (!call) return fail(call.error(), std::move(method));
  return to_reply(run_single(ctx, std::move(*call), now), std::move(method));
}

// {"results": [{"body", "code"}, ...]}: each subrequest's JSON body as it is, a sentence as
// a string. A retrieve in a batch never waits.
Reply run_batch(Context& ctx, Batch&& b, std::int64_t now) {
  struct NoWait {
    Context& c;
    bool was;
    ~NoWait() { c.may_wait = was; }
  } no_wait{ctx, ctx.may_wait};
  ctx.may_wait = false;
  std::string out = R"({"results":[)";
  bool first = true;
  for (auto& sub : b.requests) {
    Reply r = run_call(ctx, std::move(sub.method), std::move(sub.request), now);
    int status = r.status;
    bool is_json = r.json;
    std::string body = render(std::move(r));
    out += first ? R"({"body":)" : R"(,{"body":)";
    first = false;
    out += is_json ? body : json(body).dump(-1, ' ', false, json::error_handler_t::replace);
    out += R"(,"code":)" + std::to_string(status) + "}";
    if (b.sequence && (status < 200 || status > 299)) break;
  }
  out += "]}";
  return Reply{200, std::move(out), true, b.sequence ? "sequence" : "batch", {}, {}};
}

Reply run(Context& ctx, Request&& req, std::int64_t now) {
  if (auto* b = std::get_if<Batch>(&req.call)) return run_batch(ctx, std::move(*b), now);
  return run_call(ctx, std::move(req.method), std::move(std::get<Result<Single>>(req.call)), now);
}

}  // namespace

struct Pending::Impl {
  std::int64_t now = 0;
  std::optional<StorePlan> store;  // a single store, checked and signed
  std::optional<Request> request;  // any other request that writes: it runs whole in apply()
};

Pending::Pending(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pending::Pending(Pending&&) noexcept = default;
Pending& Pending::operator=(Pending&&) noexcept = default;
Pending::~Pending() = default;
bool Pending::is_single_store() const { return impl_->store.has_value(); }

Prepared prepare(Context& ctx, std::string_view body) {
  if (body.size() > proto::kMaxRpcBodyBytes) return {text_reply(413, "Request body too large"), {}};
  auto req = decode_request(body);
  if (!req) return {fail(req.error()), {}};
  std::int64_t now = ctx.clock.now_ms();
  if (!writes(*req)) return {run(ctx, std::move(*req), now), {}};
  auto impl = std::make_unique<Pending::Impl>();
  impl->now = now;
  if (auto* single = std::get_if<Result<Single>>(&req->call); single && std::holds_alternative<Store>(**single)) {
    auto plan = plan_store(ctx, std::move(std::get<Store>(**single)), now);
    if (!plan) return {fail(plan.error(), req->method), {}};
    impl->store = std::move(*plan);
    return {{}, Pending(std::move(impl))};
  }
  impl->request = std::move(*req);
  return {{}, Pending(std::move(impl))};
}

Reply apply(Context& ctx, Pending& work) {
  auto& w = work.impl();
  if (w.store) return to_reply(commit_store(ctx, *w.store, w.now), "store");
  return run(ctx, std::move(*w.request), w.now);
}

Reply handle(Context& ctx, std::string_view body) {
  auto p = prepare(ctx, body);
  Reply r = p.reply ? std::move(*p.reply) : apply(ctx, *p.pending);
  if (r.swarm) {
    r.body = render(std::move(r));
    r.swarm.reset();
  }
  return r;
}

}  // namespace sotto::node::rpc
