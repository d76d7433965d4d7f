// Round trips and malformed input for smp.proto.Schedule (schedule.proto).

#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "schedulers/schedule.pb.h"

namespace {

using ::google::protobuf::TextFormat;
using ::google::protobuf::util::MessageDifferencer;
using ::smp::proto::Schedule;
using ::testing::ElementsAre;

Schedule MakeSchedule() {
  Schedule s;
  s.set_version(1);
  s.set_target("demo");
  s.set_variant("abba_deadlock");
  s.set_seed(0xdeadbeefcafef00dULL);
  s.set_max_steps(1000);
  for (uint32_t pick : {0u, 1u, 2u, 7u, 4000000000u}) s.add_picks(pick);
  return s;
}

TEST(ScheduleProtoTest, BinaryRoundTrip) {
  const Schedule s = MakeSchedule();
  std::string wire;
  ASSERT_TRUE(s.SerializeToString(&wire));

  Schedule back;
  ASSERT_TRUE(back.ParseFromString(wire));
  EXPECT_TRUE(MessageDifferencer::Equals(s, back));
  EXPECT_EQ(back.version(), 1u);
  EXPECT_EQ(back.target(), "demo");
  EXPECT_EQ(back.variant(), "abba_deadlock");
  EXPECT_EQ(back.seed(), 0xdeadbeefcafef00dULL);
  EXPECT_EQ(back.max_steps(), 1000u);
  EXPECT_THAT(back.picks(), ElementsAre(0u, 1u, 2u, 7u, 4000000000u));
}

TEST(ScheduleProtoTest, PicksArePacked) {
  Schedule s;
  s.add_picks(1);
  s.add_picks(2);
  s.add_picks(3);
  std::string wire;
  ASSERT_TRUE(s.SerializeToString(&wire));
  // Field 6, wire type 2 (length-delimited), length 3, then three varints.
  EXPECT_EQ(wire, std::string("\x32\x03\x01\x02\x03", 5));
}

TEST(ScheduleProtoTest, TextFormatRoundTrip) {
  const Schedule s = MakeSchedule();
  std::string text;
  ASSERT_TRUE(TextFormat::PrintToString(s, &text));
  EXPECT_NE(text.find("target: \"demo\""), std::string::npos) << text;

  Schedule back;
  ASSERT_TRUE(TextFormat::ParseFromString(text, &back));
  EXPECT_TRUE(MessageDifferencer::Equals(s, back));
}

TEST(ScheduleProtoTest, HandWrittenText) {
  Schedule s;
  ASSERT_TRUE(TextFormat::ParseFromString(
      R"pb(version: 1
           target: "demo"
           variant: "abba_deadlock"
           seed: 42
           picks: [ 1, 0, 1 ])pb",
      &s));
  EXPECT_EQ(s.seed(), 42u);
  EXPECT_EQ(s.max_steps(), 0u);  // 0: the scenario's default.
  EXPECT_THAT(s.picks(), ElementsAre(1u, 0u, 1u));
}

TEST(ScheduleProtoTest, EmptyInputIsDefaultMessage) {
  Schedule s;
  ASSERT_TRUE(s.ParseFromString(""));
  // Version 0 is not a known version: readers must reject it.
  EXPECT_EQ(s.version(), 0u);
}

// The wire format does not know which versions exist: an unknown version
// parses and is preserved, so the reader (not the parser) rejects it.
TEST(ScheduleProtoTest, UnknownVersionSurvivesParsingForReaderToReject) {
  Schedule s = MakeSchedule();
  s.set_version(99);
  std::string wire;
  ASSERT_TRUE(s.SerializeToString(&wire));
  Schedule back;
  ASSERT_TRUE(back.ParseFromString(wire));
  EXPECT_EQ(back.version(), 99u);
}

// Fields from a newer writer are kept as unknown fields, not lost.
TEST(ScheduleProtoTest, UnknownFieldsArePreserved) {
  std::string wire = MakeSchedule().SerializeAsString();
  wire += std::string("\xa0\x06\x05", 3);  // Field 100, varint 5.
  Schedule back;
  ASSERT_TRUE(back.ParseFromString(wire));
  EXPECT_EQ(back.SerializeAsString(), wire);
}

class MalformedBinaryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedBinaryTest, FailsToParse) {
  Schedule s;
  EXPECT_FALSE(s.ParseFromString(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, MalformedBinaryTest,
    ::testing::Values(
        // Truncated varint for `version`.
        std::string("\x08\x80", 2),
        // `target` claims 10 bytes, has 2.
        std::string("\x12\x0a" "de", 4),
        // Packed `picks` claims 5 bytes, has 1.
        std::string("\x32\x05\x01", 3),
        // Field number 0 is invalid.
        std::string("\x00\x01", 2),
        // Wire type 7 does not exist.
        std::string("\x0f\x01", 2),
        // Unmatched end-group tag.
        std::string("\x0c", 1),
        // Varint longer than 10 bytes.
        std::string("\x20\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),
        // proto3 `string` must be valid UTF-8.
        std::string("\x12\x02\xff\xfe", 4)));

class MalformedTextTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedTextTest, FailsToParse) {
  Schedule s;
  EXPECT_FALSE(TextFormat::ParseFromString(GetParam(), &s));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, MalformedTextTest,
    ::testing::Values("no_such_field: 1",         //
                      "version: -1",              // uint32 is unsigned.
                      "version: 4294967296",      // Out of uint32 range.
                      "picks: [1, 2",             // Unterminated list.
                      "target: demo",             // Unquoted string.
                      "seed: \"42\""));           // String for an integer.

}  // namespace

int main(int argc, char** argv) {
  // Expected parse failures log errors; keep the test output readable.
  google::protobuf::SetLogHandler(nullptr);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
