// `tarn tls self-signed`: a key and certificate for serving HTTPS locally (docs/serve.md, "TLS").
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "ingest/tls.h"

namespace tarn::cli {
namespace {

int RunSelfSigned(const ingest::SelfSignedOptions& options) {
  Result<ingest::SelfSignedResult> made = ingest::MakeSelfSigned(options);
  if (!made.ok()) return ReportFailure("tls self-signed", made.status());
  std::string names;
  for (const std::string& name : made->names) names += (names.empty() ? "" : ", ") + name;
  std::fputs(
      fmt::format(
          "tarn tls self-signed: wrote {cert} (certificate, serial {serial}, valid {days} days "
          "for {names}) and {key} (private key, mode 0600; keep it secret).\n"
          "The certificate is its own CA: give it to clients as the CA bundle.\n"
          "  tarn serve --tls-cert {cert} --tls-key {key} ...\n"
          "  tarn send FILE --stream NAME --endpoint https://127.0.0.1:4573 --ca {cert}\n"
          "  aws firehose list-delivery-streams --endpoint-url https://127.0.0.1:4573 "
          "--ca-bundle {cert}\n"
          "  boto3.client(\"firehose\", endpoint_url=\"https://127.0.0.1:4573\", "
          "verify=\"{cert}\")\n"
          "After replacing the files, `kill -HUP` the server to use them for new connections.\n",
          fmt::arg("cert", made->certificate_path), fmt::arg("key", made->private_key_path),
          fmt::arg("serial", made->serial_hex), fmt::arg("days", options.days),
          fmt::arg("names", names))
          .c_str(),
      stdout);
  return kExitOk;
}

}  // namespace

Command AddTlsCommand(CLI::App& app) {
  auto options = std::make_shared<ingest::SelfSignedOptions>();
  CLI::App* cmd = app.add_subcommand("tls", "Make TLS keys and certificates for tarn serve");
  cmd->require_subcommand(1);
  CLI::App* self_signed =
      cmd->add_subcommand("self-signed",
                          "Write an EC P-256 key and a self-signed certificate to DIR/key.pem and "
                          "DIR/cert.pem, for local use and testing");
  self_signed->footer(
      "The certificate names localhost, 127.0.0.1 and ::1, plus every --name; it is marked as a\n"
      "CA so that clients can trust it directly (--ca, --ca-bundle, verify=). Existing files are\n"
      "never overwritten. For production, use a certificate from your organisation's CA.\n\n"
      "Examples:\n"
      "  tarn tls self-signed --out tls\n"
      "  tarn tls self-signed --out tls --name collector.lan --name 192.168.1.20 --days 30");
  self_signed->add_option("--out", options->out_dir, "Folder for cert.pem and key.pem")->required();
  self_signed->add_option("--name", options->extra_names,
                          "Another host name or IP address the certificate is for (repeatable)");
  self_signed->add_option("--days", options->days, "Days the certificate is valid")
      ->check(CLI::Range(1, 36500))
      ->capture_default_str();
  return {cmd, [options] { return RunSelfSigned(*options); }};
}

}  // namespace tarn::cli
