// `bertlab dashboard` and `bertlab report`: the JSON API on a fixture store
// (every endpoint, answers checked against openapi.json with jsonschema,
// bad requests, path traversal, 100 requests at once), and the pages in a
// real headless browser (Debian's chromium, driven by Selenium through
// Debian's chromedriver): plots drawn with the right number of points, no
// console errors, a trial added while the page is open appearing in it.
#include <signal.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "dashboard/dashboard_server.hpp"
#include "dashboard/param_importance.hpp"
#include "run_python.hpp"
#include "store/store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace bertlab;
using nlohmann::json;
using test::run_bertlab;
using test::run_python;

namespace {

constexpr const char* kExperiment =
    "[model]\npath = \"models/minilm\"\n[head]\nplugin = \"sequence-classification\"\n"
    "[data]\ntrain = \"train.tsv\"\neval = \"dev.tsv\"\n[search]\ntrials = 8\nmetric = \"accuracy\"\n";

// A search of 8 trials: 6 COMPLETE whose value follows the learning rate
// (batch size and warmup barely matter), one PRUNED and one FAILED, run by
// two workers; and a study whose name holds a '/', with no trials.
void fill_store(const std::string& db) {
  auto store = store::open_store(db);
  const auto study = store->get_or_create_study("sst2-search", kExperiment, "accuracy", Direction::maximize, "/exp/sst2.toml");
  const double rates[] = {1e-5, 2e-5, 4e-5, 8e-5, 1.6e-4, 3.2e-4, 6.4e-4, 1.28e-3};
  for (int i = 0; i < 8; ++i) {
    const auto trial = store->create_trial(study.id, [&](const auto&, const auto&) {
      store::TrialInit init;
      init.params = {{"learning_rate", rates[i]}, {"batch_size", i % 2 ? 32 : 16}, {"warmup_ratio", 0.05 * (i % 3)}};
      init.seed = 42 + i;
      init.plugins = {{"searcher/random", "1.0.0"}, {"head/sequence-classification", "1.0.0"}};
      init.data_fingerprint = "fingerprint-sst2";
      return init;
    });
    const double value = 0.9 - 0.05 * std::abs(std::log2(rates[i] / 8e-5)) + 0.001 * (i % 2);
    const int steps = i == 6 ? 1 : 3;
    for (int step = 0; step < steps; ++step)
      store->report_intermediate(trial.id, 100 * (step + 1), {{"eval_accuracy", value - 0.02 * (2 - step)}, {"train_loss", 0.7 - 0.1 * step}});
    store->set_attribute(trial.id, "worker", i % 2 ? "hostA:101" : "hostB:202");
    store->set_attribute(trial.id, "tokens_per_second", 5000.0 + i);
    if (i == 7) {
      store->finish_trial(trial.id, TrialState::failed, std::nullopt, "non-finite loss (nan) at step 12");
    } else if (i == 6) {
      store->finish_trial(trial.id, TrialState::pruned, value - 0.04, "pruned at step 100 by median");
    } else {
      store->add_artifact(trial.id, "model", "models/sst2-search/" + std::to_string(i));
      store->finish_trial(trial.id, TrialState::complete, value, "");
    }
  }
  store->get_or_create_study("team/baseline", kExperiment, "accuracy", Direction::maximize);
}

// A dashboard on `db` in this process, on a free loopback port.
class LiveDashboard {
 public:
  explicit LiveDashboard(const std::string& db)
      : server_(store::open_store(db, /*read_only=*/true), {.host = "127.0.0.1", .port = 0, .threads = 16}) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.serve(); });
  }
  ~LiveDashboard() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  httplib::Result get(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30);
    return client.Get(path);
  }

 private:
  dashboard::DashboardServer server_;
  int port_ = 0;
  std::thread thread_;
};

