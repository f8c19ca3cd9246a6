#include "dashboard/dashboard_server.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "dashboard/assets.hpp"
#include "dashboard/param_importance.hpp"
#include "dashboard/study_views.hpp"
#include "util/parse_index.hpp"

namespace bertlab::dashboard {

namespace {

// A request the API refuses: its status and the message the client gets.
struct ApiError {
  int status;
  std::string message;
};

// Sends `bytes` as they are, `owner` keeping them alive until sent.
// httplib would otherwise compress whatever the browser accepts, and its
// brotli at the highest quality takes seconds on plotly.js; a content
// provider of known length goes out uncompressed.
void send_uncompressed(httplib::Response& response, std::string_view bytes, const std::string& type,
                       std::shared_ptr<const void> owner = nullptr) {
  response.set_content_provider(
      bytes.size(), type, [bytes, owner](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(bytes.data() + offset, length);
      });
}

void send_json(httplib::Response& response, const nlohmann::json& body) {
  response.status = 200;
  response.set_header("Cache-Control", "no-store");
  auto text = std::make_shared<const std::string>(body.dump());
  send_uncompressed(response, *text, "application/json", text);
}

// Errors are small and go through set_content: the error handler below
// tells an API error already written by its body.
void send_error(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(nlohmann::json{{"error", message}, {"status", status}}.dump(), "application/json");
}

void send_asset(httplib::Response& response, const Asset& asset) {
  response.set_header("X-Content-Type-Options", "nosniff");
  send_uncompressed(response, asset.bytes, std::string(asset.content_type));  // compiled in: never freed
}

// Refuses query parameters the endpoint does not take: a misspelt filter
// must not look like an empty result.
void allow_params(const httplib::Request& request, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : request.params) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string expected;
    for (auto name : allowed) expected += (expected.empty() ? "" : ", ") + std::string(name);
    throw ApiError{400, expected.empty()
                            ? fmt::format("unknown query parameter '{}': this endpoint takes none", key)
                            : fmt::format("unknown query parameter '{}': expected {}", key, expected)};
  }
}

std::int64_t parse_trial_number(const std::string& text) {
  auto number = util::parse_index(text);
  if (!number) throw ApiError{400, fmt::format("expected a trial number (0, 1, ...), got '{}'", text)};
  return *number;
}

std::vector<TrialState> parse_states(const std::string& text) {
  std::vector<TrialState> states;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const auto name = text.substr(start, end - start);
    try {
      states.push_back(store::parse_trial_state(name));
    } catch (const store::StoreError&) {
      throw ApiError{400, fmt::format("unknown trial state '{}' in 'state': expected RUNNING, COMPLETE, PRUNED or "
                                      "FAILED, separated by commas",
                                      name)};
    }
    start = end + 1;
  }
  return states;
}

}  // namespace

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

struct DashboardServer::Impl {
  std::unique_ptr<store::Store> store;
  std::mutex store_mutex;  // a Store is one connection: requests take turns
  ServerSettings settings;
  httplib::Server server;
  // serve() and stop() meet through these, so that a stop() that comes
  // before the listener runs is not lost (httplib's own stop() would be).
  std::atomic<bool> stop_requested{false}, started{false}, finished{false};
  int listen_socket = -1;  // for raising the listen backlog after bind()
  // Importances of each study at the revision they were computed for: the
  // forest is the one costly answer, and a polling page asks again and again.
  std::mutex cache_mutex;
  std::map<std::string, std::pair<std::string, nlohmann::json>> importance_cache;

  store::StudyRecord study_named(const std::string& name) {
    auto study = store->find_study(name);
    if (!study) throw ApiError{404, fmt::format("no study named '{}' in the store", name)};
    return *study;
  }

  void routes();
};

