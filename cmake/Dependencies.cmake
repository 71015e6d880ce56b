# Every dependency is a Debian 12 package (see README.md, "Dependencies").
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
find_package(Protobuf REQUIRED)
find_package(SQLite3 3.35 REQUIRED)  # RETURNING needs 3.35
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
if(SOTTO_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SOTTO_BENCH)
  find_package(benchmark REQUIRED)
endif()
