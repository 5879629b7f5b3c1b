// The observer's routes against a live runtime (api.hpp's handle, no HTTP), and the server
// itself on a loopback port: the page, the API, kills, and errors for bad requests.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/compiled_module.hpp"
#include "observer/api.hpp"
#include "observer/observer.hpp"
#include "runtime/runtime.hpp"
#include "text/text.hpp"

namespace lunatic::observer {
namespace {

using nlohmann::json;

class Api : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bytes = text::parse_module(R"((module (memory 2)
      (func (export "spin") (loop $l (br $l)))))");
    ASSERT_TRUE(bytes.ok());
    auto module = engine::compile(*bytes);
    ASSERT_TRUE(module.ok());
    runtime_ = std::make_unique<runtime::Runtime>(runtime::RuntimeConfig{.workers = 1});
    for (int i = 0; i < 2; ++i) {
      runtime::SpawnOptions options;
      options.module = *module;
      options.environment = env_;
      options.entry = "spin";
      options.module_name = "spin.wasm";
      auto id = runtime_->spawn(std::move(options));
      ASSERT_TRUE(id.ok());
      ids_.push_back(*id);
    }
  }
  void TearDown() override { runtime_.reset(); }

  std::shared_ptr<runtime::Environment> env_ = runtime::Environment::create({});
  std::unique_ptr<runtime::Runtime> runtime_;
  std::vector<runtime::ProcessId> ids_;
};

TEST_F(Api, ListsAndShowsProcesses) {
  Reply r = handle(*runtime_, "GET", "/api/processes");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  json list = json::parse(r.body);
  ASSERT_EQ(list["count"], 2);
  EXPECT_EQ(list["processes"][0]["id"], ids_[0]);
  EXPECT_EQ(list["processes"][1]["module"], "spin.wasm");
  EXPECT_EQ(list["processes"][1]["memory_bytes"], 2 * 65536);

  json limited = json::parse(handle(*runtime_, "GET", "/api/processes", "1").body);
  EXPECT_EQ(limited["count"], 2);
  ASSERT_EQ(limited["processes"].size(), 1u);
  EXPECT_EQ(limited["processes"][0]["id"], ids_[0]);  // the lowest id
  EXPECT_EQ(json::parse(handle(*runtime_, "GET", "/api/processes", "0").body)["processes"].size(),
            0u);
  EXPECT_EQ(handle(*runtime_, "GET", "/api/processes", "ten").status, 400);
  EXPECT_EQ(handle(*runtime_, "GET", "/api/processes", "-1").status, 400);

  r = handle(*runtime_, "GET", "/api/processes/" + std::to_string(ids_[1]));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["entry"], "spin");

  json node = json::parse(handle(*runtime_, "GET", "/api/node").body);
  EXPECT_EQ(node["processes"], 2);
  EXPECT_EQ(node["spawns_total"], 2);
  EXPECT_EQ(node["workers"].size(), 1u);
  json envs = json::parse(handle(*runtime_, "GET", "/api/environments").body);
  ASSERT_EQ(envs["environments"].size(), 1u);
  EXPECT_EQ(envs["environments"][0]["id"], env_->id());

  r = handle(*runtime_, "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(r.body.find("\nlunatic_processes 2\n"), std::string::npos);
}

