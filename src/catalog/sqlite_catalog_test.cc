#include "catalog/sqlite_catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "catalog/partition_path.h"

namespace tarn::catalog {
namespace {

namespace fs = std::filesystem;

class SqliteCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tarn_catalog_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "catalog.db").string();
    auto opened = SqliteCatalog::Open(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    catalog_ = std::move(*opened);
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }

  static TableDefinition EventsJson() {
    TableDefinition t;
    t.database = "default";
    t.name = "events_json";
    t.columns = {{"tstamp", *formats::ParseType("timestamp"), ""},
                 {"payload", *formats::ParseType("string"), "the event"},
                 {"payload_md5", *formats::ParseType("string"), ""}};
    t.partition_keys = {{"name", *formats::ParseType("string"), ""},
                        {"d", *formats::ParseType("string"), ""}};
    t.location = "s3://lake/events_raw/json/";
    t.input_format = "org.apache.hadoop.mapred.TextInputFormat";
    t.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    t.serde = "org.openx.data.jsonserde.JsonSerDe";
    t.serde_properties = {{"ignore.malformed.json", "true"}};
    t.table_properties = {{"EXTERNAL", "true"}, {"classification", "json"}};
    return t;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<SqliteCatalog> catalog_;
};

TEST_F(SqliteCatalogTest, DefaultDatabaseExists) {
  EXPECT_EQ(*catalog_->ListDatabases(), std::vector<std::string>{"default"});
}

TEST_F(SqliteCatalogTest, TableRoundTripsEveryField) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  auto table = catalog_->GetTable("default", "events_json");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  TableDefinition expected = EventsJson();
  expected.created_micros = table->created_micros;
  EXPECT_GT(table->created_micros, 0);
  EXPECT_EQ(*table, expected);
}

TEST_F(SqliteCatalogTest, ErrorsNameTheObject) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  EXPECT_EQ(catalog_->CreateTable(EventsJson(), false).message(),
            "table default.events_json already exists");
  EXPECT_TRUE(catalog_->CreateTable(EventsJson(), true).ok());
  EXPECT_EQ(catalog_->GetTable("default", "nope").status().message(),
            "table default.nope does not exist");
  TableDefinition elsewhere = EventsJson();
  elsewhere.database = "lake";
  EXPECT_EQ(catalog_->CreateTable(elsewhere, false).message(), "database lake does not exist");
}

TEST_F(SqliteCatalogTest, DatabasesCreateListDrop) {
  ASSERT_TRUE(catalog_->CreateDatabase("lake", "", "", false).ok());
  EXPECT_EQ(catalog_->CreateDatabase("lake", "", "", false).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(catalog_->CreateDatabase("lake", "", "", true).ok());
  EXPECT_EQ(*catalog_->ListDatabases(), (std::vector<std::string>{"default", "lake"}));
  TableDefinition t = EventsJson();
  t.database = "lake";
  ASSERT_TRUE(catalog_->CreateTable(t, false).ok());
  EXPECT_NE(catalog_->DropDatabase("lake", false, false).message().find("not empty"),
            std::string::npos);
  EXPECT_TRUE(catalog_->DropDatabase("lake", false, true).ok());
  EXPECT_EQ(catalog_->DropDatabase("lake", false, false).code(), StatusCode::kNotFound);
  EXPECT_TRUE(catalog_->DropDatabase("lake", true, false).ok());
  EXPECT_FALSE(catalog_->DropDatabase("default", false, true).ok());
}

TEST_F(SqliteCatalogTest, PartitionsAddListDrop) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  std::vector<Partition> parts = {
      {{"measurement_recorded", "2023-06-01"}, "s3://lake/events_raw/json/name=m/d=1/", 0, 3, 100},
      {{"anonymous_visited", "2023-06-01"}, "s3://lake/x/", 0, std::nullopt, std::nullopt}};
  EXPECT_EQ(*catalog_->AddPartitions("default", "events_json", parts, false), 2);
  EXPECT_EQ(*catalog_->AddPartitions("default", "events_json", parts, true), 0);
  EXPECT_NE(catalog_->AddPartitions("default", "events_json", parts, false)
                .status()
                .message()
                .find("partition name=measurement_recorded/d=2023-06-01 of table "
                      "default.events_json already exists"),
            std::string::npos);
  auto listed = catalog_->ListPartitions("default", "events_json");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].values[0], "anonymous_visited");  // Sorted by values.
  EXPECT_EQ((*listed)[1].file_count, 3);
  EXPECT_EQ((*listed)[0].bytes, std::nullopt);
  EXPECT_EQ(*catalog_->DropPartitions("default", "events_json",
                                      {{"anonymous_visited", "2023-06-01"}}, false),
            1);
  EXPECT_EQ(catalog_->DropPartitions("default", "events_json", {{"x", "y"}}, false).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(catalog_->ListPartitions("default", "events_json")->size(), 1u);
}

TEST_F(SqliteCatalogTest, PartitionValuesMustMatchTheKeys) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  EXPECT_EQ(
      catalog_->AddPartitions("default", "events_json", {{{"only-one"}, "", 0, {}, {}}}, false)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST_F(SqliteCatalogTest, DropTableKeepsOthersAndIsMetadataOnly) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  ASSERT_EQ(*catalog_->AddPartitions("default", "events_json", {{{"a", "b"}, "s3://x/", 0, {}, {}}},
                                     false),
            1);
  ASSERT_TRUE(catalog_->DropTable("default", "events_json", false).ok());
  EXPECT_EQ(catalog_->DropTable("default", "events_json", false).code(), StatusCode::kNotFound);
  EXPECT_TRUE(catalog_->DropTable("default", "events_json", true).ok());
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  EXPECT_TRUE(catalog_->ListPartitions("default", "events_json")->empty());  // Old ones gone.
}