json get_json(const LiveDashboard& dashboard, const std::string& path, int status = 200) {
  auto result = dashboard.get(path);
  REQUIRE_MESSAGE(result, "no answer to ", path);
  INFO(path, " -> ", result->body.substr(0, 300));
  CHECK(result->status == status);
  CHECK(result->get_header_value("Content-Type") == "application/json");
  return json::parse(result->body);
}

}  // namespace

TEST_CASE("dashboard API: every endpoint on a fixture store") {
  test::ScratchDir dir;
  const auto db = (dir / "bertlab.db").string();
  fill_store(db);
  LiveDashboard dashboard(db);

  const auto studies = get_json(dashboard, "/api/studies")["studies"];
  REQUIRE(studies.size() == 2);
  const auto& sst2 = studies[0];
  CHECK(sst2["name"] == "sst2-search");
  CHECK(sst2["trials"] == 8);
  CHECK(sst2["states"] == json{{"RUNNING", 0}, {"COMPLETE", 6}, {"PRUNED", 1}, {"FAILED", 1}});
  CHECK(sst2["best_trial"] == 3);  // learning rate 8e-5
  CHECK(sst2["model"] == "models/minilm");
  CHECK(sst2["head"] == "sequence-classification");
  CHECK(studies[1]["name"] == "team/baseline");
  CHECK(studies[1]["best_value"].is_null());

  const auto study = get_json(dashboard, "/api/studies/sst2-search");
  CHECK(study["params"] == json{"batch_size", "learning_rate", "warmup_ratio"});
  CHECK(study["intermediate_names"] == json{"eval_accuracy", "train_loss"});
  CHECK(study["experiment"] == kExperiment);
  CHECK(study["experiment_file"] == "/exp/sst2.toml");
  // A '/' in a name travels percent-encoded.
  CHECK(get_json(dashboard, "/api/studies/team%2Fbaseline")["trials"] == 0);
  CHECK(get_json(dashboard, "/api/studies/team%2Fbaseline/trials")["trials"].empty());

  const auto trials = get_json(dashboard, "/api/studies/sst2-search/trials");
  REQUIRE(trials["trials"].size() == 8);
  CHECK(trials["trials"][7]["state"] == "FAILED");
  CHECK(trials["trials"][7]["error"] == "non-finite loss (nan) at step 12");
  CHECK(trials["trials"][3]["attributes"]["worker"] == "hostA:101");
  CHECK(trials["trials"][0]["intermediate_values"].size() == 6);
  const auto failed_and_pruned = get_json(dashboard, "/api/studies/sst2-search/trials?state=PRUNED,FAILED");
  REQUIRE(failed_and_pruned["trials"].size() == 2);
  CHECK(failed_and_pruned["revision"] == trials["revision"]);

  const auto trial = get_json(dashboard, "/api/studies/sst2-search/trials/3");
  CHECK(trial["trial"]["number"] == 3);
  CHECK(trial["trial"]["seed"] == 45);
  CHECK(trial["trial"]["artifacts"][0]["path"] == "models/sst2-search/3");
  CHECK(trial["study"]["experiment"] == kExperiment);

  // The value follows the learning rate: the forest must rank it first.
  const auto importances = get_json(dashboard, "/api/studies/sst2-search/importances");
  CHECK(importances["trials_used"] == 6);
  REQUIRE(importances["importances"].size() == 3);
  CHECK(importances["importances"][0]["param"] == "learning_rate");
  CHECK(importances["importances"][0]["importance"].get<double>() > 0.5);
  double total = 0.0;
  for (const auto& p : importances["importances"]) total += p["importance"].get<double>();
  CHECK(total == doctest::Approx(1.0));
  CHECK(std::string(importances["method"]).find("permutation importance on a random forest") == 0);

  const auto openapi = get_json(dashboard, "/api/openapi.json");
  CHECK(openapi["openapi"] == "3.1.0");

  // The page and its files; the same document for every page path.
  auto page = dashboard.get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("/static/dashboard.js") != std::string::npos);
  CHECK(dashboard.get("/studies/sst2-search/trials/3")->body == page->body);
  auto plotly = dashboard.get("/static/plotly.min.js");
  REQUIRE(plotly);
  CHECK(plotly->status == 200);
  CHECK(plotly->body.size() > 1'000'000);
  CHECK(plotly->body.find("plotly.js") != std::string::npos);
  CHECK(dashboard.get("/static/dashboard.css")->status == 200);
}

