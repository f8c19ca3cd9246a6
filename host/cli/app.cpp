#include <exception>
#include <iostream>

#include "cli/commands.hpp"

namespace bertlab::cli {

int run(int argc, char** argv) {
  CLI::App app{"bertlab: fine-tune BERT models, search their hyperparameters, query the history", "bertlab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bertlab " BERTLAB_VERSION);
  add_run_command(app);
  add_pretrain_command(app);
  add_worker_command(app);
  add_enqueue_command(app);
  add_predict_command(app);
  add_tokenize_command(app);
  add_encode_command(app);
  add_convert_command(app);
  add_augment_command(app);
  add_vocab_command(app);
  add_compress_command(app);
  add_interchange_commands(app);
  add_store_command(app);
  add_dashboard_commands(app);
  add_plugins_command(app);
  add_history_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and usage to stderr
    return kExitUsage;
  } catch (const ExitError& e) {
    std::cerr << "bertlab: error: " << e.what() << '\n';
    return e.code();
  } catch (const std::exception& e) {
    std::cerr << "bertlab: error: " << e.what() << '\n';
    return kExitError;
  }
  return 0;
}

}  // namespace bertlab::cli