TEST_F(Api, KillsThroughThePostRoute) {
  const std::string path = "/api/processes/" + std::to_string(ids_[0]) + "/kill";
  EXPECT_EQ(handle(*runtime_, "GET", path).status, 405);
  Reply r = handle(*runtime_, "POST", path);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["killed"], ids_[0]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (runtime_->exists(ids_[0]) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(runtime_->exists(ids_[0]));
  // Gone from the list, but its end is on record: the record is written just after the
  // process leaves the registry (Runtime::finish), so it may take a moment to appear.
  const std::string one = "/api/processes/" + std::to_string(ids_[0]);
  r = handle(*runtime_, "GET", one);
  while (r.status == 404 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    r = handle(*runtime_, "GET", one);
  }
  EXPECT_EQ(r.status, 200);
  json killed = json::parse(r.body);
  EXPECT_EQ(killed["state"], "killed");
  EXPECT_EQ(killed["reason"], "killed: by the observer");
  EXPECT_EQ(json::parse(handle(*runtime_, "GET", "/api/processes").body)["count"], 1);
  EXPECT_EQ(handle(*runtime_, "POST", path).status, 404);  // not alive any more
  EXPECT_TRUE(runtime_->exists(ids_[1]));
}

TEST_F(Api, ErrorsAreJsonWithTheRightStatus) {
  const std::pair<std::string, int> cases[] = {
      {"/nope", 404},
      {"/api", 404},
      {"/api/processes/abc", 400},
      {"/api/processes/", 200},
      {"/api/processes/99999", 404},
      {"/api/processes/1/kil", 404},
      {"/api/processes//kill", 400},
      {std::string("/api/processes/") + std::string(5000, '9'), 400},
      {std::string("/api/processes/1\0x", 18), 400},
  };
  for (const auto& [path, status] : cases) {
    Reply r = handle(*runtime_, "GET", path);
    EXPECT_EQ(r.status, status) << path;
    if (status != 200) {
      EXPECT_TRUE(json::parse(r.body).contains("error")) << path;
    }
  }
  EXPECT_EQ(handle(*runtime_, "DELETE", "/api/node").status, 405);
  EXPECT_EQ(handle(*runtime_, "POST", "/metrics").status, 405);
  EXPECT_EQ(handle(*runtime_, "HEAD", "/api/node").status, 200);
}

TEST_F(Api, ThePageIsOneDocument) {
  Reply r = handle(*runtime_, "GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body.find("/*OBSERVER_"), std::string::npos);  // CSS and script put in
  EXPECT_NE(r.body.find("dataset.processId"), std::string::npos);
  EXPECT_NE(r.body.find("<canvas"), std::string::npos);
  EXPECT_NE(r.body.find("prefers-color-scheme"), std::string::npos);
  EXPECT_EQ(r.body.find("http"), r.body.find("http://www.w3.org"));  // no CDN: only the SVG ns
}

/// One HTTP/1.0 exchange with 127.0.0.1:`port`; the whole response.
std::string exchange(uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return "";
  }
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
  close(fd);
  return response;
}

TEST_F(Api, ServesOnLoopbackWithoutAToken) {
  Result<std::unique_ptr<Observer>> observer = Observer::start(*runtime_, {});
  ASSERT_TRUE(observer.ok()) << observer.error().message;
  const uint16_t port = (*observer)->port();
  EXPECT_NE(port, 0);
  EXPECT_EQ((*observer)->token(), "");
  EXPECT_EQ((*observer)->url(), "http://127.0.0.1:" + std::to_string(port) + "/");
  std::string r = exchange(port, "GET /api/node HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  EXPECT_NE(r.find("\"processes\":2"), std::string::npos);
  r = exchange(port, "GET /api/node HTTP/1.0\r\nHost: rebound.example\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 403", 0), 0u) << r;
  r = exchange(port, "BREW /pot HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
}

TEST_F(Api, RequiresTheTokenItWasGiven) {
  ObserverConfig config;
  config.token = "t0ken";
  Result<std::unique_ptr<Observer>> observer = Observer::start(*runtime_, config);
  ASSERT_TRUE(observer.ok());
  const uint16_t port = (*observer)->port();
  EXPECT_NE((*observer)->url().find("?token=t0ken"), std::string::npos);
  std::string r = exchange(port, "GET /metrics HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 401", 0), 0u) << r;
  r = exchange(port, "GET /metrics HTTP/1.0\r\nAuthorization: Bearer t0ken\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  r = exchange(port, "GET /metrics?token=t0ken HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
}

TEST_F(Api, StartFailsOnABadOrBusyAddress) {
  Result<std::unique_ptr<Observer>> bad = Observer::start(*runtime_, {.address = "nowhere"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().phase, Phase::Usage);
  Result<std::unique_ptr<Observer>> first = Observer::start(*runtime_, {});
  ASSERT_TRUE(first.ok());
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  Result<std::unique_ptr<Observer>> second = Observer::start(*runtime_, {.address = taken});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace lunatic::observer