TEST_CASE("dashboard API: answers match openapi.json") {
  test::ScratchDir dir;
  const auto db = (dir / "bertlab.db").string();
  fill_store(db);
  LiveDashboard dashboard(db);
  // Each answer validated against its operation's schema for that status,
  // the document itself checked as an OpenAPI 3.1 schema set first.
  const auto report = run_python(R"py(
import json, sys, urllib.request, urllib.error
import jsonschema
base = sys.argv[1]
doc = json.load(urllib.request.urlopen(base + "/api/openapi.json"))
checks = [
  ("/api/studies", "/api/studies", 200),
  ("/api/studies/sst2-search", "/api/studies/{study}", 200),
  ("/api/studies/team%2Fbaseline", "/api/studies/{study}", 200),
  ("/api/studies/nope", "/api/studies/{study}", 404),
  ("/api/studies/sst2-search/trials", "/api/studies/{study}/trials", 200),
  ("/api/studies/sst2-search/trials?state=COMPLETE", "/api/studies/{study}/trials", 200),
  ("/api/studies/sst2-search/trials?state=DONE", "/api/studies/{study}/trials", 400),
  ("/api/studies/sst2-search/trials?limit=3", "/api/studies/{study}/trials", 400),
  ("/api/studies/sst2-search/trials/0", "/api/studies/{study}/trials/{number}", 200),
  ("/api/studies/sst2-search/trials/7", "/api/studies/{study}/trials/{number}", 200),
  ("/api/studies/sst2-search/trials/x1", "/api/studies/{study}/trials/{number}", 400),
  ("/api/studies/sst2-search/trials/99", "/api/studies/{study}/trials/{number}", 404),
  ("/api/studies/sst2-search/importances", "/api/studies/{study}/importances", 200),
  ("/api/studies/team%2Fbaseline/importances", "/api/studies/{study}/importances", 200),
]
out = []
for url, path, want in checks:
    try:
        answer = urllib.request.urlopen(base + url)
    except urllib.error.HTTPError as e:
        answer = e
    body = json.loads(answer.read())
    schema = doc["paths"][path]["get"]["responses"][str(answer.status)]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    out.append({"url": url, "status": answer.status, "want": want, "errors": errors})
print(json.dumps(out))
)py",
                                 {dashboard.url()});
  REQUIRE(report.size() == 14);
  for (const auto& check : report) {
    INFO(check.dump());
    CHECK(check["status"] == check["want"]);
    CHECK(check["errors"].empty());
  }
}

