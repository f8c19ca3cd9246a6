// Where a store lives: a path to an SQLite file, or the URL of a PostgreSQL
// database (postgresql://USER@HOST:PORT/DB, also postgres://). Paths are
// relative to where they were written; URLs are the same everywhere.
#pragma once

#include <string>

namespace bertlab::store {

bool is_server_location(const std::string& location);

// A path made absolute (for worker processes and the experiment's other
// folders); a URL as it is.
std::string absolute_location(const std::string& location);

// Whether there may be studies at `location` already: an existing file, or
// any server database (opening it creates the tables when missing).
bool store_exists(const std::string& location);

}  // namespace bertlab::store
