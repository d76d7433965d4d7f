// Fuzz target: arbitrary bytes parsed as an smp.proto.Schedule.
//
// Parsing must never crash. A message that parses must survive a binary
// round trip unchanged; its text form must parse back to the same message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "schedulers/schedule.pb.h"

// Silences protobuf's log lines (e.g. invalid UTF-8 in a string field), which
// would otherwise flood the fuzzer's output.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  smp::proto::Schedule schedule;
  if (!schedule.ParseFromArray(data, static_cast<int>(size))) return 0;

  std::string wire;
  if (!schedule.SerializeToString(&wire)) std::abort();
  smp::proto::Schedule again;
  if (!again.ParseFromString(wire)) std::abort();
  if (!google::protobuf::util::MessageDifferencer::Equals(schedule, again)) {
    std::abort();
  }

  // Unknown fields have no text form; compare the known ones only.
  again.DiscardUnknownFields();
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(again, &text)) std::abort();
  smp::proto::Schedule from_text;
  if (!google::protobuf::TextFormat::ParseFromString(text, &from_text)) {
    std::abort();
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(again, from_text)) {
    std::abort();
  }
  return 0;
}
