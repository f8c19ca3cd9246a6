// `bertlab dashboard`: an HTTP server that shows a store's studies in a
// browser. It serves the page and its files (compiled in, see assets.hpp)
// and a read-only JSON API under /api/ (openapi.json documents it); it never
// writes the store.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace bertlab::dashboard {

struct ServerSettings {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 16;  // requests answered at once; more wait in a queue
};

// 127.0.0.0/8, ::1 and "localhost": addresses only this machine reaches.
bool is_loopback(const std::string& host);

class DashboardServer {
 public:
  // The server takes the store; requests share it one at a time.
  DashboardServer(std::unique_ptr<store::Store> store, ServerSettings settings);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Binds the listening socket; returns the port. Throws std::runtime_error
  // naming the address when it cannot (in use, not an address of this host).
  int bind();
  // Answers requests until stop(); call after bind().
  void serve();
  // From any thread (a signal watcher, a test): serve() returns.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bertlab::dashboard
