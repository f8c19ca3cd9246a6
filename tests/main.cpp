// The doctest main of every suite, with one check doctest lacks: CTest runs
// each test case as `suite --test-case=NAME`, and a filter that selects no
// test case (a name CTest split at a ';', a renamed case) would otherwise pass
// having checked nothing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <string_view>

namespace {

std::atomic<int> g_test_cases_started{0};

struct CountingListener : doctest::IReporter {
  explicit CountingListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { ++g_test_cases_started; }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

REGISTER_LISTENER("count-test-cases", 1, CountingListener);

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;
  bool filtered = false, listing = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    filtered = filtered || arg.starts_with("--test-case=") || arg.starts_with("-tc=");
    listing = listing || arg.starts_with("--list") || arg.starts_with("-l");
  }
  if (filtered && !listing && g_test_cases_started == 0) {
    std::fprintf(stderr, "error: the test-case filter selected no test case (a ';' in a test name splits it in CTest)\n");
    return 1;
  }
  return result;
}
