// The observer's rendering on its own: JSON documents of processes, crashes, environments and
// the node (valid JSON whatever the text in them), and the Prometheus text format.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "observer/render.hpp"

namespace lunatic::observer {
namespace {

using nlohmann::json;
using runtime::ProcessInfo;

ProcessInfo sample_process() {
  ProcessInfo p;
  p.id = 42;
  p.names = {"db", "quote\" back\\slash\nnewline"};
  p.state = runtime::ProcessState::Sleeping;
  p.mailbox_messages = 3;
  p.mailbox_bytes = 24;
  p.memory_bytes = 131072;
  p.fuel_used = 10;
  p.fuel_left = 90;
  p.slices = 7;
  p.environment = 2;
  p.links = {{5, 1}, {9, -3}};
  p.monitored_by = 1;
  p.monitoring = 2;
  p.die_when_link_dies = false;
  p.module = std::string("app\xff.wasm");  // not UTF-8: a file name may be anything
  p.entry = "_start";
  p.start_time_ms = 1700000000000;
  return p;
}

TEST(RenderJson, ProcessHasEveryField) {
  json p = json::parse(process_json(sample_process()));
  EXPECT_EQ(p["id"], 42);
  EXPECT_EQ(p["names"][1], "quote\" back\\slash\nnewline");
  EXPECT_EQ(p["state"], "sleeping");
  EXPECT_EQ(p["mailbox"]["messages"], 3);
  EXPECT_EQ(p["mailbox"]["bytes"], 24);
  EXPECT_EQ(p["memory_bytes"], 131072);
  EXPECT_EQ(p["fuel_used"], 10);
  EXPECT_EQ(p["fuel_left"], 90);
  EXPECT_EQ(p["slices"], 7);
  EXPECT_EQ(p["environment"], 2);
  ASSERT_EQ(p["links"].size(), 2u);
  EXPECT_EQ(p["links"][1]["process"], 9);
  EXPECT_EQ(p["links"][1]["tag"], -3);
  EXPECT_EQ(p["monitored_by"], 1);
  EXPECT_EQ(p["monitoring"], 2);
  EXPECT_EQ(p["die_when_link_dies"], false);
  EXPECT_EQ(p["module"], "app\xEF\xBF\xBD.wasm");  // U+FFFD for the stray byte
  EXPECT_EQ(p["entry"], "_start");
  EXPECT_EQ(p["start_time_ms"], 1700000000000);
}

TEST(RenderJson, UnlimitedFuelIsNull) {
  ProcessInfo p = sample_process();
  p.fuel_used.reset();
  p.fuel_left.reset();
  json j = json::parse(process_json(p));
  EXPECT_TRUE(j["fuel_used"].is_null());
  EXPECT_TRUE(j["fuel_left"].is_null());
}

TEST(RenderJson, ListsCountTheirProcesses) {
  json empty = json::parse(processes_json({}, 0));
  EXPECT_EQ(empty["count"], 0);
  EXPECT_TRUE(empty["processes"].is_array());
  json two = json::parse(processes_json({sample_process(), sample_process()}, 2));
  EXPECT_EQ(two["count"], 2);
  EXPECT_EQ(two["processes"][1]["id"], 42);
  // A limited list: the count is of all live processes.
  json limited = json::parse(processes_json({sample_process()}, 500));
  EXPECT_EQ(limited["count"], 500);
  EXPECT_EQ(limited["processes"].size(), 1u);
}

TEST(RenderJson, CrashWithBacktrace) {
  runtime::CrashInfo c;
  c.id = 7;
  c.names = {"calculator"};
  c.reason = "trap: integer divide by zero";
  c.backtrace = {{10, "divide", 0x1f3}, {9, "", 0x201}};
  c.links = {{3, 0}};
  c.end_time_ms = 5;
  json j = json::parse(crash_json(c));
  EXPECT_EQ(j["state"], "crashed");
  EXPECT_EQ(j["reason"], "trap: integer divide by zero");
  ASSERT_EQ(j["backtrace"].size(), 2u);
  EXPECT_EQ(j["backtrace"][0]["function_name"], "divide");
  EXPECT_EQ(j["backtrace"][0]["offset"], 0x1f3);
  EXPECT_EQ(j["backtrace"][1]["function_index"], 9);
  EXPECT_EQ(j["links"][0]["process"], 3);
  EXPECT_TRUE(j["supervisor"].is_null());
  c.supervisor = 3;
  EXPECT_EQ(json::parse(crash_json(c))["supervisor"], 3);
  c.killed = true;
  EXPECT_EQ(json::parse(crash_json(c))["state"], "killed");
  EXPECT_EQ(json::parse(crashes_json({c, c}))["crashes"].size(), 2u);
}

TEST(RenderJson, EnvironmentLimitsNullWhenUnlimited) {
  runtime::EnvironmentInfo e;
  e.id = 3;
  e.parent = 1;
  e.max_memory_pages = 16;
  e.max_processes = UINT64_MAX;
  e.max_names = 4;
  e.max_resources = UINT64_MAX;
  e.allowed = {"lunatic::message"};
  e.live_processes = 2;
  e.registered_names = 1;
  e.memory_bytes = 65536;
  json j = json::parse(environments_json({e}))["environments"][0];
  EXPECT_EQ(j["id"], 3);
  EXPECT_EQ(j["parent"], 1);
  EXPECT_EQ(j["limits"]["max_memory_bytes"], 16 * 65536);
  EXPECT_TRUE(j["limits"]["max_fuel"].is_null());
  EXPECT_TRUE(j["limits"]["max_processes"].is_null());
  EXPECT_EQ(j["limits"]["max_names"], 4);
  EXPECT_EQ(j["limits"]["allowed"][0], "lunatic::message");
  EXPECT_EQ(j["usage"]["processes"], 2);
  EXPECT_EQ(j["usage"]["names"], 1);
  EXPECT_EQ(j["usage"]["memory_bytes"], 65536);
}

TEST(RenderJson, NodeInSeconds) {
  runtime::NodeInfo n;
  n.processes = 4;
  n.spawns_total = 10;
  n.messages_sent_total = 99;
  n.uptime_ns = 2'500'000'000;
  n.workers = {{0, 1'500'000'000, 12}, {1, 0, 0}};
  json j = json::parse(node_json(n));
  EXPECT_EQ(j["processes"], 4);
  EXPECT_EQ(j["spawns_total"], 10);
  EXPECT_EQ(j["messages_sent_total"], 99);
  EXPECT_DOUBLE_EQ(j["uptime_seconds"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(j["workers"][0]["busy_seconds"].get<double>(), 1.5);
  EXPECT_EQ(j["workers"][0]["slices"], 12);
  EXPECT_EQ(json::parse(error_json("bad \"id\""))["error"], "bad \"id\"");
}

/// The lines of `text` that are samples of `name` (not comments).
std::vector<std::string> samples(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0 || line.rfind(name + "{", 0) == 0) out.push_back(line);
  }
  return out;
}

TEST(RenderMetrics, FamiliesAndValues) {
  runtime::NodeInfo n;
  n.processes = 2;
  n.spawns_total = 5;
  n.messages_sent_total = 17;
  n.crashes_total = 1;
  n.memory_bytes = 131072;
  n.workers = {{0, 250'000'000, 3}, {1, 0, 0}};
  runtime::EnvironmentInfo e;
  e.id = 1;
  e.live_processes = 2;
  ProcessInfo p = sample_process();
  const std::string text = metrics_text(n, {e}, {p});
  EXPECT_EQ(samples(text, "lunatic_processes"), std::vector<std::string>{"lunatic_processes 2"});
  EXPECT_EQ(samples(text, "lunatic_spawns_total"),
            std::vector<std::string>{"lunatic_spawns_total 5"});
  EXPECT_EQ(samples(text, "lunatic_messages_sent_total"),
            std::vector<std::string>{"lunatic_messages_sent_total 17"});
  EXPECT_EQ(samples(text, "lunatic_worker_busy_seconds_total"),
            (std::vector<std::string>{"lunatic_worker_busy_seconds_total{worker=\"0\"} 0.25",
                                      "lunatic_worker_busy_seconds_total{worker=\"1\"} 0"}));
  EXPECT_EQ(samples(text, "lunatic_environment_processes"),
            std::vector<std::string>{"lunatic_environment_processes{environment=\"1\"} 2"});
  EXPECT_EQ(samples(text, "lunatic_process_memory_bytes"),
            std::vector<std::string>{"lunatic_process_memory_bytes{process=\"42\",name=\"db\"} "
                                     "131072"});
  EXPECT_NE(text.find("# TYPE lunatic_spawns_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE lunatic_processes gauge\n"), std::string::npos);
  // Every line is a comment or "name[{labels}] value", and the text ends with a newline.
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    EXPECT_EQ(line.rfind("lunatic_", 0), 0u) << line;
    EXPECT_NE(line.find(' '), std::string::npos) << line;
  }
  EXPECT_EQ(text.back(), '\n');
}

TEST(RenderMetrics, LabelsAreEscaped) {
  EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  ProcessInfo p = sample_process();
  p.names = {"x\"y"};
  const std::string text = metrics_text({}, {}, {p});
  EXPECT_NE(text.find("{process=\"42\",name=\"x\\\"y\"}"), std::string::npos);
}

TEST(RenderMetrics, PerProcessSeriesAreCapped) {
  std::vector<ProcessInfo> many(kMaxProcessSeries + 5);
  for (size_t i = 0; i < many.size(); ++i) many[i].id = i + 1;
  const std::string text = metrics_text({}, {}, many);
  EXPECT_EQ(samples(text, "lunatic_process_memory_bytes").size(), kMaxProcessSeries);
  EXPECT_EQ(samples(text, "lunatic_process_slices_total").size(), kMaxProcessSeries);
}

}  // namespace
}  // namespace lunatic::observer
