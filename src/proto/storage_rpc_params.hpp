#pragma once
// Internal to the storage RPC codec (storage_rpc*.cpp): each method's parameters read
// from a JSON object, in Session's order with Session's sentences. Brings in nlohmann.

#include <nlohmann/json.hpp>

#include "proto/storage_rpc.hpp"

namespace sotto::proto::rpc::params {

Result<Store> store(const nlohmann::json& p);
Result<Retrieve> retrieve(const nlohmann::json& p);
Result<Delete> delete_msgs(const nlohmann::json& p);
Result<DeleteAll> delete_all(const nlohmann::json& p);
Result<DeleteBefore> delete_before(const nlohmann::json& p);
Result<ExpireAll> expire_all(const nlohmann::json& p);
Result<Expire> expire(const nlohmann::json& p);
Result<GetExpiries> get_expiries(const nlohmann::json& p);
Result<RevokeSubaccount> revoke_subaccount(const nlohmann::json& p);
Result<UnrevokeSubaccount> unrevoke_subaccount(const nlohmann::json& p);
Result<RevokedSubaccounts> revoked_subaccounts(const nlohmann::json& p);
Result<GetSwarm> get_swarm(const nlohmann::json& p);

// The auth parameters as a request carries them (for encoding).
void put_auth(nlohmann::json& p, const Auth& a);

}  // namespace sotto::proto::rpc::params