TEST_F(SqliteCatalogTest, UpdateTableKeepsPartitionsAndCreationTime) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  ASSERT_EQ(*catalog_->AddPartitions("default", "events_json", {{{"a", "b"}, "s3://x/", 0, {}, {}}},
                                     false),
            1);
  TableDefinition t = *catalog_->GetTable("default", "events_json");
  t.table_properties["projection.enabled"] = "true";
  t.columns.push_back({"extra", *formats::ParseType("array<int>"), ""});
  ASSERT_TRUE(catalog_->UpdateTable(t).ok());
  EXPECT_EQ(*catalog_->GetTable("default", "events_json"), t);
  EXPECT_EQ(catalog_->ListPartitions("default", "events_json")->size(), 1u);
}

TEST_F(SqliteCatalogTest, SurvivesReopeningAndSharesWithASecondConnection) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  auto second = SqliteCatalog::Open(path_);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)->GetTable("default", "events_json").ok());
  catalog_.reset();
  auto reopened = SqliteCatalog::Open(path_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->ListTables("default"), std::vector<std::string>{"events_json"});
}

TEST_F(SqliteCatalogTest, RefusesNewerSchemaAndForeignFiles) {
  catalog_.reset();
  {
    auto c = SqliteCatalog::Open(path_);
    ASSERT_TRUE(c.ok());
  }
  // Pretend a newer tarn wrote the file.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto newer = SqliteCatalog::Open(path_);
  EXPECT_NE(newer.status().message().find("newer than this tarn"), std::string::npos)
      << newer.status().ToString();
  const std::string junk = (dir_ / "junk.db").string();
  std::ofstream(junk) << "this is not a database, not even close to one......................";
  auto not_db = SqliteCatalog::Open(junk);
  EXPECT_EQ(not_db.status().code(), StatusCode::kCorruption) << not_db.status().ToString();
}

TEST_F(SqliteCatalogTest, RegisterObjectAddsItsPartitionOnce) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  const std::string object =
      "s3://lake/events_raw/json/name=anonymous_visited/d=2023-06-18/events_json-1-2023.gz";
  auto added = catalog_->RegisterObject(object);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added,
            std::vector<std::string>{"default.events_json name=anonymous_visited/d=2023-06-18"});
  EXPECT_TRUE(catalog_->RegisterObject(object)->empty());  // Already there.
  auto parts = catalog_->ListPartitions("default", "events_json");
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].location, "s3://lake/events_raw/json/name=anonymous_visited/d=2023-06-18/");
  // Objects outside the table, or not under key=value folders, register nothing.
  EXPECT_TRUE(catalog_->RegisterObject("s3://lake/errors/json/x.gz")->empty());
  EXPECT_TRUE(catalog_->RegisterObject("s3://lake/events_raw/json/2023/06/x.gz")->empty());
  EXPECT_TRUE(catalog_->RegisterObject("s3://lake/events_raw/json/name=a/x.gz")->empty());
}

TEST_F(SqliteCatalogTest, StreamsAreVersioned) {
  ASSERT_TRUE(
      catalog_->CreateStream("events_json", R"({"DeliveryStreamName":"events_json"})").ok());
  EXPECT_EQ(catalog_->CreateStream("events_json", "{}").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(catalog_->GetStream("events_json")->version, 1);
  ASSERT_TRUE(catalog_->UpdateStream("events_json", "{\"v\":2}", 1).ok());
  EXPECT_EQ(catalog_->UpdateStream("events_json", "{}", 1).message(),
            "stream events_json is at version 2, not 1");
  EXPECT_EQ(catalog_->GetStream("events_json")->definition, "{\"v\":2}");
  EXPECT_EQ(catalog_->ListStreams()->size(), 1u);
  ASSERT_TRUE(catalog_->DeleteStream("events_json").ok());
  EXPECT_EQ(catalog_->GetStream("events_json").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteCatalogTest, MigratesAVersionOneCatalog) {
  ASSERT_TRUE(catalog_->CreateTable(EventsJson(), false).ok());
  catalog_.reset();
  // Make the file look as version 1 wrote it: no streams table.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "DROP TABLE streams; PRAGMA user_version=1", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  auto reopened = SqliteCatalog::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_TRUE((*reopened)->GetTable("default", "events_json").ok());  // Data kept.
  EXPECT_TRUE((*reopened)->CreateStream("s", "{}").ok());             // Table added.
}

TEST(PartitionPathTest, EscapesAndUnescapesAsHive) {
  EXPECT_EQ(EscapePathValue("a/b=c%d"), "a%2Fb%3Dc%25d");
  EXPECT_EQ(UnescapePathValue(EscapePathValue("x:y?z\n")), "x:y?z\n");
  EXPECT_EQ(UnescapePathValue("100%"), "100%");  // A lone % stays.
}

TEST(PartitionSpecTest, RoundTripsAnyValues) {
  const std::vector<std::string> values = {"", "a/b=c", "12:3", std::string("\0x", 2)};
  EXPECT_EQ(*DecodePartitionSpec(EncodePartitionSpec(values)), values);
  EXPECT_FALSE(DecodePartitionSpec("5:abc").ok());
  EXPECT_FALSE(DecodePartitionSpec("x:abc").ok());
}

}  // namespace
}  // namespace tarn::catalog
