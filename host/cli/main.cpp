#include "cli/commands.hpp"

int main(int argc, char** argv) { return bertlab::cli::run(argc, argv); }
