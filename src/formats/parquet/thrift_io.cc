#include "formats/parquet/thrift_io.h"

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <exception>

namespace tarn::formats::parquet::internal {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

Status SerializeBase(const apache::thrift::TBase& value, std::string* out) {
  try {
    auto buffer = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> protocol(buffer);
    value.write(&protocol);
    uint8_t* data = nullptr;
    uint32_t size = 0;
    buffer->getBuffer(&data, &size);
    out->append(reinterpret_cast<const char*>(data), size);
    return Status::Ok();
  } catch (const std::exception& e) {
    return Internal(std::string("serialising Parquet metadata: ") + e.what());
  }
}

Status DeserializeBase(const uint8_t* data, uint32_t* size, apache::thrift::TBase* value) {
  try {
    // Bound the message by the bytes we have; strings and containers cannot claim more.
    auto config = std::make_shared<TConfiguration>(
        /*maxMessageSize=*/static_cast<int>(std::min<uint32_t>(*size, INT32_MAX)),
        /*maxFrameSize=*/static_cast<int>(std::min<uint32_t>(*size, INT32_MAX)),
        /*recursionLimit=*/64);
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), *size,
                                                  TMemoryBuffer::OBSERVE, config);
    const auto limit = static_cast<int32_t>(std::min<uint32_t>(*size, INT32_MAX));
    TCompactProtocolT<TMemoryBuffer> protocol(buffer, /*string_limit=*/limit,
                                              /*container_limit=*/limit);
    value->read(&protocol);
    *size -= buffer->available_read();
    return Status::Ok();
  } catch (const std::exception& e) {
    return Corruption(std::string("malformed Thrift metadata: ") + e.what());
  }
}

}  // namespace tarn::formats::parquet::internal
