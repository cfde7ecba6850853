#include "keys/key_status_machine.h"

#include <algorithm>
#include <cassert>

namespace poise::keys {

std::string_view toString(KeyStatus s) {
  switch (s) {
    case KeyStatus::Active:
      return "active";
    case KeyStatus::Exhausted:
      return "exhausted";
    case KeyStatus::Error:
      return "error";
    case KeyStatus::Disabled:
      return "disabled";
  }
  return "error";
}

std::optional<KeyStatus> parseKeyStatus(std::string_view s) {
  if (s == "active") return KeyStatus::Active;
  if (s == "exhausted") return KeyStatus::Exhausted;
  if (s == "error") return KeyStatus::Error;
  if (s == "disabled") return KeyStatus::Disabled;
  return std::nullopt;
}

KeyStatusMachine::Record& KeyStatusMachine::at(KeyRef key) {
  assert(key.slot < records_.size() && records_[key.slot].present);
  return records_[key.slot];
}

const KeyStatusMachine::KeyState& KeyStatusMachine::state(KeyRef key) const {
  assert(key.slot < records_.size() && records_[key.slot].present);
  return records_[key.slot].state;
}

std::int64_t KeyStatusMachine::count(KeyStatus status) const {
  return counts_[static_cast<std::size_t>(status)];
}

void KeyStatusMachine::add(KeyRef key, const KeyState& state) {
  if (key.slot >= records_.size()) records_.resize(key.slot + 1);
  Record& r = records_[key.slot];
  assert(!r.present);
  r = Record{.present = true, .state = state};
  countStatus(state.status, +1);
}

void KeyStatusMachine::edit(KeyRef key, const KeyState& state, bool keep_state) {
  Record& r = at(key);
  KeyState next = state;
  next.usage_count = r.state.usage_count;
  if (keep_state) {
    next.status = r.state.status;
    next.failed_count = r.state.failed_count;
  }
  if (r.state.last_used_at && (!next.last_used_at || *next.last_used_at < *r.state.last_used_at)) {
    next.last_used_at = r.state.last_used_at;
  }
  countStatus(r.state.status, -1);
  countStatus(next.status, +1);
  r.state = next;
}

void KeyStatusMachine::remove(KeyRef key) {
  Record& r = at(key);
  countStatus(r.state.status, -1);
  r = Record{};
  deltas_.erase(key.id);
}

void KeyStatusMachine::clear() {
  records_.clear();
  counts_ = {};
  deltas_.clear();
}

KeyDelta& KeyStatusMachine::delta(KeyRef key) {
  auto& p = deltas_[key.id];
  p.slot = key.slot;
  p.delta.id = key.id;
  return p.delta;
}

void KeyStatusMachine::countUse(KeyRef key, Record& r, Source source, TimePoint now) {
  auto& d = delta(key);
  d.failed_count = r.state.failed_count;
  if (source != Source::Proxy) return;
  d.usage_increment += 1;
  d.last_used_at = now;
  if (r.state.usage_count) ++*r.state.usage_count;
  r.state.last_used_at = now;
}

KeyStatusMachine::Transition KeyStatusMachine::changeStatus(KeyRef key, Record& r, KeyStatus to,
                                                            std::string reason, TimePoint now) {
  const Transition t{r.state.status, to};
  auto& d = delta(key);
  if (!d.old_status) d.old_status = r.state.status;
  d.new_status = to;
  d.reason = std::move(reason);
  d.changed_at = now;
  countStatus(r.state.status, -1);
  countStatus(to, +1);
  r.state.status = to;
  r.streak_start.reset();
  r.streak_429s = 0;
  return t;
}

std::optional<KeyStatusMachine::Transition> KeyStatusMachine::recordSuccess(KeyRef key,
                                                                            Source source,
                                                                            TimePoint now) {
  Record& r = at(key);
  r.state.failed_count = 0;
  r.streak_start.reset();
  r.streak_429s = 0;
  countUse(key, r, source, now);
  return std::nullopt;
}

std::optional<KeyStatusMachine::Transition> KeyStatusMachine::recordCooldown(
    KeyRef key, std::string_view reason, Source source, TimePoint now) {
  Record& r = at(key);
  countUse(key, r, source, now);
  if (source == Source::Validation) {
    if (r.state.status != KeyStatus::Error) return std::nullopt;
    return changeStatus(key, r, KeyStatus::Exhausted, "validation: " + std::string(reason), now);
  }
  if (!r.streak_start) r.streak_start = now;
  ++r.streak_429s;
  const auto window = rules_.exhausted_window;
  if (r.state.status != KeyStatus::Active || window.count() <= 0 ||
      r.streak_429s < rules_.exhausted_min_429s || now - *r.streak_start < window) {
    return std::nullopt;
  }
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - *r.streak_start);
  return changeStatus(key, r, KeyStatus::Exhausted,
                      "every attempt for " + std::to_string(secs.count()) + "s was a 429 (" +
                          std::to_string(r.streak_429s) +
                          " attempts; last: " + std::string(reason) + ")",
                      now);
}

