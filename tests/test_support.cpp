#include "test_support.hpp"

#include <sys/wait.h>

#include <cstdio>

namespace joindots::testing {

CommandResult run_cli(const std::string& args, const std::string& env) {
  TempDir tmp;
  const auto out = tmp / "stdout", err = tmp / "stderr";
  const std::string cmd = env + (env.empty() ? "" : " ") + "JOINDOTS_DATA_DIR='" + test_data_dir().string() + "' '" +
                          JOINDOTS_CLI + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace joindots::testing
