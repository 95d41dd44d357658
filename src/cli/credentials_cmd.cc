// `tarn credentials create|list|revoke`: the access keys of a lake's Firehose API
// (docs/security.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "ingest/credentials.h"
#include "storage/keyring.h"

namespace tarn::cli {
namespace {

struct CredentialsFlags {
  std::string lake = "lake";
  std::string master_key_file;
  std::string name;  // create: the new name; revoke: a name or an access key id.
  std::vector<std::string> put;
  bool manage = false;
};

Result<std::unique_ptr<ingest::CredentialStore>> OpenStore(const CredentialsFlags& flags,
                                                           bool with_keyring) {
  std::shared_ptr<storage::SecretBox> box;
  if (with_keyring) {
    TARN_ASSIGN_OR_RETURN(
        std::shared_ptr<storage::Keyring> keyring,
        OpenLakeKeyring(flags.lake, flags.master_key_file, KeyringUse::kCreate));
    box = std::move(keyring);
  }
  return ingest::CredentialStore::Open(flags.lake, std::move(box));
}

int RunCreate(const CredentialsFlags& flags) {
  ingest::Permissions permissions;
  permissions.put_streams = flags.put;
  permissions.manage = flags.manage;
  Status valid = ingest::ValidateCredentialName(flags.name);
  if (valid.ok()) valid = ingest::ValidatePermissions(permissions);
  if (!valid.ok()) return ReportFailure("credentials create", valid);
  Result<std::unique_ptr<ingest::CredentialStore>> store = OpenStore(flags, true);
  if (!store.ok()) return ReportFailure("credentials create", store.status());
  Result<ingest::NewCredential> created = (*store)->Create(flags.name, permissions);
  if (!created.ok()) return ReportFailure("credentials create", created.status());
  std::fputs(
      fmt::format("Created credential '{}' ({}).\n"
                  "AWS_ACCESS_KEY_ID={}\n"
                  "AWS_SECRET_ACCESS_KEY={}\n",
                  created->name, permissions.ToString(), created->access_key_id, created->secret)
          .c_str(),
      stdout);
  std::fputs(fmt::format("\nThe secret is shown only now; the lake keeps it sealed under its "
                         "master key. To use it with the AWS CLI:\n"
                         "  aws configure set aws_access_key_id {} --profile tarn\n"
                         "  aws configure set aws_secret_access_key '{}' --profile tarn\n"
                         "  aws firehose list-delivery-streams --profile tarn --region us-east-1 "
                         "--endpoint-url http://127.0.0.1:4573\n",
                         created->access_key_id, created->secret)
                 .c_str(),
             stderr);
  return kExitOk;
}

int RunList(const CredentialsFlags& flags) {
  Result<std::unique_ptr<ingest::CredentialStore>> store = OpenStore(flags, false);
  if (!store.ok()) return ReportFailure("credentials list", store.status());
  Result<std::vector<ingest::CredentialInfo>> list = (*store)->List();
  if (!list.ok()) return ReportFailure("credentials list", list.status());
  if (list->empty()) {
    std::fputs(fmt::format("No credentials in {}: the API is open on loopback listeners.\n",
                           (*store)->path())
                   .c_str(),
               stderr);
    return kExitOk;
  }
  std::string out =
      fmt::format("{:<24} {:<20} {:<20} {}\n", "NAME", "ACCESS KEY ID", "CREATED", "PERMISSIONS");
  for (const ingest::CredentialInfo& info : *list) {
    out += fmt::format("{:<24} {:<20} {:<20} {}\n", info.name, info.access_key_id, info.created,
                       info.permissions.ToString());
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int RunRevoke(const CredentialsFlags& flags) {
  Result<std::unique_ptr<ingest::CredentialStore>> store = OpenStore(flags, false);
  if (!store.ok()) return ReportFailure("credentials revoke", store.status());
  Result<ingest::CredentialInfo> removed = (*store)->Revoke(flags.name);
  if (!removed.ok()) return ReportFailure("credentials revoke", removed.status());
  std::fputs(fmt::format("Revoked credential '{}' ({}); a running tarn serve refuses it from its "
                         "next request.\n",
                         removed->name, removed->access_key_id)
                 .c_str(),
             stdout);
  return kExitOk;
}

}  // namespace

Command AddCredentialsCommand(CLI::App& app) {
  auto flags = std::make_shared<CredentialsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "credentials", "Create, list and revoke the access keys of the lake's Firehose API");
  cmd->footer(
      "Requests to tarn serve are signed with AWS Signature Version 4 by these keys. Once any\n"
      "credential exists (or when serving on a non-loopback address) every API request must be\n"
      "signed. A secret is printed once, at creation, and kept only sealed under the lake's\n"
      "master key (LAKE/_tarn/keys/). Changes take effect in a running server at once.\n"
      "See docs/security.md.\n\n"
      "Examples:\n"
      "  tarn credentials create loader --lake lake --put events_json,clicks\n"
      "  tarn credentials create admin --lake lake --put '*' --manage\n"
      "  tarn credentials list --lake lake\n"
      "  tarn credentials revoke loader --lake lake");
  cmd->require_subcommand(1, 1);

  CLI::App* create = cmd->add_subcommand("create", "Create a credential and print its secret once");
  create->add_option("NAME", flags->name, "Name: 1 to 64 characters of A-Z a-z 0-9 _ . -")
      ->required();
  create->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();
  create
      ->add_option("--put", flags->put,
                   "Streams it may PutRecord/PutRecordBatch to, comma-separated, or '*' for all")
      ->delimiter(',');
  create->add_flag("--manage", flags->manage,
                   "May create, delete and update streams (CreateDeliveryStream, ...)");
  create->add_option("--master-key-file", flags->master_key_file, kMasterKeyFileHelp);

  CLI::App* list = cmd->add_subcommand("list", "List credentials (never their secrets)");
  list->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();

  CLI::App* revoke = cmd->add_subcommand("revoke", "Delete a credential");
  revoke->add_option("NAME", flags->name, "The credential's name or access key id")->required();
  revoke->add_option("--lake", flags->lake, "Lake folder")->capture_default_str();

  return {cmd, [flags, create, list, revoke]() -> int {
            if (create->parsed()) return RunCreate(*flags);
            if (list->parsed()) return RunList(*flags);
            if (revoke->parsed()) return RunRevoke(*flags);
            return kExitUsage;
          }};
}

}  // namespace tarn::cli
