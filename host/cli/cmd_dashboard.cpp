// `bertlab dashboard`: the store's studies in a browser (dashboard/), and
// `bertlab report STUDY --html OUT.html`: one study as a self-contained page.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "dashboard/dashboard_server.hpp"
#include "dashboard/html_report.hpp"
#include "store/location.hpp"
#include "store/store.hpp"

namespace bertlab::cli {

namespace {

struct DashboardArgs {
  std::string store_path;
  std::string host = "127.0.0.1";
  int port = 8080;
  bool allow_remote = false;
};

void dashboard(const DashboardArgs& args) {
  if (!dashboard::is_loopback(args.host) && !args.allow_remote)
    throw ExitError(kExitUsage, fmt::format("--host {} would let other machines read every study in the store; pass "
                                            "--allow-remote to serve on it anyway",
                                            args.host));
  if (!store::store_exists(args.store_path)) throw ExitError(kExitError, fmt::format("no store at {}", args.store_path));
  // SIGINT and SIGTERM are taken by sigwait below, in every thread: the
  // server's threads never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = store::open_store(args.store_path, /*read_only=*/true);
  const std::string location = store->location();
  dashboard::DashboardServer server(std::move(store), {.host = args.host, .port = args.port, .threads = 16});
  int port = 0;
  try {
    port = server.bind();
  } catch (const std::runtime_error& e) {
    throw ExitError(kExitError, e.what());
  }
  if (!dashboard::is_loopback(args.host))
    std::cerr << fmt::format("bertlab: warning: serving on {}: anyone who reaches this address reads the store\n",
                             args.host);
  const std::string shown_host = args.host.find(':') != std::string::npos ? "[" + args.host + "]" : args.host;
  std::cout << fmt::format("bertlab dashboard: http://{}:{}/ ({}; Ctrl-C stops)\n", shown_host, port, location)
            << std::flush;
  std::thread listener([&server] { server.serve(); });
  int signal = 0;
  sigwait(&signals, &signal);
  server.stop();
  listener.join();
}

}  // namespace

void add_dashboard_commands(CLI::App& app) {
  {
    auto args = std::make_shared<DashboardArgs>();
    auto* command = app.add_subcommand("dashboard", "Serve the store's studies as web pages (read-only)");
    add_store_option(*command, args->store_path);
    command->add_option("--host", args->host, "Address to listen on")->default_val("127.0.0.1");
    command->add_option("--port", args->port, "Port to listen on (0: any free port)")
        ->default_val(8080)
        ->check(CLI::Range(0, 65535));
    command->add_flag("--allow-remote", args->allow_remote,
                      "Allow a --host other machines can reach (the store is then readable to them)");
    command->callback([args] { dashboard(*args); });
  }
  {
    struct Args {
      std::string study, store_path, html;
    };
    auto args = std::make_shared<Args>();
    auto* command = app.add_subcommand("report", "Write a study's dashboard page as one self-contained HTML file");
    command->add_option("study", args->study, "The study")->required();
    add_store_option(*command, args->store_path);
    command->add_option("--html", args->html, "The HTML file to write")->required();
    command->callback([args] {
      if (!store::store_exists(args->store_path))
        throw ExitError(kExitError, fmt::format("no store at {}", args->store_path));
      auto store = store::open_store(args->store_path, /*read_only=*/true);
      const std::string page = dashboard::html_report(*store, args->study);
      std::ofstream out(args->html, std::ios::binary);
      out << page;
      out.close();
      if (!out) throw ExitError(kExitError, fmt::format("cannot write {}", args->html));
      std::cout << fmt::format("wrote {} ({:.1f} MB): study {}\n", args->html, page.size() / 1e6, args->study);
    });
  }
}

}  // namespace bertlab::cli
