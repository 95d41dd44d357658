#include "catalog/ddl_executor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sql/parser/ddl_parser.h"

namespace tarn::catalog {
namespace {

namespace fs = std::filesystem;

constexpr char kEventsJson[] =
    "CREATE EXTERNAL TABLE IF NOT EXISTS events_json (tstamp timestamp, payload string, "
    "payload_md5 string) PARTITIONED BY (name string, d string) ROW FORMAT SERDE "
    "'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/events_raw/json/' TBLPROPERTIES "
    "('EXTERNAL'='true', 'classification'='json')";

class DdlExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = fs::temp_directory_path() /
            ("tarn_ddl_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(lake_);
    fs::create_directories(lake_ / "_tarn");
    catalog_ = std::move(*SqliteCatalog::Open((lake_ / "_tarn" / "catalog.db").string()));
    executor_ = std::make_unique<DdlExecutor>(catalog_.get(), lake_.string());
  }
  void TearDown() override {
    executor_.reset();
    catalog_.reset();
    fs::remove_all(lake_);
  }

  Result<DdlResult> Run(const std::string& sql) {
    auto statement = sql::ParseDdl(sql);
    if (!statement.ok()) return statement.status();
    return executor_->Execute(*statement, "default");
  }
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    auto result = Run(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result.ok() ? result->rows : std::vector<std::vector<std::string>>{};
  }
  void Touch(const fs::path& relative) {
    fs::create_directories((lake_ / relative).parent_path());
    std::ofstream(lake_ / relative) << "{}\n";
  }

  fs::path lake_;
  std::unique_ptr<SqliteCatalog> catalog_;
  std::unique_ptr<DdlExecutor> executor_;
};

TEST_F(DdlExecutorTest, SeedTableCreatedShownAndDescribed) {
  ASSERT_TRUE(Run(kEventsJson).ok());
  EXPECT_EQ(Rows("SHOW TABLES"), (std::vector<std::vector<std::string>>{{"events_json"}}));
  const auto described = Rows("DESCRIBE events_json");
  ASSERT_GE(described.size(), 5u);
  EXPECT_EQ(described[0], (std::vector<std::string>{"tstamp", "timestamp", ""}));
  EXPECT_EQ(described[3], (std::vector<std::string>{"name", "string", ""}));
  const auto created = Rows("SHOW CREATE TABLE default.events_json");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_TRUE(sql::ParseDdl(created[0][0]).ok()) << created[0][0];
  EXPECT_EQ(Rows("SHOW TBLPROPERTIES events_json ('classification')"),
            (std::vector<std::vector<std::string>>{{"classification", "json"}}));
}

TEST_F(DdlExecutorTest, MsckRepairAddsHiveFoldersSkipsTheRest) {
  ASSERT_TRUE(Run(kEventsJson).ok());
  const fs::path root = "lake/events_raw/json";
  Touch(root / "name=anonymous_visited/d=2023-06-01/a.gz");
  Touch(root / "name=account_created/d=2023-06-02/b.gz");
  Touch(root / "name=a%2Fb/d=x/c.gz");           // An escaped '/' in a value.
  Touch(root / "d=2023-06-01/name=x/wrong.gz");  // Keys in the wrong order.
  Touch(root / "_temporary/d=1/x.gz");           // Ignored: starts with '_'.
  Touch(root / ".hidden/x.gz");                  // Ignored: starts with '.'.
  Touch(root / "stray.gz");                      // An object outside any partition.
  auto repaired = Run("MSCK REPAIR TABLE events_json");
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_NE(repaired->message.find("3 partition(s) added"), std::string::npos) << repaired->message;
  EXPECT_NE(repaired->message.find("2 path(s) skipped"), std::string::npos) << repaired->message;
  EXPECT_EQ(Rows("SHOW PARTITIONS events_json"),
            (std::vector<std::vector<std::string>>{{"name=a/b/d=x"},
                                                   {"name=account_created/d=2023-06-02"},
                                                   {"name=anonymous_visited/d=2023-06-01"}}));
  // A second run adds nothing; a deleted folder is reported, not dropped.
  fs::remove_all(lake_ / root / "name=account_created");
  auto again = Run("MSCK REPAIR TABLE events_json");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->message.find("0 partition(s) added, 1 registered partition(s) missing"),
            std::string::npos)
      << again->message;
  EXPECT_EQ(Rows("SHOW PARTITIONS events_json").size(), 3u);
}

TEST_F(DdlExecutorTest, AlterTablePartitionsAndProperties) {
  ASSERT_TRUE(Run(kEventsJson).ok());
  auto added =
      Run("ALTER TABLE events_json ADD PARTITION (d='2023-06-01', name='x') PARTITION (name='y', "
          "d='2023-06-02') LOCATION 's3://lake/elsewhere/'");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->message, "2 partition(s) added to default.events_json");
  auto parts = catalog_->ListPartitions("default", "events_json");
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].location, "s3://lake/events_raw/json/name=x/d=2023-06-01/");
  EXPECT_EQ((*parts)[1].location, "s3://lake/elsewhere/");
  EXPECT_FALSE(Run("ALTER TABLE events_json ADD PARTITION (name='x', d='2023-06-01')").ok());
  EXPECT_TRUE(
      Run("ALTER TABLE events_json ADD IF NOT EXISTS PARTITION (name='x', d='2023-06-01')").ok());
  EXPECT_TRUE(Run("ALTER TABLE events_json DROP PARTITION (name='y', d='2023-06-02')").ok());
  EXPECT_EQ(Rows("SHOW PARTITIONS events_json").size(), 1u);
  ASSERT_TRUE(Run("ALTER TABLE events_json SET TBLPROPERTIES ('projection.enabled'='false')").ok());
  ASSERT_TRUE(Run("ALTER TABLE events_json ADD COLUMNS (extra array<int>)").ok());
  EXPECT_EQ(Rows("SHOW COLUMNS IN events_json").size(), 6u);
  EXPECT_FALSE(Run("ALTER TABLE events_json ADD COLUMNS (d string)").ok());
}

TEST_F(DdlExecutorTest, ErrorsNameTheObject) {
  EXPECT_EQ(Run("DESCRIBE events_json").status().message(),
            "table default.events_json does not exist");
  EXPECT_EQ(Run("SHOW TABLES IN nope").status().message(), "database nope does not exist");
  EXPECT_NE(Run("CREATE EXTERNAL TABLE t (a int) LOCATION 's3://lake/../../etc/'")
                .status()
                .message()
                .find("leaves the lake"),
            std::string::npos);
  EXPECT_NE(Run("CREATE EXTERNAL TABLE t (a int) LOCATION '/tmp/x/'")
                .status()
                .message()
                .find("not an s3:// URI"),
            std::string::npos);
}

TEST_F(DdlExecutorTest, DatabasesAndPatterns) {
  ASSERT_TRUE(Run("CREATE DATABASE lake_db").ok());
  ASSERT_TRUE(Run("CREATE EXTERNAL TABLE lake_db.events_a (a int)").ok());
  ASSERT_TRUE(Run("CREATE EXTERNAL TABLE lake_db.other (a int)").ok());
  EXPECT_EQ(Rows("SHOW TABLES IN lake_db 'events*'"),
            (std::vector<std::vector<std::string>>{{"events_a"}}));
  EXPECT_EQ(Rows("SHOW DATABASES LIKE 'lake*|default'").size(), 2u);
  EXPECT_FALSE(Run("DROP DATABASE lake_db").ok());
  EXPECT_TRUE(Run("DROP DATABASE lake_db CASCADE").ok());
}

}  // namespace
}  // namespace tarn::catalog
