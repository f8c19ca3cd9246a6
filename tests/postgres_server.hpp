// A real PostgreSQL server for the store tests (Debian's `postgresql`
// package): initdb on a temporary folder, the server on a free loopback port
// with trust authentication, stopped and removed when the test process ends.
// Each test asks for a fresh database. initdb refuses to run as root, so as
// root the server runs as `nobody`.
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "store/postgres_connection.hpp"
#include "support.hpp"

namespace bertlab::test {

class PostgresServer {
 public:
  PostgresServer() {
    bin_ = find_bin();
    REQUIRE_MESSAGE(!bin_.empty(), "PostgreSQL's server programs (initdb, pg_ctl) are not installed: run tools/setup");
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);
    if (::geteuid() == 0) {
      const passwd* nobody = ::getpwnam("nobody");
      REQUIRE_MESSAGE(nobody != nullptr, "running as root, and there is no user 'nobody' to run PostgreSQL as");
      REQUIRE(::chown(dir_.path().c_str(), nobody->pw_uid, nobody->pw_gid) == 0);
      as_user_ = "runuser -u nobody -- ";
    }
    port_ = free_port();
    run(fmt::format("{}/initdb -D {} -A trust -U bertlab -E UTF8 --no-sync", bin_, shell_quote(data_dir())),
        "initdb");
    run(fmt::format("{}/pg_ctl -D {} -l {} -w -t 60 -o {} start", bin_, shell_quote(data_dir()),
                    shell_quote((dir_ / "server.log").string()),
                    shell_quote(fmt::format("-h 127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=100", port_,
                                            dir_.path().string()))),
        "pg_ctl start");
    started_ = true;
  }

  ~PostgresServer() {
    if (started_)
      std::system(fmt::format("{}{}/pg_ctl -D {} -m immediate stop >/dev/null 2>&1", as_user_, bin_,
                              shell_quote(data_dir()))
                      .c_str());
  }

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::string url(const std::string& database) const {
    return fmt::format("postgresql://bertlab@127.0.0.1:{}/{}", port_, database);
  }

  // A new, empty database; returns its URL.
  std::string new_database() {
    static std::atomic<int> counter{0};
    const std::string name = fmt::format("store_{}_{}", ::getpid(), counter++);
    store::PgConnection admin(url("postgres"));
    admin.exec("create database", "CREATE DATABASE " + name);
    return url(name);
  }

 private:
  static std::string find_bin() {
    for (const char* version : {"17", "16", "15", "14", "13"}) {
      const std::string bin = fmt::format("/usr/lib/postgresql/{}/bin", version);
      if (std::filesystem::exists(bin + "/initdb") && std::filesystem::exists(bin + "/pg_ctl")) return bin;
    }
    return {};
  }

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
  }

  std::string data_dir() const { return (dir_ / "data").string(); }

  void run(const std::string& command, const char* what) {
    const std::string log = (dir_ / "setup.log").string();
    const int status = std::system((as_user_ + command + " >>" + shell_quote(log) + " 2>&1").c_str());
    INFO(what, " failed: ", read_file(log));
    REQUIRE(status == 0);
  }

  ScratchDir dir_;
  std::string bin_;
  std::string as_user_;
  int port_ = 0;
  bool started_ = false;
};

// The server of this test process, started on first use.
inline PostgresServer& postgres_server() {
  static auto server = std::make_unique<PostgresServer>();
  return *server;
}

}  // namespace bertlab::test
