#include "jobs/check_outcome.h"

namespace poise::jobs {

namespace {

std::string unchanged(std::string what) {
  return "Inconclusive: " + std::move(what) + "; the key's status is unchanged.";
}

}  // namespace

CheckOutcome decideCheck(const UpstreamAnswer& answer, const keys::ErrorPolicy& policy,
                         std::string_view model) {
  CheckOutcome out;
  switch (answer.kind) {
    case UpstreamAnswer::Kind::TimedOut:
      out.status = "timeout";
      out.message = unchanged("the upstream did not answer within key_validation_timeout_seconds");
      out.reason = "timeout";
      return out;
    case UpstreamAnswer::Kind::NetworkError:
      out.status = "network_error";
      out.message = unchanged("the upstream could not be reached (" + answer.error + ")");
      out.reason = "network";
      return out;
    case UpstreamAnswer::Kind::NotSent:
      out.status = "error";
      out.message = unchanged("the check was not sent (" + answer.error + ")");
      out.reason = "not sent";
      return out;
    case UpstreamAnswer::Kind::Answered:
      break;
  }
  out.attempt = proxy::classifyResponse(answer.status, answer.body, policy);
  switch (out.attempt.kind) {
    case proxy::OutcomeKind::Success:
      out.status = "valid";
      out.message = "The key is valid.";
      out.action = PoolAction::Validated;
      out.reason = "ok";
      break;
    case proxy::OutcomeKind::Cooldown:
      out.status = "exhausted";
      out.message = "The key is valid but out of quota (" + out.attempt.reason +
                    "); it rests for " + std::string(model) + ".";
      out.action = PoolAction::Cooldown;
      out.reason = out.attempt.reason;
      break;
    case proxy::OutcomeKind::KeyRejected:
      out.status = "error";
      out.message = "The upstream rejected the key (" + out.attempt.reason + ").";
      out.action = PoolAction::Rejected;
      out.reason = out.attempt.reason;
      break;
    case proxy::OutcomeKind::Transient:
      out.status = "error";
      out.message = unchanged("the upstream answered " + out.attempt.reason);
      out.reason = out.attempt.reason;
      break;
    case proxy::OutcomeKind::ClientError:
      out.status = "error";
      out.message = unchanged("the upstream refused the check itself (" + out.attempt.reason +
                              "); check key_validation_model_name and key_validation_method");
      out.reason = out.attempt.reason;
      break;
  }
  return out;
}

void applyCheck(keys::KeyPool& pool, std::int64_t id, const CheckOutcome& outcome,
                std::string_view model, TimePoint now, std::chrono::seconds default_cooldown) {
  using Source = keys::KeyPool::Source;
  switch (outcome.action) {
    case PoolAction::Validated:
      pool.recordValidated(id, "validation: " + outcome.reason);
      break;
    case PoolAction::Cooldown:
      pool.recordCooldown(id, model, proxy::cooldownUntil(outcome.attempt, now, default_cooldown),
                          outcome.reason, Source::Validation);
      break;
    case PoolAction::Rejected:
      pool.recordRejected(id, outcome.reason,
                          outcome.attempt.key_invalid ? keys::KeyPool::Rejection::Conclusive
                                                      : keys::KeyPool::Rejection::Counted,
                          Source::Validation);
      break;
    case PoolAction::None:
      pool.recordTransient(id, Source::Validation);
      break;
  }
}

}  // namespace poise::jobs
