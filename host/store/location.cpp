#include "store/location.hpp"

#include <filesystem>
#include <system_error>

namespace bertlab::store {

bool is_server_location(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string absolute_location(const std::string& location) {
  if (is_server_location(location)) return location;
  return std::filesystem::absolute(location).string();
}

bool store_exists(const std::string& location) {
  std::error_code ignored;
  return is_server_location(location) || std::filesystem::exists(location, ignored);
}

}  // namespace bertlab::store