std::optional<KeyStatusMachine::Transition> KeyStatusMachine::recordRejected(
    KeyRef key, std::string reason, Rejection kind, Source source, TimePoint now) {
  Record& r = at(key);
  if (r.state.status == KeyStatus::Disabled) return std::nullopt;
  r.state.failed_count += 1;
  r.streak_start.reset();
  r.streak_429s = 0;
  countUse(key, r, source, now);
  const std::int64_t threshold = std::max(1, rules_.max_failed_count);
  if (kind == Rejection::Counted && r.state.failed_count < threshold) return std::nullopt;
  if (kind == Rejection::Counted && threshold > 1) {
    reason += " (" + std::to_string(r.state.failed_count) + " in a row)";
  }
  if (r.state.status == KeyStatus::Error) return std::nullopt;
  return changeStatus(key, r, KeyStatus::Error,
                      source == Source::Validation ? "validation: " + reason : std::move(reason),
                      now);
}

std::optional<KeyStatusMachine::Transition> KeyStatusMachine::recordTransient(KeyRef key,
                                                                              Source source,
                                                                              TimePoint now) {
  Record& r = at(key);
  r.streak_start.reset();
  r.streak_429s = 0;
  countUse(key, r, source, now);
  return std::nullopt;
}

std::optional<KeyStatusMachine::Transition> KeyStatusMachine::recordValidated(KeyRef key,
                                                                              std::string reason,
                                                                              TimePoint now) {
  Record& r = at(key);
  if (r.state.status == KeyStatus::Disabled) return std::nullopt;
  r.state.failed_count = 0;
  delta(key).failed_count = 0;
  if (r.state.status == KeyStatus::Active) return std::nullopt;
  return changeStatus(key, r, KeyStatus::Active, std::move(reason), now);
}

LiveKeyState KeyStatusMachine::live(KeyRef key, std::optional<std::int64_t> stored_usage) {
  Record& r = at(key);
  std::int64_t unflushed = 0;
  std::optional<LiveKeyState::Change> change;
  if (auto it = deltas_.find(key.id); it != deltas_.end()) {
    const KeyDelta& d = it->second.delta;
    unflushed = d.usage_increment;
    if (d.new_status && d.old_status) {
      change = LiveKeyState::Change{*d.old_status, *d.new_status, d.reason, d.changed_at};
    }
  }
  if (!r.state.usage_count && r.drained_uses == 0 && stored_usage) {
    // Nothing of this key reached storage since it was added: the row is the count at load.
    r.state.usage_count = *stored_usage + unflushed;
  }
  return LiveKeyState{.id = key.id,
                      .status = r.state.status,
                      .failed_count = r.state.failed_count,
                      .last_used_at = r.state.last_used_at,
                      .usage_count = r.state.usage_count,
                      .unflushed_uses = unflushed,
                      .unflushed_change = std::move(change)};
}

std::vector<KeyDelta> KeyStatusMachine::drain() {
  std::vector<KeyDelta> out;
  out.reserve(deltas_.size());
  for (auto& [id, p] : deltas_) {
    records_[p.slot].drained_uses += p.delta.usage_increment;
    out.push_back(std::move(p.delta));
  }
  deltas_.clear();
  return out;
}

}  // namespace poise::keys
