# Unit suites (check). Each userspace module.mk adds its suite name to UNIT_SUITES and sets
# <suite>_TEST_LIBS; the suite's source is tests/unit/check_<suite>.c and it prints check's summary.
