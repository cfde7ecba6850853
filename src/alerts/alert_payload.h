// The JSON body of a webhook delivery, and the masked form of a key status change. A payload
// holds the event, its time, the gateway that sent it and the event's data; keys appear only in
// their masked display form and reasons pass through scrubSecrets(). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "alerts/alert_evaluator.h"
#include "alerts/alert_event.h"
#include "keys/key_status_machine.h"

namespace poise::alerts {

// Who sent the alert: "gateway" in every payload.
struct GatewayInfo {
  std::string version;
  std::string host;  // the machine's host name
};

// {"event","time","summary","gateway":{"service","version","host"},"webhook":{"id","name"},
//  "data":{…}}
std::string renderPayload(const AlertEvent& event, const GatewayInfo& gateway,
                          std::int64_t webhook_id, std::string_view webhook_name);

// A drained status change as the evaluator takes it: the key masked (from `key_value`, which is
// not kept), the reason scrubbed of anything that looks like a key or token.
KeyStatusChange toStatusChange(const keys::KeyDelta& delta, std::string_view key_value);

// The delay before attempt `attempt` (2, 3, …) of a delivery: 1 s, 4 s, 16 s, … (×4 each time,
// capped at one minute). Zero for the first attempt.
std::chrono::milliseconds backoffBefore(int attempt);

}  // namespace poise::alerts