TEST_CASE("dashboard API: bad requests get a 4xx with a message, files outside the page are never served") {
  test::ScratchDir dir;
  const auto db = (dir / "bertlab.db").string();
  fill_store(db);
  std::ofstream(dir / "secret.txt") << "not for the web\n";
  LiveDashboard dashboard(db);

  CHECK(get_json(dashboard, "/api/studies/nope", 404)["error"] == "no study named 'nope' in the store");
  CHECK(get_json(dashboard, "/api/studies/nope/trials", 404)["status"] == 404);
  CHECK(get_json(dashboard, "/api/studies/sst2-search/trials/-1", 400)["error"] ==
        "expected a trial number (0, 1, ...), got '-1'");
  CHECK(get_json(dashboard, "/api/studies/sst2-search/trials/99", 404)["error"] == "study 'sst2-search' has no trial 99");
  CHECK(std::string(get_json(dashboard, "/api/studies/sst2-search/trials?state=COMPLETE,DONE", 400)["error"])
            .find("unknown trial state 'DONE'") == 0);
  CHECK(get_json(dashboard, "/api/studies?page=2", 400)["error"] ==
        "unknown query parameter 'page': this endpoint takes none");
  CHECK(get_json(dashboard, "/api/nothing", 404)["error"] == "no API endpoint /api/nothing (see /api/openapi.json)");

  httplib::Client client("127.0.0.1", dashboard.port());
  auto post = client.Post("/api/studies", "{}", "application/json");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->get_header_value("Allow") == "GET, HEAD");
  auto del = client.Delete("/api/studies/sst2-search");
  REQUIRE(del);
  CHECK(del->status == 405);

  // Only the compiled-in files exist: no path reaches the disk.
  for (const std::string path :
       {"/static/../secret.txt", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2fsecret.txt", "/../../etc/passwd",
        "/static/", "/static/index.html", "/static/openapi.json", "/secret.txt", "/static/dashboard.js/../../x",
        "/%2e%2e/%2e%2e/etc/passwd", "/bertlab.db"}) {
    auto result = dashboard.get(path);
    REQUIRE_MESSAGE(result, path);
    INFO(path, " -> ", result->body.substr(0, 100));
    CHECK(result->status == 404);
    CHECK(result->body.find("not for the web") == std::string::npos);
    CHECK(result->body.find("root:") == std::string::npos);
  }
  // Still serving after all that.
  CHECK(get_json(dashboard, "/api/studies")["studies"].size() == 2);
}

TEST_CASE("dashboard API: 100 requests at once are all answered") {
  test::ScratchDir dir;
  const auto db = (dir / "bertlab.db").string();
  fill_store(db);
  LiveDashboard dashboard(db);
  const std::vector<std::string> paths{"/api/studies", "/api/studies/sst2-search", "/api/studies/sst2-search/trials",
                                       "/api/studies/sst2-search/importances", "/api/studies/sst2-search/trials/2"};
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 100; ++i) {
    clients.emplace_back([&, i] {
      httplib::Client client("127.0.0.1", dashboard.port());
      client.set_connection_timeout(30);
      client.set_read_timeout(60);
      auto result = client.Get(paths[static_cast<std::size_t>(i) % paths.size()]);
      if (result && result->status == 200 && json::accept(result->body))
        ++answered;
      else
        ++failed;
    });
  }
  for (auto& client : clients) client.join();
  CHECK(answered == 100);
  CHECK(failed == 0);
}

TEST_CASE("param importances: the param the value follows ranks first, deterministically") {
  std::vector<store::TrialRecord> trials;
  for (int i = 0; i < 40; ++i) {
    store::TrialRecord trial;
    trial.number = i;
    trial.state = TrialState::complete;
    const double x = (i * 37 % 40) / 40.0, noise = (i * 11 % 40) / 40.0;
    const std::string optimizer = i % 3 == 0 ? "adamw" : i % 3 == 1 ? "sgd" : "lamb";
    trial.params = {{"x", x}, {"noise", noise}, {"optimizer", optimizer}};
    trial.value = 3.0 * x + (optimizer == "sgd" ? 1.0 : 0.0);
    trials.push_back(trial);
  }
  trials.push_back(trials.back());
  trials.back().state = TrialState::failed;  // not learned from
  trials.back().value.reset();
  const auto report = dashboard::param_importances(trials);
  CHECK(report.trials_used == 40);
  REQUIRE(report.params.size() == 3);
  CHECK(report.params[0].param == "x");
  CHECK(report.params[1].param == "optimizer");
  CHECK(report.params[2].param == "noise");
  CHECK(report.params[2].importance < 0.05);
  const auto again = dashboard::param_importances(trials);
  CHECK(again.params[0].importance == report.params[0].importance);
  // Too little to learn from: no importances, no error.
  CHECK(dashboard::param_importances({trials[0]}).params.empty());
}