void DashboardServer::Impl::routes() {
  server.new_task_queue = [threads = settings.threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  // Keep-alive connections hold a thread each: idle ones let go quickly so a
  // few polling pages do not starve other requests.
  server.set_keep_alive_timeout(2);
  server.set_socket_options([this](socket_t socket) {
    httplib::default_socket_options(socket);
    listen_socket = socket;
  });
  server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.method == "GET" || request.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    response.set_header("Allow", "GET, HEAD");
    send_error(response, 405, fmt::format("{} is not allowed: the dashboard only reads the store", request.method));
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const ApiError& e) {
      send_error(response, e.status, e.message);
    } catch (const store::StoreError& e) {
      send_error(response, 503, fmt::format("the store could not be read: {}", e.what()));
    } catch (const std::exception& e) {
      send_error(response, 500, e.what());
    } catch (...) {
      send_error(response, 500, "unknown error");
    }
  });
  server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;  // an API error already written
    if (request.path.rfind("/api/", 0) == 0)
      send_error(response, 404, fmt::format("no API endpoint {} (see /api/openapi.json)", request.path));
    else
      response.set_content("404 not found\n", "text/plain");
  });

  // The page: one document for every page path; dashboard.js routes by path.
  auto page = [](const httplib::Request&, httplib::Response& response) {
    send_asset(response, *find_asset("index.html"));
  };
  server.Get("/", page);
  server.Get(R"(/studies/.+)", page);
  server.Get(R"(/static/(.+))", [](const httplib::Request& request, httplib::Response& response) {
    const Asset* asset = find_asset(request.matches[1].str());
    if (!asset || asset->name == "index.html" || asset->name == "openapi.json") throw ApiError{404, "not found"};
    send_asset(response, *asset);
  });
  server.Get("/api/openapi.json", [](const httplib::Request& request, httplib::Response& response) {
    send_asset(response, *find_asset("openapi.json"));
  });

  server.Get("/api/studies", [this](const httplib::Request& request, httplib::Response& response) {
    allow_params(request, {});
    std::vector<store::StudySummary> studies;
    {
      std::lock_guard lock(store_mutex);
      studies = store->list_studies();
    }
    send_json(response, studies_json(studies));
  });
  // Study names may hold '/', so the name is everything up to the last part
  // the route names; registered most specific first.
  server.Get(R"(/api/studies/(.+)/trials/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    allow_params(request, {});
    const auto number = parse_trial_number(request.matches[2].str());
    std::lock_guard lock(store_mutex);
    const auto study = study_named(request.matches[1].str());
    auto trial = store->trial(study.id, number);
    if (!trial) throw ApiError{404, fmt::format("study '{}' has no trial {}", study.name, number)};
    send_json(response, trial_page_json(study, *trial));
  });
  server.Get(R"(/api/studies/(.+)/trials)", [this](const httplib::Request& request, httplib::Response& response) {
    allow_params(request, {"state"});
    std::vector<TrialState> states;
    if (request.has_param("state")) states = parse_states(request.get_param_value("state"));
    std::vector<store::TrialRecord> trials;
    store::StudyRecord study;
    {
      std::lock_guard lock(store_mutex);
      study = study_named(request.matches[1].str());
      trials = store->trials(study.id);
    }
    auto body = trials_json(study, trials);  // the revision counts every trial, filtered or not
    if (!states.empty()) {
      auto kept = nlohmann::json::array();
      for (auto& trial : body["trials"])
        if (std::find(states.begin(), states.end(), store::parse_trial_state(trial["state"])) != states.end())
          kept.push_back(std::move(trial));
      body["trials"] = std::move(kept);
    }
    send_json(response, body);
  });
  server.Get(R"(/api/studies/(.+)/importances)", [this](const httplib::Request& request, httplib::Response& response) {
    allow_params(request, {});
    std::vector<store::TrialRecord> trials;
    store::StudyRecord study;
    {
      std::lock_guard lock(store_mutex);
      study = study_named(request.matches[1].str());
      trials = store->trials(study.id);
    }
    const auto revision = revision_of(trials);
    {
      std::lock_guard lock(cache_mutex);
      auto it = importance_cache.find(study.name);
      if (it != importance_cache.end() && it->second.first == revision) return send_json(response, it->second.second);
    }
    auto body = importances_json(study, param_importances(trials));
    {
      std::lock_guard lock(cache_mutex);
      importance_cache[study.name] = {revision, body};
    }
    send_json(response, body);
  });
  server.Get(R"(/api/studies/(.+))", [this](const httplib::Request& request, httplib::Response& response) {
    allow_params(request, {});
    const auto name = request.matches[1].str();
    std::optional<store::StudySummary> summary;
    std::vector<store::TrialRecord> trials;
    {
      std::lock_guard lock(store_mutex);
      summary = find_summary(*store, name);
      if (!summary) throw ApiError{404, fmt::format("no study named '{}' in the store", name)};
      trials = store->trials(summary->study.id);
    }
    send_json(response, study_json(*summary, trials));
  });
}

DashboardServer::DashboardServer(std::unique_ptr<store::Store> store, ServerSettings settings)
    : impl_(std::make_unique<Impl>()) {
  impl_->store = std::move(store);
  impl_->settings = std::move(settings);
  impl_->routes();
}

DashboardServer::~DashboardServer() { stop(); }

int DashboardServer::bind() {
  const auto& s = impl_->settings;
  const int port = s.port == 0 ? impl_->server.bind_to_any_port(s.host) : (impl_->server.bind_to_port(s.host, s.port) ? s.port : -1);
  if (port < 0)
    throw std::runtime_error(fmt::format("cannot listen on {}:{}: the port is in use or the address is not one of "
                                         "this machine's",
                                         s.host, s.port));
  // httplib listens with a backlog of 5: a page's burst of requests beside
  // a few pollers overflows it, and each dropped connection waits out a SYN
  // retransmission (1 s, 3 s, 7 s, ...). listen() again raises it.
  if (impl_->listen_socket >= 0) ::listen(impl_->listen_socket, SOMAXCONN);
  return port;
}

void DashboardServer::serve() {
  impl_->started = true;
  if (!impl_->stop_requested) impl_->server.listen_after_bind();
  impl_->finished = true;
}

void DashboardServer::stop() {
  if (!impl_) return;
  impl_->stop_requested = true;
  if (impl_->started)
    while (!impl_->server.is_running() && !impl_->finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->server.stop();
}

}  // namespace bertlab::dashboard