TEST_CASE("bertlab dashboard: loopback only unless asked, a missing store is an error") {
  test::ScratchDir dir;
  const auto db = (dir / "bertlab.db").string();
  fill_store(db);
  auto remote = run_bertlab({"dashboard", "--store", db, "--host", "0.0.0.0"});
  CHECK(remote.exit_code == 2);
  CHECK(remote.err.find("pass --allow-remote") != std::string::npos);
  auto missing = run_bertlab({"dashboard", "--store", (dir / "none.db").string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no store at") != std::string::npos);
  auto report_missing = run_bertlab({"report", "nope", "--store", db, "--html", (dir / "r.html").string()});
  CHECK(report_missing.exit_code == 1);
  CHECK(report_missing.err.find("no study named 'nope'") != std::string::npos);

  // The real command: it prints its URL, serves, and stops cleanly on SIGTERM.
  const auto log = (dir / "dashboard.log").string();
  const std::string command = fmt::format("{} dashboard --store {} --port 0 >{} 2>&1 & echo $!", test::shell_quote(BERTLAB_EXE),
                                          test::shell_quote(db), test::shell_quote(log));
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe);
  int pid = 0;
  REQUIRE(std::fscanf(pipe, "%d", &pid) == 1);
  ::pclose(pipe);
  std::string url;
  for (int i = 0; i < 100 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto text = test::read_file(log);
    if (auto at = text.find("http://127.0.0.1:"); at != std::string::npos && text.find('/', at + 17) != std::string::npos)
      url = text.substr(at, text.find('/', at + 17) - at);
  }
  REQUIRE_MESSAGE(!url.empty(), test::read_file(log));
  httplib::Client client(url);
  auto studies = client.Get("/api/studies");
  REQUIRE(studies);
  CHECK(json::parse(studies->body)["studies"].size() == 2);
  ::kill(pid, SIGTERM);
  // The process is the shell's child, not ours: its port closing is the sign it stopped.
  bool stopped = false;
  for (int i = 0; i < 100 && !stopped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stopped = !httplib::Client(url).Get("/api/studies");
  }
  CHECK(stopped);
  CHECK(test::read_file(log).find("error") == std::string::npos);
}

TEST_CASE("dashboard pages and the HTML report in a headless browser") {
  test::ScratchDir dir;
  const auto db = (dir / "bertlab.db").string();
  fill_store(db);
  const auto report_file = (dir / "report.html").string();
  const auto report = run_bertlab({"report", "sst2-search", "--store", db, "--html", report_file});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  const auto html = test::read_file(report_file);
  CHECK(html.find("window.BERTLAB_REPORT") != std::string::npos);
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("/static/") == std::string::npos);

  LiveDashboard dashboard(db);
  const char* screenshots = std::getenv("BERTLAB_SCREENSHOT_DIR");
  const auto seen = run_python(R"py(
import json, os, subprocess, sys, time
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
base, report, writer, db, shots = sys.argv[1:6]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2400",
             "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--ignore-gpu-blocklist"]:
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_script_timeout(30)
out = {"console": []}

def count(selector):
    return driver.execute_script("return document.querySelectorAll(arguments[0]).length", selector)

def wait_for(selector, n, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if count(selector) >= n:
            return count(selector)
        time.sleep(0.1)
    return count(selector)

def console():
    out["console"] += [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]

def shot(name):
    if shots:
        os.makedirs(shots, exist_ok=True)
        driver.save_screenshot(os.path.join(shots, name + ".png"))

try:
    driver.get(base + "/")
    out["studies_rows"] = wait_for("#studies-table tr.study-row", 2)
    shot("studies")
    console()

    driver.get(base + "/studies/sst2-search")
    out["trial_rows"] = wait_for("#trials-table tr.trial-row", 8)
    time.sleep(1)
    page = {
        "history_points": count("#plot-history .scatterlayer .point"),
        "curve_points": count("#plot-curves .scatterlayer .point"),
        "parallel_axes": count("#plot-parallel .parcoords .y-axis"),
        "importance_bars": count("#plot-importance .bars .point"),
        "slice_points": count("#plot-slice .scatterlayer .point"),
        "contour": count("#plot-contour .contourlayer .contour"),
        "contour_points": count("#plot-contour .scatterlayer .point"),
        "edf_lines": count("#plot-edf .scatterlayer .js-line"),
        "timeline_bars": count("#plot-timeline .bars .point"),
    }
    out["study"] = page
    shot("study")
    console()
    # A trial written while the page is open must appear without a reload.
    subprocess.run([writer, db, "sst2-search", "1"], check=True)
    out["trial_rows_after"] = wait_for("#trials-table tr.trial-row", 9)
    out["history_points_after"] = wait_for("#plot-history .scatterlayer .point", page["history_points"] + 1)
    out["still_same_page"] = driver.execute_script("return performance.getEntriesByType('navigation').length")

    driver.get(base + "/studies/sst2-search/trials/3")
    out["trial_curve_points"] = wait_for("#plot-trial-curves .scatterlayer .point", 6)
    out["trial_text"] = driver.find_element("tag name", "main").text
    shot("trial")
    driver.get(base + "/studies/sst2-search/trials/7")
    wait_for("#trial-error", 1)
    out["failed_error"] = driver.find_element("id", "trial-error").text
    shot("failed-trial")
    console()
    driver.get(base + "/studies/nope")
    wait_for("main .error", 1)
    out["missing_study"] = driver.find_element("tag name", "main").text
    driver.get_log("browser")  # the 404 of a missing study is logged by the browser itself

    driver.get("file://" + report)
    out["report_rows"] = wait_for("#trials-table tr.trial-row", 8)
    time.sleep(1)
    out["report_history_points"] = count("#plot-history .scatterlayer .point")
    out["report_parallel_axes"] = count("#plot-parallel .parcoords .y-axis")
    out["report_requests"] = driver.execute_script("return performance.getEntriesByType('resource').length")
    shot("report")
    console()
finally:
    driver.quit()
print(json.dumps(out))
)py",
                               {dashboard.url(), report_file, BERTLAB_STORE_WRITER, db, screenshots ? screenshots : ""});
  INFO(seen.dump(2));
  CHECK(seen["console"].empty());
  CHECK(seen["studies_rows"] == 2);
  CHECK(seen["trial_rows"] == 8);
  const auto& page = seen["study"];
  CHECK(page["history_points"] == 6);                // the COMPLETE trials
  CHECK(page["curve_points"] == 7 * 3 + 1);          // eval_accuracy: 3 points each, the pruned trial 1
  CHECK(page["parallel_axes"] == 4);                 // 3 params and the value
  CHECK(page["importance_bars"] == 3);
  CHECK(page["slice_points"] == 6);
  CHECK(page["contour"].get<int>() > 0);
  CHECK(page["contour_points"] == 6);
  CHECK(page["edf_lines"] == 1);
  CHECK(page["timeline_bars"] == 8);                 // one bar per trial
  CHECK(seen["trial_rows_after"] == 9);
  CHECK(seen["history_points_after"] == 7);
  CHECK(seen["still_same_page"] == 1);
  CHECK(seen["trial_curve_points"] == 6);
  CHECK(seen["trial_text"].get<std::string>().find("fingerprint-sst2") != std::string::npos);
  CHECK(seen["failed_error"] == "non-finite loss (nan) at step 12");
  CHECK(seen["missing_study"].get<std::string>().find("no study named 'nope'") != std::string::npos);
  CHECK(seen["report_rows"] == 8);
  CHECK(seen["report_history_points"] == 6);
  CHECK(seen["report_parallel_axes"] == 4);
  CHECK(seen["report_requests"] == 0);
}
